"""Meeting mode: one agenda item at a time, the agenda with each item's state, and the
record beside the case."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from decisions import services
from decisions.models import Decision
from meetings.models import Meeting
from tests.decisions.records import form_data, start
from tests.factories import in_three_days, make_case, make_meeting, make_patient

pytestmark = pytest.mark.django_db


def mode_url(item):
    return reverse("decisions:meeting_mode", args=[item.meeting_id, item.pk])


def test_running_the_meeting_opens_the_first_waiting_item(clinician_client, item):
    second = make_case(patient=make_patient(mrn="D-2", name="Ben Second"))
    meeting = item.meeting
    later = meeting.agenda_items.create(case=second, position=2)
    decision = services.start(item, None)
    Decision.objects.filter(pk=decision.pk).update(outcome="noted")
    # A draft is still waiting: meeting mode opens at it.
    start_url = reverse("decisions:meeting_mode_start", args=[meeting.pk])
    assert clinician_client.get(start_url)["Location"] == mode_url(item)
    page = clinician_client.get(mode_url(item))
    html = page.content.decode()
    assert [(e.item.pk, e.state, e.drafted) for e in page.context["entries"]] == [
        (item.pk, "waiting", True),
        (later.pk, "waiting", False),
    ]
    assert page.context["previous"] is None and page.context["next"] == later
    assert 'rel="next"' in html and "Dana Decided" in html and "Question for the board" in html
    assert 'id="record"' in html and "Save the draft" in html
    assert "pc-smoking-cessation" in html  # the recommendations that apply
    # The next item has no record yet: the board starts one from here, and stays here.
    nxt = clinician_client.get(mode_url(later)).content.decode()
    assert "Record the decision" in nxt and 'rel="prev"' in nxt
    response = clinician_client.post(
        reverse("decisions:decision_start", args=[meeting.pk, later.pk]), {"from": "meeting-mode"}
    )
    assert response["Location"] == mode_url(later)


def test_a_pseudonymised_meeting_shows_no_name_in_meeting_mode(clinician_client, item):
    Meeting.objects.filter(pk=item.meeting_id).update(pseudonymise=True)
    html = clinician_client.get(mode_url(item)).content.decode()
    assert "Dana Decided" not in html and "D-1" not in html
    assert f"case {item.case_id}" in html


def test_saving_from_meeting_mode_returns_to_it(clinician_client, item):
    start(clinician_client, item)
    decision = Decision.objects.get()
    data = form_data(decision, **{"from": "meeting-mode"})
    response = clinician_client.post(decision.get_absolute_url(), data)
    assert response["Location"] == mode_url(item)


def test_a_proposal_drafted_before_the_meeting_is_where_the_board_starts(clinician_client, item):
    Meeting.objects.filter(pk=item.meeting_id).update(starts_at=in_three_days())
    start(clinician_client, item)  # before the meeting (it is in three days)
    decision = Decision.objects.get()
    clinician_client.post(decision.get_absolute_url(), form_data(decision, plan="Proposed plan."))
    html = clinician_client.get(mode_url(item)).content.decode()
    assert "Proposed before the meeting by Cleo Clinician" in html and "Proposed plan." in html
    # The case changed since: the board is told, and can show it as it is now.
    item.case.question = "A new question"
    item.case.version += 1
    item.case.save()
    html = clinician_client.get(mode_url(item)).content.decode()
    assert "The case changed since this draft froze what the board sees." in html


MEETING_MODE_QUERIES = 31  # the session, the item, the agenda, the record and its forms,
# the attachments, who may be assigned actions,
# the previous decisions with their concordance and plan modalities, the case section (with
# the patient's course: imaging, dated values, treatments), the modality names (for the
# disagreements between plan and judgements)


def _queries(client, item) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(mode_url(item)).status_code == 200
    return len(captured)


def test_meeting_mode_runs_the_same_queries_for_3_or_12_items(clinician_client):
    cases = [make_case(patient=make_patient(mrn=f"Q-{n}", name=f"Q {n}")) for n in range(12)]
    small, large = make_meeting(cases[:3]), make_meeting(cases)
    for meeting in (small, large):
        for item in meeting.agenda_items.all()[:2]:
            services.start(item, None)
    first = [m.agenda_items.order_by("position").first() for m in (small, large)]
    _queries(clinician_client, first[0])  # warm the content snapshot
    counts = [_queries(clinician_client, item) for item in first]
    assert counts == [MEETING_MODE_QUERIES, MEETING_MODE_QUERIES]
