"""Ready for the meeting: the liver area's checklist (local policy, from its pack) against
the case's record as of the meeting's date, on the case page, the agenda, the case list and
the coordinator's list; the edges of the intervals worked out by hand; bad checklist
conditions refused; what the quality report counts."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from cases.models import Case, DatedValue
from cases.readiness import readiness_of
from decisions.models import Decision
from decisions.services import start as start_record
from guidelines import readiness
from guidelines.models import ReadinessItem
from quality.report import Scope, build
from tests.factories import make_attachment, make_case, make_meeting, make_patient, make_timepoint

pytestmark = pytest.mark.django_db

MEETING = datetime.date(2026, 11, 20)


def _ready_case(**facts):
    return make_case(patient=make_patient(mrn=f"R-{len(facts)}-{id(facts) % 997}"), facts=facts)


def test_the_shipped_liver_checklist_is_local_policy_with_its_reasons():
    items = list(ReadinessItem.objects.filter(area__slug="liver").order_by("position"))
    assert [(i.key, i.severity) for i in items] == [
        ("liver_imaging_recent", "blocks"), ("values_recent", "warns"),
        ("radiology_report", "warns"), ("pathology_report", "warns"),
        ("deciding_facts_known", "warns"),
    ]  # fmt: skip
    assert all(i.local_policy and i.notes.startswith("Local policy: an example") for i in items)
    assert "56 days" in items[0].notes and "14 days" in items[1].notes


@pytest.mark.parametrize(
    ("imaged_days_before", "met"),
    [(0, True), (56, True), (57, False), (-1, False)],  # -1: after the meeting's date
)
def test_imaging_counts_within_56_days_of_the_meeting_and_not_after_it(imaged_days_before, met):
    case = _ready_case()
    make_timepoint(case, MEETING - datetime.timedelta(days=imaged_days_before), modality="mri")
    found = readiness_of(case, MEETING)
    check = found.checks[0]
    assert check.met is met
    assert found.state == ("warnings" if met else "not_ready")
    if not met and imaged_days_before < 0:
        assert check.words.endswith("(no CT or MRI recorded by then)")


def test_ultrasound_is_not_cross_sectional_imaging():
    case = _ready_case()
    make_timepoint(case, MEETING, modality="ultrasound")
    assert readiness_of(case, MEETING).checks[0].met is False


def test_a_case_with_everything_is_ready():
    case = _ready_case()
    make_timepoint(case, MEETING - datetime.timedelta(days=10), modality="ct")
    DatedValue.objects.create(patient=case.patient, fact="cea_ng_ml", value=4,
                              day=MEETING - datetime.timedelta(days=14))  # fmt: skip
    make_attachment(case, kind="radiology_report")
    make_attachment(case, kind="pathology_report", title="Histology")
    found = readiness_of(case, MEETING)
    open_items = [check.item.key for check in found.open]
    # The deciding facts of a case with no facts are not known: the only warning left.
    assert open_items == ["deciding_facts_known"] and found.state == "warnings"
    DatedValue.objects.filter(patient=case.patient).update(day=MEETING - datetime.timedelta(15))
    case = Case.objects.get(pk=case.pk)  # (read again: the values were prefetched)
    assert [c.item.key for c in readiness_of(case, MEETING).open] == [
        "values_recent", "deciding_facts_known"]  # fmt: skip


def test_the_evaluation_is_three_valued_and_names_what_is_not_known():
    item = readiness.Item("ecog", "Performance status recorded and 0-2", "ecog <= 2", "blocks")
    catalogue = {"ecog": readiness.FactSpec("ecog", "ECOG performance status", "integer")}
    unknown = readiness.evaluate([item], {}, catalogue, MEETING)
    assert unknown.state == "not_ready"
    assert unknown.missing_words == (
        "Performance status recorded and 0-2 (not known: ECOG performance status)")  # fmt: skip
    assert readiness.evaluate([item], {"ecog": 3}, catalogue, MEETING).open[0].missing == ()
    assert readiness.evaluate([item], {"ecog": 1}, catalogue, MEETING).state == "ready"
    # A choice that means "not known" is not known here either.
    undecided = readiness.Item("plan", "Procedure decided", "planned_procedure != undecided",
                               "warns")  # fmt: skip
    spec = readiness.FactSpec("planned_procedure", "Planned procedure", "enum",
                              choices=(("undecided", "Undecided"), ("hepatectomy", "Hepatectomy")),
                              not_known_values=frozenset({"undecided"}))  # fmt: skip
    found = readiness.evaluate([undecided], {"planned_procedure": "undecided"},
                               {"planned_procedure": spec}, MEETING)  # fmt: skip
    assert found.open[0].missing == ("not known: Planned procedure",)


def test_a_checklist_condition_is_checked_against_the_area_and_the_readiness_facts():
    item = ReadinessItem.objects.filter(area__slug="liver").first()
    item.condition = "days_since_ct_or_mri <= 56 and no_such_fact = true"
    with pytest.raises(ValidationError) as error:
        item.full_clean()
    assert "no_such_fact" in str(error.value)
    item.condition = "days_since_ct_or_mri <= 28 and ecog <= 2"
    item.full_clean()  # a readiness fact and a case fact


def test_the_case_page_agenda_list_and_coordinators_list_say_what_is_missing(
    clinician_client, coordinator_client
):
    case = _ready_case()
    meeting = make_meeting([case], starts_at=timezone.now() + datetime.timedelta(days=3))
    day = timezone.localtime(meeting.starts_at)
    page = clinician_client.get(case.get_absolute_url()).content.decode()
    assert f"Ready for the meeting of {day.day} {day:%b %Y}" in page
    needed = "<strong>Needed:</strong> Liver imaging (CT or MRI) within 56 days of the meeting "
    assert needed + "(no CT or MRI recorded by then)" in page
    agenda = clinician_client.get(meeting.get_absolute_url()).content.decode()
    assert 'class="badge ready-not_ready">Not ready</span>' in agenda
    listing = clinician_client.get(reverse("cases:case_list")).content.decode()
    assert "ready-not_ready" in listing
    coordinator = coordinator_client.get(reverse("meetings:not_ready")).content.decode()
    assert f"Case {case.pk}: {case.patient.name}" in coordinator
    make_timepoint(case, timezone.localdate(), modality="ct")
    agenda = clinician_client.get(meeting.get_absolute_url()).content.decode()
    assert "Ready with warnings" in agenda


def test_the_agenda_takes_the_same_queries_for_one_case_or_six(clinician_client):
    meeting = make_meeting([_ready_case()], starts_at=timezone.now() + datetime.timedelta(days=3))
    clinician_client.get(meeting.get_absolute_url())
    counts = []
    for more in (0, 5):
        for n in range(more):
            case = make_case(patient=make_patient(mrn=f"Q-{n}"))
            make_timepoint(case, timezone.localdate(), modality="ct")
            make_attachment(case)
            meeting.agenda_items.create(case=case, position=meeting.agenda_items.count() + 1)
        with CaptureQueriesContext(connection) as queries:
            clinician_client.get(meeting.get_absolute_url())
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_a_decision_keeps_whether_the_case_was_ready_and_the_report_counts_it(coordinator):
    case = _ready_case()
    meeting = make_meeting([case])
    record = start_record(meeting.agenda_items.get(), coordinator)
    assert record.shown["readiness"][0] == "not_ready"
    assert record.shown["readiness"][1].startswith("Liver imaging (CT or MRI)")
    signed = Decision.objects.filter(pk=record.pk)
    signed.update(status="signed", outcome="deferred", deferral_reason="missing_information",
                  signed_by=coordinator, signed_at=timezone.now(),
                  signature_hash="0" * 64, signature_mac="0" * 64)  # fmt: skip
    today = timezone.localdate()
    report = build(Scope((meeting.board,), today - datetime.timedelta(days=1), today))
    assert report.deferrals == {"missing_information": 1}
    assert (report.not_ready.part, report.not_ready.whole) == (1, 1)
