"""Demo data for development (``manage.py seed_demo``): an upcoming board meeting
with the demo cases that are not yet discussed on its agenda."""

from __future__ import annotations

import datetime

from django.contrib.auth.models import User
from django.utils import timezone

from cases.models import Case
from meetings import agenda
from meetings.models import Attendance, Board, BoardMember, Meeting, Specialty

DEMO_BOARD = "Liver metastases tumor board"
# The specialties a hepatobiliary board usually requires (an example for the demo; each
# hospital sets its own in the admin).
DEMO_REQUIRED = ["HPB surgery", "Medical oncology", "Radiology", "Pathology"]
DEMO_ATTENDEES = [
    ("Dr. M. Okafor", "HPB surgery"),
    ("Dr. L. Brandt", "Medical oncology"),
    ("Dr. R. Castillo", "Radiology"),
    ("Dr. S. Haddad", "Gastroenterology"),
]
# Demo accounts that belong to the board, with the specialty they bring.
DEMO_MEMBERS = [("clinician", "HPB surgery")]  # who may also sign the board's decisions


def ensure_demo_board() -> Board:
    """The demo board: its quorum rule and the demo clinician as a member (filled in too
    when the board came from an older database's meetings without them)."""
    board, _ = Board.objects.get_or_create(
        name=DEMO_BOARD,
        defaults={"usual_place": "Tumour board room, level 4", "usual_time": datetime.time(7, 30)},
    )
    names = {*DEMO_REQUIRED, *(specialty for _, specialty in DEMO_ATTENDEES)}
    specialties = {name: Specialty.objects.get_or_create(name=name)[0] for name in names}
    if not board.contact_line:  # printed at the foot of the board's letters (fictional)
        board.contact_name = "Tumour board coordinator"
        board.contact_phone = "+44 20 7946 0000"
        board.contact_email = "liver-board@hospital.example"
        board.save(update_fields=["contact_name", "contact_phone", "contact_email"])
    if not board.required_specialties.exists():
        board.required_specialties.set([specialties[name] for name in DEMO_REQUIRED])
    if not board.members.exists():
        for username, specialty in DEMO_MEMBERS:
            user = User.objects.filter(username=username).first()
            if user is not None:
                BoardMember.objects.create(
                    board=board, user=user, specialty=specialties[specialty], may_sign=True
                )
    return board


def ensure_demo_meeting() -> bool:
    """An upcoming board with the ready and draft demo cases on its agenda; True if created.

    Pathology has not said it comes yet, so the meeting page shows a quorum not met.
    """
    board = ensure_demo_board()
    if board.meetings.exists():
        return False
    today = timezone.localdate()
    day = today + datetime.timedelta(days=(1 - today.weekday()) % 7 or 7)  # next Tuesday
    starts = timezone.make_aware(datetime.datetime.combine(day, datetime.time(7, 30)))
    meeting = Meeting.objects.create(
        board=board,
        starts_at=starts,
        place=board.usual_place,
        video_link="https://video.hospital.example/liver-mdt",
        chair="Dr. M. Okafor",
        pack_key_images=True,
    )
    cases = Case.objects.filter(patient__mrn__startswith="DEMO-").exclude(status="discussed")
    presenter = User.objects.filter(username="clinician").first()
    for case in cases.order_by("patient__mrn"):
        agenda.add_case(meeting, case, presenter=presenter)
    for name, specialty in DEMO_ATTENDEES:
        Attendance.objects.create(meeting=meeting, name=name, specialty=specialty)
    return True


def seed() -> list[str]:
    """Demo data of this app: the upcoming demo meeting."""
    return [f"Created the upcoming demo meeting '{DEMO_BOARD}'."] if ensure_demo_meeting() else []
