"""Signing a decision: what the signature covers, its SHA-256, and checking it later.

The hash covers the record as signed: the agenda item, outcome, intent, plan, what
the board saw, each recommendation with its judgement and reason, the actions, who
signed and when. ``verify`` recomputes it; a record whose content no longer gives its
hash has been changed behind the database's protection (``manage.py verify_decisions``).
"""

from __future__ import annotations

import hashlib
import json

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from cases.models import Case, CaseStatus
from decisions.models import Decision, DecisionStatus, Judgement, Outcome

MEANING = (
    "By signing I confirm that this record states what the board decided for this case "
    "at this meeting, that the recommendations listed are those the board considered, "
    "and that I chair the board or the board allows me to sign its decisions."
)


class CannotSign(Exception):
    """The record is not ready, or not the version the signer saw; the message says why."""


def content(decision: Decision) -> dict:
    """The signed content, in a canonical form (the same record always gives the same)."""
    item = decision.agenda_item
    return {
        "decision": decision.pk,
        "meeting": item.meeting_id,
        "case": item.case_id,
        "outcome": decision.outcome,
        "intent": decision.intent,
        "modalities": sorted(m.name for m in decision.modalities.all()),
        "plan": decision.plan,
        "information_needed": decision.information_needed,
        "needed_by": decision.needed_by.isoformat() if decision.needed_by else None,
        "patient_preferences": decision.patient_preferences,
        "dissent": decision.dissent,
        "shown": decision.shown,
        "concordance": [
            [
                row.recommendation,
                row.statement,
                row.source,
                row.verification,
                row.content_version,
                row.judgement,
                row.reason.name if row.reason else None,
                row.reason_text,
            ]
            for row in decision.concordance.select_related("reason").order_by("position")
        ],  # fmt: skip
        "actions": [
            [action.what, action.owner, action.due.isoformat() if action.due else None]
            for action in decision.actions.order_by("pk")
        ],
        "signed_by": decision.signed_by.get_username() if decision.signed_by else None,
        "signed_at": decision.signed_at.isoformat() if decision.signed_at else None,
    }


def digest(decision: Decision) -> str:
    canonical = json.dumps(
        content(decision), sort_keys=True, ensure_ascii=False, separators=(",", ":")
    )
    return hashlib.sha256(canonical.encode()).hexdigest()


def problems(decision: Decision) -> list[str]:
    """What stops the record from being signed, in words."""
    found = []
    if not decision.outcome:
        found.append("Record the outcome.")
    if decision.outcome == Outcome.RECOMMENDATION and not decision.intent:
        found.append("Record the intent (curative, palliative or not yet determined).")
    if decision.outcome == Outcome.RECOMMENDATION and not (
        decision.plan.strip() or decision.modalities.exists()
    ):
        found.append("Record the recommended plan.")
    unmarked = decision.concordance.filter(judgement="").count()
    if decision.outcome == Outcome.RECOMMENDATION and unmarked:
        found.append(f"Mark each recommendation that applied ({unmarked} not marked yet).")
    if decision.concordance.filter(judgement=Judgement.NOT_FOLLOWED, reason__isnull=True).exists():
        found.append("Give the reason for each recommendation not followed.")
    return found


def sign(decision: Decision, user, version: int) -> Decision:
    """Sign the record as saved at ``version``; CannotSign says why not."""
    with transaction.atomic():
        current = (
            Decision.objects.select_for_update(of=("self",))
            .select_related("agenda_item__meeting__board")
            .get(pk=decision.pk)
        )
        if current.is_signed:
            raise CannotSign("This decision is signed already.")
        if current.version != version:
            raise CannotSign(
                "The record was saved again since you opened it: read it again, then sign."
            )
        missing = problems(current)
        if missing:
            raise CannotSign(" ".join(missing))
        quorum = current.agenda_item.meeting.quorum()
        # The record says whether the board was quorate when it decided (issue: a meeting
        # without quorum may decide, but each decision shows it).
        current.shown = {
            **current.shown,
            "quorum": {"rule": quorum.is_set, "met": quorum.met, "missing": quorum.missing},
        }
        current.signed_by = user
        current.signed_at = timezone.now()
        current.signature_hash = digest(current)
        current.status = DecisionStatus.SIGNED
        current.save(update_fields=["shown", "signed_by", "signed_at", "signature_hash", "status"])
        _case_follows(current, user)
    return current


def _case_follows(decision: Decision, user) -> None:
    """The case's status follows the signed decision: discussed, or ready for a meeting
    again when the board deferred it. A new case version, so that a case form opened
    before refuses to put the old status back."""
    status = CaseStatus.READY if decision.outcome == Outcome.DEFERRED else CaseStatus.DISCUSSED
    Case.objects.filter(pk=decision.agenda_item.case_id).update(
        status=status, version=F("version") + 1, updated_by=user, updated_at=timezone.now()
    )


def verify(decision: Decision) -> bool:
    """Whether a signed record still gives the hash it was signed with."""
    return decision.signature_hash == digest(decision)
