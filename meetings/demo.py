"""Demo data for development (``manage.py seed_demo``): an upcoming board meeting
with the demo cases that are not yet discussed on its agenda."""

from __future__ import annotations

import datetime

from django.utils import timezone

from cases.models import Case
from meetings import agenda
from meetings.models import Attendance, Meeting

DEMO_BOARD = "Liver metastases tumor board"
DEMO_ATTENDEES = [
    ("Dr. M. Okafor", "HPB surgery"),
    ("Dr. L. Brandt", "Medical oncology"),
    ("Dr. R. Castillo", "Radiology"),
    ("Dr. S. Haddad", "Gastroenterology"),
    ("Dr. J. Lindgren", "Pathology"),
]


def ensure_demo_meeting() -> bool:
    """An upcoming board with the ready and draft demo cases on its agenda; True if created."""
    if Meeting.objects.filter(board_name=DEMO_BOARD).exists():
        return False
    today = timezone.localdate()
    day = today + datetime.timedelta(days=(1 - today.weekday()) % 7 or 7)  # next Tuesday
    starts = timezone.make_aware(datetime.datetime.combine(day, datetime.time(7, 30)))
    meeting = Meeting.objects.create(
        board_name=DEMO_BOARD,
        starts_at=starts,
        place="Tumour board room, level 4",
        video_link="https://video.hospital.example/liver-mdt",
        chair="Dr. M. Okafor",
    )
    cases = Case.objects.filter(patient__mrn__startswith="DEMO-").exclude(status="discussed")
    for case in cases.order_by("patient__mrn"):
        agenda.add_case(meeting, case)
    for name, specialty in DEMO_ATTENDEES:
        Attendance.objects.create(meeting=meeting, name=name, specialty=specialty)
    return True


def seed() -> list[str]:
    """Demo data of this app: the upcoming demo meeting."""
    return [f"Created the upcoming demo meeting '{DEMO_BOARD}'."] if ensure_demo_meeting() else []
