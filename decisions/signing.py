"""Signing a decision: what the signature covers, its SHA-256, and checking it later.

The hash covers the record as signed: the agenda item, outcome, intent, plan, what
the board saw, each recommendation with its judgement and reason, the actions, who
signed and when; its keyed hash (``seal``) binds it to a key outside the database.
``problems_found`` recomputes both: a record that no longer gives them has been changed
behind the database's protection (``manage.py verify_decisions``).
"""

from __future__ import annotations

import hashlib
import hmac
import json

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from cases.models import CaseStatus
from cases.services import move_status
from decisions import notify
from decisions.models import (
    RECORD_FORMAT,
    Classification,
    Confirmation,
    Decision,
    DecisionStatus,
    FrozenAs,
    Judgement,
    NotOfferedReason,
    Outcome,
    Pathway,
    TrialOffer,
)
from meetings.models import AgendaItem

WHO_CONFIRMS = (
    "Only a clinician who attended the meeting, other than the signer, confirms a signed "
    "record, once."
)
CONFIRMATION_MEANING = (
    "I attended this meeting and have checked that this record states accurately what "
    "the board decided."
)
MEANING = (
    "By signing I confirm that this record states what the board decided for this case "
    "at this meeting, that the recommendations listed are those the board considered, "
    "and that I chair the board or the board allows me to sign its decisions."
)


class CannotSign(Exception):
    """The record is not ready, or not the version the signer saw; the message says why."""


def content(decision: Decision) -> dict:
    """The signed content, in a canonical form (the same record always gives the same).

    An amendment also signs which record it corrects, why, and that record's hash: the
    versions form a chain that ``verify_decisions`` checks from any link.
    """
    item = decision.agenda_item
    current_form = decision.shown.get("record_format") == RECORD_FORMAT
    amendment = (
        {
            "amends": decision.amends_id,
            "amendment_reason": decision.amendment_reason,
            "previous_hash": decision.previous_hash,
        }
        if decision.amends_id
        else {}
    )
    return {
        **amendment,
        "decision": decision.pk,
        "meeting": item.meeting_id,
        "case": item.case_id,
        "outcome": decision.outcome,
        "intent": decision.intent,
        "modalities": sorted(m.name for m in decision.modalities.all()),
        "plan": decision.plan,
        "information_needed": decision.information_needed,
        # (only where recorded: records signed before the reason existed keep their hash)
        **({"deferral_reason": decision.deferral_reason} if decision.deferral_reason else {}),
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
                # (records of the earlier form signed eight fields a row: kept as they were)
                *(
                    [
                        row.frozen_as,
                        row.pending_on,
                        row.plan_modalities,
                        row.contradicted_by,
                        row.alternatives,
                    ]
                    if current_form
                    else []
                ),
            ]
            for row in decision.concordance.select_related("reason").order_by("position")
        ],  # fmt: skip
        **({"pathway": [decision.pathway, decision.pathway_reason]} if current_form else {}),
        # (only where the record has any: records signed before trials were screened keep
        # their hash)
        **(
            {
                "trials": [
                    [
                        row.trial_identifier,
                        row.title,
                        row.screening,
                        row.offered,
                        row.reason,
                        row.reason_text,
                    ]
                    for row in trials
                ]
            }  # fmt: skip
            if (trials := sorted(decision.trials.all(), key=lambda row: row.position))
            else {}
        ),
        "actions": [
            [
                action.what,
                action.owner,
                action.due.isoformat() if action.due else None,
                # (the account only where one is named: records signed before keep their hash)
                *([action.assignee.get_username()] if action.assignee_id else []),
            ]
            for action in decision.actions.select_related("assignee").order_by("pk")
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
    """What stops the record from being signed, in words (a fixed number of queries; none
    for the rows of a record read ``with_rows``)."""
    found = []
    rows = list(decision.concordance.all())
    judged = [row for row in rows if row.frozen_as == FrozenAs.APPLIES]
    if decision.amends_id is None and decision.shown.get("record_format") != RECORD_FORMAT:
        # A first draft frozen before items were judged per decision: its rows hold the
        # pathway items one by one and no pending ones; frozen again, it is judged as now.
        found.append(
            "This draft was made before recommendations were judged per decision: show the "
            "case and guidelines as they are now (the judgements that still apply are kept)."
        )
    if not decision.outcome:
        found.append("Record the outcome.")
    if decision.outcome == Outcome.DEFERRED and not decision.information_needed.strip():
        found.append("Say what the board needs before it decides.")
    if decision.outcome == Outcome.RECOMMENDATION and not decision.intent:
        found.append("Record the intent (curative, palliative or not yet determined).")
    if decision.outcome == Outcome.RECOMMENDATION and not (
        decision.plan.strip() or decision.modalities.exists()
    ):
        found.append("Record the recommended plan.")
    unmarked = sum(1 for row in judged if not row.judgement)
    if decision.outcome == Outcome.RECOMMENDATION and unmarked:
        found.append(f"Mark each recommendation that applied ({unmarked} not marked yet).")
    not_followed = [row for row in judged if row.judgement == Judgement.NOT_FOLLOWED]
    if any(row.reason is None for row in not_followed):
        found.append("Give the reason for each recommendation not followed.")
    if any(row.reason and row.reason.needs_text and not row.reason_text for row in not_followed):
        found.append("Say in words why, where the reason asks for it.")
    if any(row.judgement == Judgement.NOT_RELEVANT and not row.reason_text for row in judged):
        found.append("Say in words why each recommendation marked not relevant is not relevant.")
    trials = list(decision.trials.all())
    if decision.outcome == Outcome.RECOMMENDATION and any(not row.offered for row in trials):
        unanswered = sum(1 for row in trials if not row.offered)
        found.append(
            f"Say whether each trial considered was offered ({unanswered} not answered yet)."
        )
    not_offered = [row for row in trials if row.offered == TrialOffer.NOT_OFFERED]
    if any(not row.reason for row in not_offered):
        found.append("Give the reason for each trial not offered.")
    if any(
        row.reason == NotOfferedReason.OTHER and not row.reason_text.strip() for row in not_offered
    ):
        found.append("Say in words why a trial was not offered, where the reason is “other”.")
    if decision.outcome == Outcome.RECOMMENDATION and decision.shown.get("pathway"):
        if not decision.pathway:
            found.append("Say whether perioperative care follows the hospital's pathway.")
        elif decision.pathway == Pathway.NO and not decision.pathway_reason.strip():
            found.append("Say why perioperative care does not follow the hospital's pathway.")
    return found


def sign(
    decision: Decision, user, version: int, *, at=None, disagreements_read: bool = False
) -> Decision:
    """Sign the record as saved at ``version``; CannotSign says why not. Where the plan and
    the judgements disagree (``Decision.disagreements``), the signer must have read each
    (``disagreements_read``); they are signed with the record, and so is its class.
    ``at`` is for demo data only (a meeting held last month was signed then)."""
    with transaction.atomic():
        current = (
            Decision.objects.select_for_update(of=("self",))
            .select_related("agenda_item__meeting__board")
            .with_rows()
            .get(pk=decision.pk)
        )
        if current.is_signed:
            raise CannotSign("This decision is signed already.")
        meeting = current.agenda_item.meeting
        if not meeting.has_started(at):
            raise CannotSign(
                f"The meeting starts on {timezone.localtime(meeting.starts_at):%-d %B %Y at %H:%M}: "
                "a decision is the board's once it has met, so it is signed from then on."
            )
        if current.version != version:
            raise CannotSign(
                "The record was saved again since you opened it: read it again, then sign."
            )
        missing = problems(current)
        if missing:
            raise CannotSign(" ".join(missing))
        disagreements = current.disagreements()
        if disagreements and not disagreements_read:
            raise CannotSign(
                "The plan and the judgements disagree (listed above): confirm that you have "
                "read each, or correct the record, then sign."
            )
        if "quorum" not in current.shown:  # an amendment keeps the quorum the board had
            quorum = current.agenda_item.meeting.quorum()
            # The record says whether the board was quorate when it decided (a meeting
            # without quorum may decide, but each decision shows it).
            current.shown = {
                **current.shown,
                "quorum": {"rule": quorum.is_set, "met": quorum.met, "missing": quorum.missing},
            }
        verdict = current.verdict()
        current.shown = {
            **current.shown,
            # What the signer confirmed having read, and the class: signed with the record.
            "disagreements_read": disagreements,
            "concordance_class": {
                "class": verdict.klass,
                "reason_groups": list(verdict.reason_groups),
            },
        }
        current.signed_by = user
        current.signed_at = at or timezone.now()
        current.signature_hash = digest(current)
        current.signature_mac = seal(current.signature_hash)
        current.status = DecisionStatus.SIGNED
        current.save(
            update_fields=[
                "shown", "signed_by", "signed_at", "signature_hash", "signature_mac", "status"
            ]
        )  # fmt: skip
        Classification.objects.create(
            decision=current, klass=verdict.klass, reason_groups=list(verdict.reason_groups)
        )
        _case_follows(current, user)
        transaction.on_commit(lambda: notify.actions_assigned.enqueue(current.pk))
    return current


def _case_follows(decision: Decision, user) -> None:
    """The case's status follows the signed decision: ready for a meeting again when the
    board deferred it, "actions open" while it has actions to do, else discussed."""
    move_status(decision.agenda_item.case_id, case_status_after(decision), user)


def case_status_after(decision: Decision) -> str:
    if decision.outcome == Outcome.DEFERRED:
        # A candidate for the next meeting, unless it is on another agenda already.
        listed = AgendaItem.objects.filter(case_id=decision.agenda_item.case_id).exclude(
            pk=decision.agenda_item_id
        )
        # Listed on another agenda and not decided there: no record in force (a draft or
        # a proposal prepared for that meeting is not a decision).
        decided = Decision.objects.filter(agenda_item__in=listed).in_force()
        if listed.exclude(pk__in=decided.values("agenda_item_id")).exists():
            return CaseStatus.ON_AGENDA
        return CaseStatus.READY
    if decision.actions.filter(done_at__isnull=True).exists():
        return CaseStatus.ACTIONS_OPEN
    return CaseStatus.DISCUSSED


def seal(signature_hash: str, key: str | None = None) -> str:
    """The keyed hash of a signed record's SHA-256 (HMAC-SHA256 with DECISION_SIGNING_KEY).

    The SHA-256 alone proves nothing against someone who can write to the database: they
    change the record and store its new hash. The key lives in the environment, never in
    the database, so that person cannot make the keyed hash that goes with their change.
    """
    key = settings.DECISION_SIGNING_KEY if key is None else key
    message = f"tumorboard decision signature v1:{signature_hash}".encode()
    return hmac.new(key.encode(), message, hashlib.sha256).hexdigest()


def sealed_by_a_known_key(decision: Decision) -> bool:
    """Whether the record's keyed hash was made with the current key or an earlier one."""
    keys = [settings.DECISION_SIGNING_KEY, *settings.DECISION_SIGNING_OLD_KEYS]
    return any(
        hmac.compare_digest(decision.signature_mac, seal(decision.signature_hash, key))
        for key in keys
    )


def problems_found(decision: Decision) -> list[str]:
    """What ``verify_decisions`` finds wrong with a signed record, in words (none: intact)."""
    found = []
    if decision.signature_hash != digest(decision):
        found.append("its content no longer gives the SHA-256 it was signed with")
    if not sealed_by_a_known_key(decision):
        found.append(
            "its keyed hash does not match its SHA-256 (the hash was stored by someone "
            "without DECISION_SIGNING_KEY, or the key is not the one it was signed with)"
        )
    if decision.amends is not None and decision.previous_hash != decision.amends.signature_hash:
        found.append("it no longer names the SHA-256 of the version it amends")
    return found


def may_confirm(decision: Decision, user) -> bool:
    """A second clinician who attended the meeting (not the signer) confirms the record."""
    return (
        decision.is_signed
        and user.pk is not None
        and user.pk != decision.signed_by_id
        and user.has_perm("decisions.change_decision")
        and decision.agenda_item.meeting.attendees.filter(user=user).exists()
        and not decision.confirmations.filter(confirmed_by=user).exists()
    )


def confirm(decision: Decision, user) -> Confirmation:
    """Record that ``user`` checked the signed record for accuracy; CannotSign if they may not."""
    with transaction.atomic():
        current = Decision.objects.select_for_update().get(pk=decision.pk)
        if not may_confirm(current, user):
            raise CannotSign(WHO_CONFIRMS)
        return Confirmation.objects.create(
            decision=current, confirmed_by=user, confirmed_at=timezone.now()
        )
