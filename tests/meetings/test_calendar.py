"""Board meetings as iCalendar feeds behind a personal secret link."""

from __future__ import annotations

import datetime

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.urls import reverse
from icalendar import Calendar

from accounts import tokens
from accounts.models import PersonalToken, TokenPurpose
from tests.factories import make_case, make_meeting, make_patient

pytestmark = pytest.mark.django_db


@pytest.fixture
def meeting():
    ada = make_case(patient=make_patient(mrn="CAL-1", name="Ada Calendarpatient"),
                    question="Ada Calendarpatient: resect?")  # fmt: skip
    return make_meeting([ada], place="Room 4", chair="Dr. Chair")


def events(response) -> list:
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    return list(Calendar.from_ical(response.content).walk("VEVENT"))


def test_a_link_is_made_once_and_only_its_hash_is_kept(clinician_client, clinician, meeting):
    page = clinician_client.post(reverse("meetings:calendar"), {"name": "Outlook"}).content.decode()
    token = PersonalToken.objects.get(user=clinician)
    secret = page.split("/meetings/calendar/", 1)[1].split("/all.ics", 1)[0]
    assert (
        token.prefix == secret[:8]
        and token.key_hash != secret
        and secret not in str(PersonalToken.objects.values_list().get())
    )
    again = clinician_client.get(reverse("meetings:calendar")).content.decode()
    assert secret not in again and f"{token.prefix}…" in again  # shown once, named after
    assert clinician_client.post(reverse("meetings:calendar"), {"name": "  "}).status_code == 400


def test_the_feed_says_when_and_where_and_nothing_about_patients(client, clinician, meeting):
    _, secret = tokens.issue(clinician, TokenPurpose.CALENDAR, "Outlook")
    response = client.get(reverse("meetings:calendar_feed", args=[secret]))  # no login
    (event,) = events(response)
    assert str(event["uid"]) == f"tumorboard-meeting-{meeting.pk}@{settings.CALENDAR_UID_DOMAIN}"
    assert event["dtstart"].dt == meeting.starts_at.replace(microsecond=0)
    assert event["dtend"].dt - event["dtstart"].dt == datetime.timedelta(minutes=60)
    assert str(event["location"]) == "Room 4" and int(event["sequence"]) == 0
    assert "Liver board" in str(event["summary"])
    body = response.content.decode()
    assert "Calendarpatient" not in body and "CAL-1" not in body and "resect" not in body
    board = client.get(reverse("meetings:calendar_board_feed", args=[secret, meeting.board_id]))
    assert len(events(board)) == 1
    missing = client.get(reverse("meetings:calendar_board_feed", args=[secret, 999_999]))
    assert missing.status_code == 404


def test_a_moved_meeting_keeps_its_uid_and_its_sequence_rises(client, clinician, meeting):
    _, secret = tokens.issue(clinician, TokenPurpose.CALENDAR, "Outlook")
    url = reverse("meetings:calendar_feed", args=[secret])
    (before,) = events(client.get(url))
    meeting.chair = "Dr. Other"  # not a move
    meeting.save()
    assert int(events(client.get(url))[0]["sequence"]) == 0
    meeting.starts_at += datetime.timedelta(hours=2)
    meeting.save()
    meeting.place = "Room 5"
    meeting.save()
    (after,) = events(client.get(url))
    assert after["uid"] == before["uid"] and int(after["sequence"]) == 2
    assert after["dtstart"].dt == meeting.starts_at.replace(microsecond=0)


def test_revoked_foreign_and_roleless_links_give_nothing(client, clinician, meeting):
    token, secret = tokens.issue(clinician, TokenPurpose.CALENDAR, "Outlook")
    _, api_secret = tokens.issue(clinician, TokenPurpose.API, "Script")
    url = reverse("meetings:calendar_feed", args=[secret])
    assert client.get(reverse("meetings:calendar_feed", args=[api_secret])).status_code == 404
    nobody = User.objects.create_user("nobody")
    _, roleless = tokens.issue(nobody, TokenPurpose.CALENDAR, "Outlook")
    assert client.get(reverse("meetings:calendar_feed", args=[roleless])).status_code == 404
    other = User.objects.create_user("other-user")
    other.groups.add(clinician.groups.get())
    client.force_login(other)
    revoke = reverse("token_revoke", args=[token.pk])
    assert client.post(revoke).status_code == 404  # not theirs
    client.force_login(clinician)
    assert client.get(url).status_code == 200
    assert client.post(revoke, {"next": reverse("meetings:calendar")}).status_code == 302
    assert client.get(url).status_code == 404
    _, secret = tokens.issue(clinician, TokenPurpose.CALENDAR, "Phone")
    clinician.is_active = False  # an account closed: its links stop with it
    clinician.save()
    assert client.get(reverse("meetings:calendar_feed", args=[secret])).status_code == 404
