"""Boards: members bring their specialty, and the meeting page shows the quorum live."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.urls import reverse

from meetings.models import BoardMember, Specialty
from tests.helpers import HTMX

pytestmark = pytest.mark.django_db


@pytest.fixture
def board(meeting):
    """The meeting's board requires surgery and radiology; one surgeon is a member."""
    surgery = Specialty.objects.create(name="HPB surgery")
    radiology = Specialty.objects.create(name="Radiology")
    meeting.board.required_specialties.set([surgery, radiology])
    surgeon = User.objects.create_user("okafor", first_name="Mara", last_name="Okafor")
    BoardMember.objects.create(board=meeting.board, user=surgeon, specialty=surgery)
    return meeting.board


def _attendance(client, meeting) -> str:
    page = client.get(meeting.get_absolute_url()).content.decode()
    return page[
        page.index('<section id="attendance"') : page.index(
            "</section>", page.index('<section id="attendance"')
        )
    ]


def test_the_quorum_follows_attendance(coordinator_client, meeting, board):
    region = _attendance(coordinator_client, meeting)
    assert "Quorum not met" in region and "missing HPB surgery, Radiology" in region
    url = reverse("meetings:attendance_add", args=[meeting.pk])
    member = board.members.get()
    region = coordinator_client.post(url, {"member": member.pk}, **HTMX).content.decode()
    assert "Quorum not met" in region and "missing Radiology" in region
    assert list(meeting.attendees.values_list("name", "specialty")) == [
        ("Mara Okafor", "HPB surgery")
    ]
    # A guest counts for the quorum too; the specialty is matched whatever its case.
    guest = {"name": "Dr. Rivera", "specialty": "radiology", "organisation": " St. Elsewhere "}
    region = coordinator_client.post(url, guest, **HTMX).content.decode()
    assert "Quorum met" in region and "missing" not in region
    assert "radiology · St. Elsewhere" in region
    assert meeting.quorum().met


def test_a_listed_member_is_not_offered_again(coordinator_client, meeting, board):
    url = reverse("meetings:attendance_add", args=[meeting.pk])
    member = board.members.get()
    coordinator_client.post(url, {"member": member.pk})
    form = coordinator_client.get(meeting.get_absolute_url()).context["attendance_form"]
    assert form.unlisted_members == []
    # A second entry of the same person (from a page opened earlier) is refused.
    response = coordinator_client.post(url, {"member": member.pk}, **HTMX)
    assert "Mara Okafor is already listed." in response.content.decode()
    assert meeting.attendees.count() == 1


def test_a_guest_needs_a_name_and_a_specialty(coordinator_client, meeting, board):
    url = reverse("meetings:attendance_add", args=[meeting.pk])
    response = coordinator_client.post(url, {"name": "", "specialty": ""})
    errors = response.context["attendance_form"].errors
    assert errors["name"] == ["Choose a board member, or give the guest's name."]
    assert errors["specialty"] == ["Give the guest's specialty."]
    assert meeting.attendees.count() == 0


def test_a_member_of_another_board_cannot_be_listed(coordinator_client, meeting, board):
    from tests.factories import make_meeting

    other = make_meeting(board_name="Other board").board
    stranger = BoardMember.objects.create(
        board=other,
        user=User.objects.create_user("stranger"),
        specialty=Specialty.objects.get(name="Radiology"),
    )
    url = reverse("meetings:attendance_add", args=[meeting.pk])
    response = coordinator_client.post(url, {"member": stranger.pk})
    assert "Select a valid choice" in str(response.context["attendance_form"].errors["member"])
    assert meeting.attendees.count() == 0


def test_a_board_without_a_quorum_rule_says_so(coordinator_client, meeting):
    region = _attendance(coordinator_client, meeting)
    assert "names no specialties for a quorum" in region
    assert not meeting.quorum().is_set


def test_the_same_guest_listed_at_the_same_moment_is_refused_not_an_error(
    coordinator_client, meeting
):
    from meetings.forms import AttendanceForm
    from meetings.models import Attendance

    data = {"name": "Dr. Rivera", "specialty": "Radiology"}
    first, second = (AttendanceForm(data, meeting=meeting) for _ in range(2))
    assert first.is_valid() and second.is_valid()  # both checked before either saved
    assert first.save() is not None
    assert second.save() is None
    assert second.errors["name"] == ["Dr. Rivera is already listed."]
    assert Attendance.objects.filter(meeting=meeting).count() == 1
