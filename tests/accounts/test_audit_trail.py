"""Every change to cases, meetings, agendas, attendance and guideline content is recorded,
with who and when, whether made through a page, the admin or a command."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.urls import reverse
from pghistory.models import Events

from cases.models import Case
from meetings.models import AgendaItem, Attendance, Meeting
from tests.factories import make_case, make_meeting

pytestmark = pytest.mark.django_db


def last_event(model_label: str, label: str):
    return Events.objects.filter(pgh_model=model_label, pgh_label=label).latest("pgh_created_at")


def test_page_changes_are_recorded_with_the_user(coordinator_client, coordinator):
    case = make_case()
    meeting = make_meeting([case, make_case(patient=case.patient, question="Second")])
    coordinator_client.post(
        reverse("meetings:attendance_add", args=[meeting.pk]),
        {"name": "Dr. B", "specialty": "Oncology"},
    )
    item = meeting.agenda_items.get(position=2)
    coordinator_client.post(
        reverse("meetings:agenda_move", args=[meeting.pk, item.pk]), {"direction": "up"}
    )
    coordinator_client.post(reverse("meetings:agenda_remove", args=[meeting.pk, item.pk]))
    for model, label in [
        ("meetings.AttendanceEvent", "insert"),
        ("meetings.AgendaItemEvent", "update"),
        ("meetings.AgendaItemEvent", "delete"),
    ]:
        event = last_event(model, label)
        assert event.pgh_context["user"] == coordinator.pk, model
        assert event.pgh_context["url"].startswith(meeting.get_absolute_url())
    moved = Events.objects.filter(pgh_model="meetings.AgendaItemEvent", pgh_label="update").first()
    assert moved.pgh_diff["position"] in ([2, 1], [1, 2])


def test_admin_changes_are_recorded_with_the_user(client, superuser):
    meeting = make_meeting()
    other = make_meeting(board_name="Renamed board").board
    client.force_login(superuser)
    response = client.post(
        reverse("admin:meetings_meeting_change", args=[meeting.pk]),
        {
            "board": str(other.pk),
            "starts_at_0": "2026-12-01",
            "starts_at_1": "07:30",
            "place": "Room 9",
            "video_link": "",
            "chair": "",
            "agenda_items-TOTAL_FORMS": "0",
            "agenda_items-INITIAL_FORMS": "0",
            "attendees-TOTAL_FORMS": "0",
            "attendees-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302, response.content.decode()[:1500]
    event = last_event("meetings.MeetingEvent", "update")
    assert event.pgh_context["user"] == superuser.pk
    assert event.pgh_context["url"].startswith("/admin/")
    assert event.pgh_diff["board_id"] == [meeting.board_id, other.pk]


def test_command_changes_are_recorded_with_the_command(settings):
    settings.DEMO_MODE = True
    call_command("seed_demo", stdout=io.StringIO())
    for model in (
        "cases.CaseEvent",
        "cases.PatientEvent",
        "meetings.MeetingEvent",
        "meetings.AgendaItemEvent",
        "meetings.AttendanceEvent",
    ):
        assert last_event(model, "insert").pgh_context["command"] == "seed_demo", model


def test_changes_outside_the_application_are_recorded_too():
    case = make_case()
    Case.objects.filter(pk=case.pk).update(question="Changed by raw SQL")  # no signals, no save()
    event = last_event("cases.CaseEvent", "update")
    assert event.pgh_diff["question"] == ["What next?", "Changed by raw SQL"]
    assert event.pgh_context is None


def test_deletes_are_recorded_with_what_was_deleted(coordinator_client):
    meeting = make_meeting()
    person = Attendance.objects.create(meeting=meeting, name="Dr. Gone", specialty="Surgery")
    coordinator_client.post(reverse("meetings:attendance_remove", args=[meeting.pk, person.pk]))
    event = last_event("meetings.AttendanceEvent", "delete")
    assert event.pgh_data["name"] == "Dr. Gone"
    assert (
        not Attendance.objects.exists()
        and Meeting.objects.exists()
        and not AgendaItem.objects.exists()
    )


def test_the_admin_history_of_a_case_is_its_audit_trail(client, superuser):
    case = make_case(question="Resect first?")
    make_meeting([case], board_name="Thursday liver board")
    client.force_login(superuser)
    page = client.get(reverse("admin:cases_case_history", args=[case.pk])).content.decode()
    assert 'id="change-history"' in page  # our audit table, not Django's LogEntry list
    assert "Resect first?" in page  # the case's own insert
    assert "insert AgendaItem" in page  # and the agenda item that points at it


def test_history_names_related_rows_and_says_when_they_are_gone():
    from accounts.audit import history_entries

    case = make_case()
    meeting = make_meeting([case], board_name="Thursday liver board")
    case_pk = case.pk
    meeting.agenda_items.all().delete()
    case.delete()
    [insert] = history_entries(
        Events.objects.filter(pgh_model="meetings.AgendaItemEvent", pgh_label="insert")
    )
    changes = {label: after for label, _, after in insert["changes"]}
    assert changes["Meeting"].startswith("Thursday liver board, ")
    assert changes["Case"] == f"#{case_pk} (since deleted)"
