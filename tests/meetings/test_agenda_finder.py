"""Finding a case for the agenda among many: by name, MRN or case number."""

from __future__ import annotations

import pytest
from django.urls import reverse

from cases.models import CaseStatus
from meetings.forms import AgendaAddForm
from tests.factories import make_case, make_meeting, make_patient
from tests.helpers import HTMX

pytestmark = pytest.mark.django_db


@pytest.fixture
def meeting():
    return make_meeting(board_name="Finder board")


def options(response) -> list[str]:
    return [
        label for value, label in response.context["agenda_form"].fields["case"].choices if value
    ]


def test_typing_narrows_the_list_to_matching_cases(coordinator_client, meeting):
    ada = make_case(patient=make_patient(mrn="H-1001", name="Ada Lovelace"))
    grace = make_case(patient=make_patient(mrn="H-2002", name="Grace Hopper"))
    url = meeting.get_absolute_url()
    for find, expected in (("lovelace", ada), ("h-2002", grace), (str(grace.pk), grace)):
        response = coordinator_client.get(url, {"find": find}, **HTMX)
        page = response.content.decode()
        assert "<html" not in page and 'id="agenda-add"' in page
        assert "HX-Request" in response["Vary"]
        assert [label.split(":")[0] for label in options(response)] == [f"Case {expected.pk}"]


def test_without_javascript_the_finder_reloads_the_whole_page(coordinator_client, meeting):
    make_case(patient=make_patient(mrn="H-1001", name="Ada Lovelace"))
    response = coordinator_client.get(meeting.get_absolute_url(), {"find": "nobody"})
    page = response.content.decode()
    assert "<html" in page and 'value="nobody"' in page
    assert "No open case that is not on this agenda matches “nobody”." in page


def test_ready_cases_come_first_and_the_list_is_capped(coordinator_client, meeting, monkeypatch):
    monkeypatch.setattr(AgendaAddForm, "LISTED", 3)
    cases = [make_case(patient=make_patient(mrn=f"C-{n}")) for n in range(5)]
    ready = make_case(patient=make_patient(mrn="R-1"), status=CaseStatus.READY)
    make_case(patient=make_patient(mrn="X-1"), status=CaseStatus.CLOSED)
    response = coordinator_client.get(meeting.get_absolute_url())
    listed = options(response)
    assert len(listed) == 3
    assert listed[0].startswith(f"Case {ready.pk}:") and "ready for a meeting" in listed[0]
    assert listed[1].startswith(f"Case {cases[-1].pk}:")  # then the latest
    assert not any("X-1" in label for label in listed)  # closed cases are not offered
    # a case that was not listed can still be added: the choice is checked against all
    coordinator_client.post(
        reverse("meetings:agenda_add", args=[meeting.pk]), {"case": cases[0].pk}
    )
    assert meeting.agenda_items.get().case == cases[0]


def test_cases_on_the_agenda_are_not_offered_again(coordinator_client, meeting):
    case = make_case(patient=make_patient(mrn="H-1001", name="Ada Lovelace"))
    meeting.agenda_items.create(case=case, position=1)
    response = coordinator_client.get(meeting.get_absolute_url(), {"find": "Lovelace"}, **HTMX)
    assert options(response) == []
    assert "No open case that is not on this agenda matches" in response.content.decode()


def test_only_those_who_run_meetings_may_search_for_cases(client, clinician, meeting):
    make_case(patient=make_patient(mrn="H-1001", name="Ada Lovelace"))
    client.force_login(clinician)  # a clinician reads meetings but does not change them
    response = client.get(meeting.get_absolute_url(), {"find": "Lovelace"}, **HTMX)
    assert response.status_code == 404 and b"Lovelace" not in response.content


@pytest.mark.parametrize("find", ["99999999999999999999", "#", "%", "'; drop table", "ü" * 200])
def test_odd_searches_answer_calmly(coordinator_client, meeting, find):
    response = coordinator_client.get(meeting.get_absolute_url(), {"find": find}, **HTMX)
    assert response.status_code == 200


def test_the_finder_runs_a_fixed_number_of_queries(
    coordinator_client, meeting, django_assert_num_queries
):
    url = meeting.get_absolute_url()
    coordinator_client.get(url, {"find": "a"}, **HTMX)
    # session, user, permissions (4); meeting (1); the listed cases: ready ones, then the
    # other open ones (2)
    with django_assert_num_queries(8):
        coordinator_client.get(url, {"find": "a"}, **HTMX)
    for n in range(5):
        make_case(patient=make_patient(mrn=f"Q-{n}", name=f"Anna {n}"))
    with django_assert_num_queries(8):
        response = coordinator_client.get(url, {"find": "a"}, **HTMX)
    assert len(options(response)) == 5
