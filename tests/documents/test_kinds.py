"""Every document the app hands out is a registered kind, and each kind's declaration
holds: its permissions exist, a background kind names a table of documents and a render
function that resolve, a stored kind names its file, and the read log records what
names patients."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from accounts.models import ReadKind, ReadLogEntry
from documents import kinds
from documents.models import Rendering
from tests.factories import make_case

EVERY = {"case_summary", "case_list", "meeting_pack", "minutes", "letter", "decision_export",
         "action_export", "annual_report", "quality_table", "fhir_bundle"}  # fmt: skip


def _permission_exists(name: str) -> bool:
    app, codename = name.split(".")
    return Permission.objects.filter(content_type__app_label=app, codename=codename).exists()


@pytest.mark.django_db
def test_every_kind_is_registered_and_its_declaration_resolves():
    assert {kind.key for kind in kinds.every()} == EVERY
    for kind in kinds.every():
        assert _permission_exists(kind.read_permission), kind.key
        assert not kind.make_permission or _permission_exists(kind.make_permission), kind.key
        assert not kind.read_kind or kind.read_kind in ReadKind.values, kind.key
        assert kind.types and all("/" in t for t in kind.types.values()), kind.key
        if kind.in_background:
            assert issubclass(kind.model_class, Rendering) and callable(kind.renderer), kind.key
            assert kind.filename is not None, kind.key
    with pytest.raises(LookupError, match="no document kind 'nothing'"):
        kinds.get("nothing")


def test_a_kind_is_registered_once_and_a_background_kind_needs_its_table_and_render():
    pack = kinds.get("meeting_pack")
    kinds.register(pack)  # the same declaration again: no change
    with pytest.raises(ValueError, match="registered twice"):
        kinds.register(kinds.Kind("meeting_pack", "Other", {"pdf": kinds.PDF}, None, "x.y"))
    with pytest.raises(ValueError, match="has a model and a render"):
        kinds.register(kinds.Kind("half", "Half", {"pdf": kinds.PDF}, None, "x.y", model="a.B"))


def test_a_file_of_a_type_its_kind_does_not_have_is_refused():
    assert kinds.get("case_list").content_type("cases.xlsx") == kinds.XLSX
    with pytest.raises(ValueError, match="no file type .pdf"):
        kinds.get("case_list").content_type("cases.pdf")


@pytest.mark.django_db
def test_a_download_carries_its_kinds_type_and_name_and_is_read_logged(clinician_client):
    case = make_case()
    response = clinician_client.get(reverse("interop:case_fhir", args=[case.pk]))
    assert response["Content-Type"] == kinds.FHIR_JSON
    assert response["Content-Disposition"] == f'attachment; filename="case-{case.pk}-fhir.json"'
    assert ReadLogEntry.objects.filter(kind=ReadKind.FHIR, case_id=case.pk).count() == 1
    summary = clinician_client.get(reverse("cases:case_summary_pdf", args=[case.pk]))
    assert summary["Content-Type"] == kinds.PDF
    assert summary["Content-Disposition"] == f'inline; filename="case-{case.pk}-summary.pdf"'
