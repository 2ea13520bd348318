"""The meeting page says what changed since the pack was made, and never offers an
old pack as the current one."""

from __future__ import annotations

import pytest
from django.db.models import F

from cases.models import Case, Patient
from cases.summary import content_versions
from guidelines.models import Recommendation
from meetings import handouts
from meetings.models import Handout, HandoutKind
from meetings.staleness import changes_since
from tests.factories import make_case, make_meeting, make_patient

pytestmark = pytest.mark.django_db

FACTS = {"primary_site": "colorectal", "planned_procedure": "hepatectomy", "smoker_current": True}


@pytest.fixture
def packed():
    cases = [make_case(patient=make_patient(mrn=f"ST-{n}"), facts=FACTS) for n in range(3)]
    meeting = make_meeting(cases)
    _, sections = handouts.render_meeting_html(meeting)
    handout = Handout.objects.create(
        kind=HandoutKind.MEETING_PACK, meeting=meeting, status="done", content=b"%PDF-1.7",
        page_count=9, content_versions=content_versions(sections),
    )  # fmt: skip
    return meeting, handout, cases


def now(meeting, handout) -> list[str]:
    items = list(meeting.agenda_items.select_related("case__patient").order_by("position"))
    handout.meeting.refresh_from_db()
    return changes_since(handout, items)


def test_a_fresh_pack_is_current(coordinator_client, packed):
    meeting, handout, _ = packed
    assert now(meeting, handout) == []
    page = coordinator_client.get(meeting.get_absolute_url()).content.decode()
    assert "nothing it shows has changed since" in page and "out of date" not in page


def test_edited_cases_and_patients_are_counted(coordinator_client, packed):
    meeting, handout, (first, second, _) = packed
    Case.objects.filter(pk=first.pk).update(version=F("version") + 1)
    Patient.objects.filter(pk=second.patient_id).update(version=F("version") + 1)
    assert now(meeting, handout) == ["2 cases changed"]
    page = coordinator_client.get(meeting.get_absolute_url()).content.decode()
    assert "This pack is out of date" in page and "2 cases changed" in page
    assert "Download the old pack anyway" in page


def test_agenda_changes_are_said(packed):
    meeting, handout, (first, second, third) = packed
    meeting.agenda_items.filter(case=third).delete()
    meeting.agenda_items.create(case=make_case(patient=make_patient(mrn="ST-9")), position=9)
    assert now(meeting, handout) == ["1 case added to the agenda", "1 case taken off the agenda"]


def test_a_new_order_is_said(packed):
    meeting, handout, (first, second, third) = packed
    items = {item.case_id: item for item in meeting.agenda_items.all()}
    items[first.pk].position, items[third.pk].position = 30, 1
    items[third.pk].save()
    items[first.pk].save()
    assert now(meeting, handout) == ["the agenda was put in another order"]


def test_content_edits_name_the_recommendations_shown_or_say_the_content_moved(packed):
    meeting, handout, _ = packed
    shown = next(iter(handout.content_versions["recommendations"]))
    unshown = Recommendation.objects.exclude(
        slug__in=handout.content_versions["recommendations"]
    ).first()
    unshown.notes += " (edited)"
    unshown.save()
    assert now(meeting, handout) == ["the guideline content was edited (what applies may differ)"]
    rec = Recommendation.objects.get(slug=shown)
    rec.notes += " (edited)"
    rec.save()
    assert now(meeting, handout) == ["1 recommendation it shows edited"]


def test_switching_pseudonymisation_makes_the_pack_out_of_date(packed):
    meeting, handout, _ = packed
    meeting.pseudonymise = True
    meeting.save()
    assert now(meeting, handout) == ["pseudonymisation was switched on"]
