"""Meetings in the browser: creating, the agenda, attendance, and printing a case."""

from __future__ import annotations

import datetime

import pytest
from django.contrib.auth.models import User
from django.urls import reverse

from meetings.models import Board, BoardMember, Meeting, Specialty
from tests.factories import in_three_days, make_case, make_meeting, make_patient
from tests.helpers import HTMX

pytestmark = pytest.mark.django_db


def agenda_names(meeting) -> list[str]:
    return [
        item.case.patient.name
        for item in meeting.agenda_items.select_related("case__patient").order_by("position")
    ]


@pytest.fixture
def board(db):
    chair = User.objects.create_user("okafor", first_name="Mara", last_name="Okafor")
    return Board.objects.create(name="Liver board", usual_place="Room 4", default_chair=chair)


@pytest.fixture
def meeting_data(board):
    return {
        "board": str(board.pk),
        "starts_at": "2026-12-01T07:30",
        "place": "Room 4",
        "video_link": "",
        "chair": "Dr. Chair",
    }


def test_a_coordinator_creates_a_meeting(coordinator_client, coordinator, meeting_data, board):
    form = coordinator_client.get(reverse("meetings:meeting_create")).context["form"]
    assert form["board"].value() == board.pk  # the only board, with its usual place
    assert form["place"].value() == "Room 4"
    assert form["chair"].value() == "Mara Okafor"
    response = coordinator_client.post(reverse("meetings:meeting_create"), meeting_data)
    meeting = Meeting.objects.get()
    assert response["Location"] == meeting.get_absolute_url()
    assert meeting.created_by == coordinator and meeting.chair == "Dr. Chair"
    assert meeting.board == board


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"board": ""}, "board", "This field is required."),
        ({"board": "999999"}, "board", "Select a valid choice."),
        ({"starts_at": "tomorrow"}, "starts_at", "Enter a valid date/time."),
        ({"place": "", "video_link": ""}, "place", "Give a place or a video link"),
        ({"video_link": "javascript:alert(1)"}, "video_link", "Enter a valid URL."),
        ({"starts_at": "0001-01-01T00:30"}, "starts_at", "Enter a date between 2000 and two"),
        ({"starts_at": "9999-12-31T23:30"}, "starts_at", "Enter a date between 2000 and two"),
        ({"chair": "Dr. \u202eevil"}, "chair", "invisible text-direction characters"),
    ],
)
def test_bad_meeting_input_is_refused_next_to_the_field(
    coordinator_client, meeting_data, changes, field, message
):
    response = coordinator_client.post(
        reverse("meetings:meeting_create"), {**meeting_data, **changes}
    )
    assert response.status_code == 200
    assert any(message in error for error in response.context["form"].errors[field])
    assert Meeting.objects.count() == 0


def test_cases_are_added_in_order_and_a_case_can_be_on_several_meetings(
    coordinator_client, agenda_cases
):
    first, second = make_meeting(), make_meeting(board_name="Second board")
    for meeting in (first, second):
        for case in agenda_cases[:2]:
            coordinator_client.post(
                reverse("meetings:agenda_add", args=[meeting.pk]), {"case": case.pk}
            )
    assert agenda_names(first) == ["Ada Lovelace", "Grace Hopper"]
    assert agenda_names(second) == ["Ada Lovelace", "Grace Hopper"]
    assert agenda_cases[0].meetings.count() == 2


def test_adding_a_case_twice_or_an_unknown_case_is_refused(coordinator_client, meeting):
    ada = meeting.agenda_items.first().case
    response = coordinator_client.post(
        reverse("meetings:agenda_add", args=[meeting.pk]), {"case": ada.pk}
    )
    assert "Select a valid choice" in response.content.decode()
    response = coordinator_client.post(
        reverse("meetings:agenda_add", args=[meeting.pk]), {"case": "99999"}
    )
    assert "Select a valid choice" in response.content.decode()
    assert meeting.agenda_items.count() == 3


def test_moving_up_and_down_with_htmx_returns_the_agenda_partial(coordinator_client, meeting):
    grace = meeting.agenda_items.get(case__patient__name="Grace Hopper")
    url = reverse("meetings:agenda_move", args=[meeting.pk, grace.pk])
    response = coordinator_client.post(url, {"direction": "up"}, **HTMX)
    page = response.content.decode()
    assert "<html" not in page and page.lstrip().startswith('<section id="agenda"')
    assert "HX-Request" in response["Vary"]
    assert agenda_names(meeting) == ["Grace Hopper", "Ada Lovelace", "Emmy Noether"]
    coordinator_client.post(url, {"direction": "up"}, **HTMX)  # already first: nothing changes
    assert agenda_names(meeting) == ["Grace Hopper", "Ada Lovelace", "Emmy Noether"]


def test_moving_works_without_javascript(coordinator_client, meeting):
    ada = meeting.agenda_items.get(case__patient__name="Ada Lovelace")
    response = coordinator_client.post(
        reverse("meetings:agenda_move", args=[meeting.pk, ada.pk]), {"direction": "down"}
    )
    assert response.status_code == 302 and response["Location"] == meeting.get_absolute_url()
    assert agenda_names(meeting) == ["Grace Hopper", "Ada Lovelace", "Emmy Noether"]
    page = coordinator_client.get(meeting.get_absolute_url()).content.decode()
    assert page.index("Grace Hopper") < page.index("Ada Lovelace")


def test_removing_a_case_renumbers_the_agenda(coordinator_client, meeting):
    grace = meeting.agenda_items.get(case__patient__name="Grace Hopper")
    coordinator_client.post(reverse("meetings:agenda_remove", args=[meeting.pk, grace.pk]), **HTMX)
    positions = list(meeting.agenda_items.order_by("position").values_list("position", flat=True))
    assert positions == [1, 2]
    assert agenda_names(meeting) == ["Ada Lovelace", "Emmy Noether"]


def test_attendance_is_recorded_and_a_duplicate_is_refused(coordinator_client, meeting):
    url = reverse("meetings:attendance_add", args=[meeting.pk])
    response = coordinator_client.post(
        url, {"name": "Dr. Rivera", "specialty": "Radiology"}, **HTMX
    )
    assert response.content.decode().lstrip().startswith('<section id="attendance"')
    response = coordinator_client.post(url, {"name": "dr. rivera", "specialty": "Surgery"}, **HTMX)
    assert "Dr. Rivera is already listed." in response.content.decode()
    assert list(meeting.attendees.values_list("name", "specialty")) == [("Dr. Rivera", "Radiology")]
    person = meeting.attendees.get()
    coordinator_client.post(reverse("meetings:attendance_remove", args=[meeting.pk, person.pk]))
    assert meeting.attendees.count() == 0


def test_clinicians_see_meetings_but_cannot_change_them(client, clinician, meeting):
    client.force_login(clinician)
    page = client.get(meeting.get_absolute_url()).content.decode()
    assert "Ada Lovelace" in page
    assert "Add to agenda" not in page and "Make the meeting pack" not in page
    item = meeting.agenda_items.first()
    assert (
        client.post(
            reverse("meetings:agenda_move", args=[meeting.pk, item.pk]), {"direction": "down"}
        ).status_code
        == 404
    )
    data = {"starts_at": "2026-12-01T07:30", "place": "Room 4", "board": str(meeting.board_id)}
    assert client.post(reverse("meetings:meeting_create"), data).status_code == 404
    assert Meeting.objects.count() == 1


def test_meeting_list_splits_upcoming_and_past(coordinator_client, meeting):
    from django.utils import timezone

    make_meeting(
        board_name="Last month's board", starts_at=timezone.now() - timezone.timedelta(days=30)
    )
    response = coordinator_client.get(reverse("meetings:meeting_list"))
    assert [m.board.name for m in response.context["upcoming"]] == ["Liver metastases board"]
    assert [m.board.name for m in response.context["past"]] == ["Last month's board"]


def test_the_case_page_links_its_meetings_and_the_summary(client, clinician, meeting):
    client.force_login(clinician)
    case = meeting.agenda_items.first().case
    page = client.get(case.get_absolute_url()).content.decode()
    assert reverse("cases:case_summary_pdf", args=[case.pk]) in page
    assert meeting.get_absolute_url() in page


def test_meeting_page_runs_a_fixed_number_of_queries(
    coordinator_client, meeting, django_assert_num_queries
):
    surgery = Specialty.objects.create(name="HPB surgery")
    meeting.board.required_specialties.add(surgery)

    def member(username: str) -> None:
        user = User.objects.create_user(username)
        BoardMember.objects.create(board=meeting.board, user=user, specialty=surgery)

    member("first-member")
    coordinator_client.get(meeting.get_absolute_url())
    # session, user, permissions (4); meeting with its board, agenda, its decisions,
    # attendees, required specialties, stale packs, latest pack (7); cases to add, ready
    # ones, then the other open ones (2);
    # the attendance form's names listed, board members and specialty names (3); the
    # agenda's readiness: lesions, measurements, timepoints, dated values, treatments and
    # attachments (6); who may present (1); stale
    # and latest minutes (2)
    with django_assert_num_queries(25):
        coordinator_client.get(meeting.get_absolute_url())
    for n in range(5):
        meeting.agenda_items.create(
            case=make_case(patient=make_patient(mrn=f"Q-{n}")), position=20 + n
        )
        member(f"member-{n}")
    with django_assert_num_queries(25):
        coordinator_client.get(meeting.get_absolute_url())


def test_meeting_list_runs_a_fixed_number_of_queries(
    coordinator_client, meeting, django_assert_num_queries
):
    coordinator_client.get(reverse("meetings:meeting_list"))
    # session, user, permissions (4); upcoming and past meetings with their case counts (2)
    with django_assert_num_queries(6):
        coordinator_client.get(reverse("meetings:meeting_list"))
    for n in range(5):
        make_meeting([make_case(patient=make_patient(mrn=f"L-{n}"))], board_name=f"Board {n}",
                     starts_at=in_three_days())  # fmt: skip
    with django_assert_num_queries(6):
        response = coordinator_client.get(reverse("meetings:meeting_list"))
    assert [m.case_count for m in response.context["upcoming"]] == [3, 1, 1, 1, 1, 1]


def test_moving_or_removing_a_case_someone_else_took_off_says_so(coordinator_client, meeting):
    item = meeting.agenda_items.order_by("position").first()
    gone = item.pk
    item.delete()
    for name, data in (("agenda_move", {"direction": "up"}), ("agenda_remove", {})):
        url = reverse(f"meetings:{name}", args=[meeting.pk, gone])
        response = coordinator_client.post(url, data, **HTMX)
        assert response.status_code == 200
        assert "taken off the agenda by someone else" in response.content.decode()
        plain = coordinator_client.post(url, data, follow=True)
        assert "taken off the agenda by someone else" in plain.content.decode()


def test_a_case_taken_off_while_it_is_being_moved_is_a_message_not_an_error(
    coordinator_client, meeting, monkeypatch
):
    from meetings import agenda
    from meetings.models import AgendaItem

    real_move = agenda.move

    def removed_meanwhile(item, direction):
        AgendaItem.objects.filter(pk=item.pk).delete()  # the other user's removal
        return real_move(item, direction)

    monkeypatch.setattr(agenda, "move", removed_meanwhile)
    item = meeting.agenda_items.order_by("position").last()
    response = coordinator_client.post(
        reverse("meetings:agenda_move", args=[meeting.pk, item.pk]), {"direction": "up"}, **HTMX
    )
    assert response.status_code == 200
    assert "taken off the agenda by someone else" in response.content.decode()


def test_the_coordinator_sees_the_scrubbed_text_before_the_pack_is_made(coordinator_client):
    patient = make_patient(
        name="Li Example", mrn="MRN-7", date_of_birth=datetime.date(1953, 11, 30)
    )
    case = make_case(
        patient=patient,
        question="Li Example (MRN 7), born 30.11.1953: resect?",
        clinical_summary="Bilirubin normal. A 72-year-old.",
    )
    meeting = make_meeting([case], pseudonymise=True)
    page = coordinator_client.get(meeting.get_absolute_url()).content.decode()
    preview_url = reverse("meetings:pseudonymised_preview", args=[meeting.pk])
    assert f'href="{preview_url}"' in page
    preview = coordinator_client.get(preview_url).content.decode()
    assert '<mark title="replaced: name">LE</mark>' in preview
    assert '<mark title="replaced: date of birth">[date of birth]</mark>' in preview
    assert '<mark title="replaced: age">[age]</mark>' in preview
    assert "Bilirubin normal." in preview
    assert "Li Example" not in preview.split("<main")[1] and "30.11.1953" not in preview
