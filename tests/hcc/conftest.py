"""The HCC area's pack, loaded by the tests that use it (the session loads the liver's)."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from guidelines import content_pack, snapshot
from guidelines.models import DiseaseArea

HCC_PACK = content_pack.PACKS / "hcc.yaml"


@pytest.fixture(scope="module")
def hcc_pack(module_db) -> None:
    """The HCC pack loaded beside the liver's, as the set-up loads them: once a module
    (about 5 s), rolled back after its last test."""
    call_command("load_content", str(HCC_PACK), stdout=io.StringIO())


@pytest.fixture
def hcc(hcc_pack, db) -> DiseaseArea:
    return DiseaseArea.objects.get(slug="hcc")


@pytest.fixture
def hcc_content(hcc) -> snapshot.AreaContent:
    return snapshot.current().by_slug("hcc")
