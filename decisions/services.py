"""Making and saving a decision record: what the board saw is frozen into it."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from cases.models import CaseStatus
from cases.overview import overview
from cases.services import move_status
from decisions.models import (
    Action,
    Concordance,
    Decision,
    Outcome,
    latest_version,
    record_in_force,
)
from guidelines import matching, snapshot
from meetings.models import AgendaItem


class StaleDecision(Exception):
    """The record was saved by someone else since this form was opened."""

    def __init__(self, current: Decision):
        super().__init__(f"decision {current.pk} is at version {current.version}")
        self.current = current


def start(item: AgendaItem, user) -> Decision:
    """The item's decision record, made now (with what the board sees) if it has none."""
    with transaction.atomic():
        AgendaItem.objects.select_for_update().get(pk=item.pk)  # one record, however many clicks
        decision = latest_version(item.decisions.all())
        if decision is None:
            decision = Decision.objects.create(agenda_item=item, created_by=user, updated_by=user)
            decision = freeze(decision)
    return decision


def freeze(decision: Decision) -> Decision:
    """Store what the board sees now: the known facts and the recommendations that apply,
    each at its exact content version. Judgements already made on a recommendation that
    still applies are kept; rows of recommendations that no longer apply go."""
    with transaction.atomic():
        decision = (
            Decision.objects.select_for_update(of=("self",))
            .select_related("agenda_item__case__patient")
            .get(pk=decision.pk)
        )
        _freeze(decision)
    return decision


def _freeze(decision: Decision) -> None:
    case = decision.agenda_item.case
    content = snapshot.current()
    seen = overview(case, content=content)
    applies = seen.matches.applies
    versions = snapshot.recommendation_versions(item.rule.id for item in applies)
    area = content.of(case.area_id)
    known, read = matching.completeness(seen.values, area.rules, area.catalogue)
    decision.shown = {
        "facts": [
            [section, [[row.spec.label, str(row)] for row in rows]] for section, rows in seen.known
        ],
        "question": case.question,
        "case_version": case.version,
        "content_version": list(content.version),
        # Of the facts the area's recommendations read, how many were known (quality).
        "completeness": [known, read],
    }
    # A new version: a form opened before this refresh is refused, not saved over it.
    decision.version += 1
    decision.save(update_fields=["shown", "version"])
    kept = {row.recommendation: row for row in decision.concordance.all()}
    decision.concordance.exclude(recommendation__in=[item.rule.id for item in applies]).delete()
    for position, item in enumerate(applies, start=1):
        rule = item.rule
        row = kept.get(rule.id) or Concordance(decision=decision, recommendation=rule.id)
        row.position = position
        row.statement = rule.statement
        row.source = rule.source
        row.verification = rule.verification_words
        row.content_version = versions.get(rule.id)
        row.save()


class CannotAmend(Exception):
    """Only the signed record in force is amended, and only with a reason."""


def amend(decision: Decision, user, reason: str) -> Decision:
    """A new draft that corrects the signed ``decision``: the same content to start from
    (what the board saw, judgements, plan, actions), the reason, and the signed hash."""
    reason = reason.strip()
    if not reason:
        raise CannotAmend("Say why the record is amended.")
    with transaction.atomic():
        AgendaItem.objects.select_for_update().get(pk=decision.agenda_item_id)
        signed = Decision.objects.select_related("agenda_item").get(pk=decision.pk)
        versions = list(signed.agenda_item.decisions.all())
        if record_in_force(versions) != signed or latest_version(versions) != signed:
            raise CannotAmend("Only the signed record in force can be amended.")
        fields = (
            "outcome", "intent", "plan", "information_needed", "needed_by",
            "patient_preferences", "dissent", "shown",
        )  # fmt: skip
        amendment = Decision.objects.create(
            agenda_item=signed.agenda_item,
            amends=signed,
            amendment_reason=reason,
            previous_hash=signed.signature_hash,
            created_by=user,
            updated_by=user,
            **{name: getattr(signed, name) for name in fields},
        )
        amendment.modalities.set(signed.modalities.all())
        Concordance.objects.bulk_create(
            Concordance(
                decision=amendment,
                **{
                    field.attname: getattr(row, field.attname)
                    for field in Concordance._meta.concrete_fields
                    if field.attname not in ("id", "decision_id")
                },
            )
            for row in signed.concordance.all()
        )
        Action.objects.bulk_create(
            Action(
                decision=amendment,
                what=action.what,
                owner=action.owner,
                due=action.due,
                done_at=action.done_at,
                done_by_id=action.done_by_id,
            )  # fmt: skip
            for action in signed.actions.all()
        )
    return amendment


def save(decision: Decision, form, concordance, actions, user) -> Decision:
    """Save a draft from its forms in one transaction; StaleDecision on an old version."""
    with transaction.atomic():
        current = Decision.objects.select_for_update().get(pk=decision.pk)
        # Signed since the page was read (signing keeps the version): refused, not a 500.
        if current.version != form.cleaned_data.get("version") or current.is_signed:
            raise StaleDecision(current)
        record = form.save(commit=False)
        record.version = current.version + 1
        record.updated_by = user
        record.save()
        form.save_m2m()
        concordance.save()
        actions.save()
    return record


def mark_done(action: Action, user, *, done: bool) -> None:
    """Mark an action done or not; a case with a signed decision follows: closed once
    every action is done, "actions open" again when one is reopened."""
    with transaction.atomic():
        decision = Decision.objects.select_for_update().get(pk=action.decision_id)
        Action.objects.filter(pk=action.pk).update(
            done_at=timezone.now() if done else None, done_by=user if done else None
        )
        if not decision.is_signed or decision.outcome == Outcome.DEFERRED:
            return
        case_id = AgendaItem.objects.get(pk=decision.agenda_item_id).case_id
        if decision.actions.filter(done_at__isnull=True).exists():
            move_status(case_id, CaseStatus.ACTIONS_OPEN, user, only_from=[CaseStatus.CLOSED])
        else:
            move_status(case_id, CaseStatus.CLOSED, user, only_from=[CaseStatus.ACTIONS_OPEN])
