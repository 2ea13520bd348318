"""Making and saving a decision record: what the board saw is frozen into it."""

from __future__ import annotations

from django.db import transaction

from cases.overview import overview
from decisions.models import Concordance, Decision
from guidelines import snapshot
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
        decision = Decision.objects.filter(agenda_item=item).first()
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
    decision.shown = {
        "facts": [
            [section, [[row.spec.label, str(row)] for row in rows]] for section, rows in seen.known
        ],
        "case_version": case.version,
        "content_version": list(content.version),
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


def save(decision: Decision, form, concordance, actions, user) -> Decision:
    """Save a draft from its forms in one transaction; StaleDecision on an old version."""
    with transaction.atomic():
        current = Decision.objects.select_for_update().get(pk=decision.pk)
        if current.version != form.cleaned_data.get("version"):
            raise StaleDecision(current)
        record = form.save(commit=False)
        record.version = current.version + 1
        record.updated_by = user
        record.save()
        form.save_m2m()
        concordance.save()
        actions.save()
    return record
