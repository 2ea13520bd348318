"""Demo data (``manage.py seed_demo``): a past meeting of the demo board, quorate, with a
signed decision (one recommendation not followed, for the patient's preference, an open
action and a done one), a signed deferral and a draft, so that a newcomer sees records,
meeting mode, minutes and letters at once."""

from __future__ import annotations

import datetime

from django.contrib.auth.models import User
from django.utils import timezone

from cases.models import Case
from decisions import services, signing
from decisions.models import Action, Judgement, Modality, NotFollowedReason, Outcome
from meetings import agenda
from meetings.demo import DEMO_REQUIRED, ensure_demo_board
from meetings.models import Attendance, Meeting

PAST_MEETING_PLACE = "Tumour board room, level 4 (last month)"


def seed() -> list[str]:
    board = ensure_demo_board()
    if board.meetings.filter(place=PAST_MEETING_PLACE).exists():
        return []
    signer = User.objects.filter(username="clinician").first()
    cases = list(
        Case.objects.filter(patient__mrn__in=["DEMO-1005", "DEMO-1001", "DEMO-1003"]).order_by(
            "patient__mrn"
        )
    )
    if signer is None or len(cases) < 3:
        return []
    starts = timezone.now() - datetime.timedelta(days=28)
    meeting = Meeting.objects.create(
        board=board, starts_at=starts, place=PAST_MEETING_PLACE, chair="Dr. M. Okafor"
    )
    for specialty in DEMO_REQUIRED:
        Attendance.objects.create(
            meeting=meeting, name=f"Demo {specialty.lower()}", specialty=specialty
        )
    Attendance.objects.filter(meeting=meeting, specialty=DEMO_REQUIRED[0]).update(
        name=signer.get_full_name() or signer.get_username(), user=signer
    )
    decided, deferred, drafted = (
        agenda.add_case(meeting, case, signer) for case in (cases[2], cases[1], cases[0])
    )
    decision = services.start(decided, signer)
    rows = list(decision.concordance.order_by("position"))
    for row in rows:
        row.judgement = Judgement.FOLLOWED
    if rows:
        rows[0].judgement = Judgement.NOT_FOLLOWED
        rows[0].reason = NotFollowedReason.objects.get(name="Patient preference")
    for row in rows:
        row.save()
    decision.outcome = Outcome.RECOMMENDATION
    decision.intent = "curative"
    decision.plan = "Two cycles of systemic therapy, then restaging and a decision on resection."
    decision.patient_preferences = "Prefers to start treatment close to home."
    decision.save()
    decision.modalities.set(Modality.objects.filter(name="Systemic therapy, first line"))
    Action.objects.create(
        decision=decision, what="Book liver MRI after two cycles", owner="Dr. R. Castillo",
        due=timezone.localdate() + datetime.timedelta(days=14),
    )  # fmt: skip
    Action.objects.create(
        decision=decision, what="Send the letter to the general practitioner",
        owner="Tumour board coordinator", due=starts.date() + datetime.timedelta(days=2),
        done_at=starts + datetime.timedelta(days=1), done_by=signer,
    )  # fmt: skip
    signing.sign(decision, signer, decision.version, at=starts + datetime.timedelta(hours=1))
    deferral = services.start(deferred, signer)
    deferral.outcome = Outcome.DEFERRED
    deferral.information_needed = "A liver MRI with hepatobiliary contrast, to count the lesions."
    deferral.needed_by = timezone.localdate() + datetime.timedelta(days=7)
    deferral.save()
    signing.sign(deferral, signer, deferral.version, at=starts + datetime.timedelta(hours=1))
    services.start(drafted, signer)
    return ["Created a past demo meeting with a signed decision, a signed deferral and a draft."]
