"""Demo data (``manage.py seed_demo``): a past meeting of the demo board, quorate, whose
records show each concordance class: a concordant decision (one item judged not relevant,
with words), a conditionally concordant one waiting for a liver MRI, a discordant one for
the patient's preference (an open action and a done one), a signed deferral, and a draft;
so that a newcomer sees records, meeting mode, minutes, letters and the quality figures at
once. The plans are taken as the app proposes them, then changed where the board differs."""

from __future__ import annotations

import datetime

from django.contrib.auth.models import User
from django.utils import timezone

from cases.models import Case
from decisions import services, signing
from decisions.models import (
    Action,
    Judgement,
    Modality,
    NotFollowedReason,
    NotOfferedReason,
    Outcome,
    Pathway,
    TrialOffer,
)
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
        Case.objects.filter(
            patient__mrn__in=["DEMO-1005", "DEMO-1001", "DEMO-1003", "DEMO-1006", "DEMO-1010"]
        ).select_related("patient")
    )
    if signer is None or len(cases) < 5:
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
    at = starts + datetime.timedelta(hours=1)
    by_mrn = {case.patient.mrn: case for case in cases}
    concordant, conditional, discordant, deferred, drafted = (
        agenda.add_case(meeting, by_mrn[mrn], signer)
        for mrn in ("DEMO-1006", "DEMO-1010", "DEMO-1005", "DEMO-1001", "DEMO-1003")
    )
    _decide(
        discordant, signer, at, plan=("surveillance",),
        words="Surveillance imaging every three months; no adjuvant chemotherapy.",
        preferences="Declines adjuvant chemotherapy after the gastrectomy and the liver "
        "resection; understands the higher risk of recurrence and prefers surveillance.",
        judged={"mm-adjuvant-crc-gastric": (Judgement.NOT_FOLLOWED, "Patient preference", "")},
        actions=[
            ("Book liver MRI in three months", "Dr. R. Castillo",
             timezone.localdate() + datetime.timedelta(days=14), None),
            ("Send the letter to the general practitioner", "Tumour board coordinator",
             starts.date() + datetime.timedelta(days=2), starts + datetime.timedelta(days=1)),
        ],
    )  # fmt: skip
    _decide(
        concordant, signer, at, plan=("adjuvant_systemic_therapy",),
        words="Adjuvant imatinib for three years.",
        judged={"dx-ceus-detection-multimodality": (
            Judgement.NOT_RELEVANT, None,
            "The metastasis was resected with clear margins: there is no lesion to look for.",
        )},
        actions=[("Start imatinib", "Dr. L. Brandt", starts.date() + datetime.timedelta(days=10),
                  None)],
    )  # fmt: skip
    _decide(
        conditional, signer, at, plan=("further_imaging",), intent="undetermined",
        words="Liver MRI with hepatobiliary contrast first; the board decides on local "
        "treatment with its result.",
        actions=[("Book liver MRI", "Dr. R. Castillo",
                  timezone.localdate() + datetime.timedelta(days=5), None)],
    )  # fmt: skip
    deferral = services.start(deferred, signer)
    deferral.outcome = Outcome.DEFERRED
    deferral.information_needed = "A liver MRI with hepatobiliary contrast, to count the lesions."
    deferral.needed_by = timezone.localdate() + datetime.timedelta(days=7)
    deferral.save()
    signing.sign(deferral, signer, deferral.version, at=at)
    services.start(drafted, signer)
    _hcc_decision(meeting, signer, at)
    return [
        "Created a past demo meeting with signed decisions of each concordance class "
        "(concordant, conditionally concordant, discordant), a signed deferral and a draft."
    ]


def _hcc_decision(meeting, signer, at) -> None:
    """The second area on the same board: a single BCLC A HCC for which the board chose
    ablation, one of the early-stage curative alternatives (HCC fact sheet §0 addition 4):
    the resection and radiotherapy items of the group read "alternative chosen"."""
    case = Case.objects.filter(patient__mrn="DEMO-2003").first()
    if case is None:
        return  # the HCC pack is not loaded
    _decide(
        agenda.add_case(meeting, case, signer), signer, at, plan=("ablation",),
        words="Percutaneous thermal ablation of the segment III nodule; surveillance "
        "imaging afterwards.",
        judged=dict.fromkeys(("hcc-dx-icc-dynamic-ct-mri", "hcc-dx-esmo-workup"), (Judgement.ALREADY_DONE, None, "")),
        actions=[("Book the ablation", "Dr. R. Castillo",
                  meeting.starts_at.date() + datetime.timedelta(days=14),
                  meeting.starts_at + datetime.timedelta(days=3))],
    )  # fmt: skip


def _decide(item, signer, at, *, plan, words, judged=None, preferences="", actions=(),
            intent="curative"):  # fmt: skip
    """A recommendation recorded as the board does: the plan's modalities, the proposals
    taken, the items the board judged otherwise changed, the pathway line, then signed."""
    decision = services.start(item, signer)
    decision.outcome = Outcome.RECOMMENDATION
    decision.intent = intent
    decision.plan = words
    decision.patient_preferences = preferences
    decision.pathway = Pathway.YES if decision.shown.get("pathway") else ""
    decision.save()
    decision.modalities.set(Modality.objects.filter(code__in=plan))
    services.accept_proposals(decision, signer, decision.version)
    for slug, (judgement, reason, text) in (judged or {}).items():
        decision.concordance.filter(recommendation=slug).update(
            judgement=judgement,
            reason=NotFollowedReason.objects.get(name=reason) if reason else None,
            reason_text=text,
        )
    # The example trials the patient screened as a possible candidate for: on review, not
    # eligible (the demo's signed records answer every trial considered).
    decision.trials.update(offered=TrialOffer.NOT_OFFERED, reason=NotOfferedReason.NOT_ELIGIBLE)
    for what, owner, due, done_at in actions:
        Action.objects.create(decision=decision, what=what, owner=owner, due=due,
                              done_at=done_at, done_by=signer if done_at else None)  # fmt: skip
    decision.refresh_from_db()
    return signing.sign(decision, signer, decision.version, at=at)
