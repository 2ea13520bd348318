"""Making and saving a decision record: what the board saw is frozen into it."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from cases.models import CaseStatus
from cases.overview import overview
from cases.readiness import meeting_day, readiness_of
from cases.services import move_status
from decisions.models import (
    RECORD_FORMAT,
    Action,
    Concordance,
    Decision,
    FrozenAs,
    Outcome,
    TrialConsidered,
    latest_version,
    record_in_force,
)
from guidelines import matching, snapshot
from guidelines.models import DecisionScope
from meetings.models import AgendaItem
from trials import screening


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
    """What the board judges (concordance.md §2): the *board* items that apply, one row
    each; the board items that may apply, as pending rows with the facts that would decide
    them; the care-pathway items that apply, listed in ``shown`` for the record's one
    pathway line. Each row keeps how its item takes part in the decision, as it read."""
    case = decision.agenda_item.case
    content = snapshot.current()
    seen = overview(case, content=content)
    board = [(item, FrozenAs.APPLIES) for item in seen.matches.applies if _board(item)]
    board += [(item, FrozenAs.PENDING) for item in seen.matches.may_apply if _board(item)]
    pathway = [item for item in seen.matches.applies if not _board(item)]
    versions = snapshot.recommendation_versions(item.rule.id for item, _ in board)
    area = content.of(case.area_id)
    known, read = matching.completeness(seen.values, area.rules, area.catalogue)
    ready = readiness_of(
        case, meeting_day(decision.agenda_item.meeting.starts_at), content=content, seen=seen
    )
    decision.shown = {
        "facts": [
            [section, [[row.spec.label, str(row)] for row in rows]] for section, rows in seen.known
        ],
        "question": case.question,
        "case_version": case.version,
        "content_version": list(content.version),
        # Of the facts the area's recommendations read, how many were known (quality).
        "completeness": [known, read],
        # Whether the case was ready by the area's checklist, as of the meeting (quality).
        "readiness": [ready.state, ready.missing_words] if ready else None,
        "record_format": RECORD_FORMAT,
        # The care-pathway items that applied: judged as one line, not one by one.
        "pathway": [[item.rule.id, item.rule.statement] for item in pathway],
    }
    # A new version: a form opened before this refresh is refused, not saved over it.
    decision.version += 1
    decision.save(update_fields=["shown", "version"])
    kept = {row.recommendation: row for row in decision.concordance.all()}
    decision.concordance.exclude(recommendation__in=[item.rule.id for item, _ in board]).delete()
    rows = []
    for position, (item, frozen_as) in enumerate(board, start=1):
        rule = item.rule
        row = kept.get(rule.id) or Concordance(decision=decision, recommendation=rule.id)
        if frozen_as == FrozenAs.PENDING:  # not judged while it only may apply
            row.judgement, row.reason, row.reason_text = "", None, ""
        row.position = position
        row.frozen_as = frozen_as
        row.pending_on = ", ".join(item.missing_labels) if frozen_as == FrozenAs.PENDING else ""
        row.statement = rule.statement
        row.source = rule.source
        row.verification = rule.verification_words
        row.content_version = versions.get(rule.id)
        row.plan_modalities = list(rule.plan_modalities)
        row.contradicted_by = list(rule.contradicted_by)
        row.alternatives = rule.alternatives
        rows.append(row)
    # Two queries whatever the number of items (a record may hold thirty).
    Concordance.objects.bulk_update([row for row in rows if row.pk], FROZEN_FIELDS)
    Concordance.objects.bulk_create([row for row in rows if not row.pk])
    if not pathway and decision.pathway:
        decision.pathway, decision.pathway_reason = "", ""
        decision.save(update_fields=["pathway", "pathway_reason"])
    _freeze_trials(decision, screening.for_case(seen).candidates)


def _freeze_trials(decision: Decision, candidates) -> None:
    """The trials the patient is a possible candidate for, as they screen now: a row each,
    for the board to say whether it offered the trial. An answer already given on a trial
    still screened is kept; rows of trials no longer screened go."""
    kept = {row.trial_identifier: row for row in decision.trials.all()}
    wanted = [s.trial.identifier for s in candidates]
    decision.trials.exclude(trial_identifier__in=wanted).delete()
    rows = []
    for position, screened in enumerate(candidates, start=1):
        trial = screened.trial
        row = kept.get(trial.identifier) or TrialConsidered(
            decision=decision, trial_identifier=trial.identifier
        )
        row.position = position
        row.title = trial.title[:500]
        row.screening = f"{screened.verdict}: {screened.summary}"[:300]
        rows.append(row)
    TrialConsidered.objects.bulk_update(
        [row for row in rows if row.pk], ["position", "title", "screening"]
    )
    TrialConsidered.objects.bulk_create([row for row in rows if not row.pk])


FROZEN_FIELDS = (
    "judgement", "reason", "reason_text", "position", "frozen_as", "pending_on", "statement",
    "source", "verification", "content_version", "plan_modalities", "contradicted_by",
    "alternatives",
)  # fmt: skip


def _board(item) -> bool:
    return item.rule.decision_scope != DecisionScope.PATHWAY


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
            "outcome", "intent", "plan", "information_needed", "deferral_reason", "needed_by",
            "patient_preferences", "dissent", "shown", "pathway", "pathway_reason",
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
        Concordance.objects.bulk_create(_copies(signed.concordance.all(), amendment))
        TrialConsidered.objects.bulk_create(_copies(signed.trials.all(), amendment))
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


def _copies(rows, decision: Decision) -> list:
    """Rows of a record as they are, for another record (an amendment)."""
    rows = list(rows)
    if not rows:
        return []
    model = type(rows[0])
    names = [
        f.attname for f in model._meta.concrete_fields if f.attname not in ("id", "decision_id")
    ]
    return [
        model(decision=decision, **{name: getattr(row, name) for name in names}) for row in rows
    ]


def save(decision: Decision, form, concordance, actions, user, trials=None) -> Decision:
    """Save a draft from its forms in one transaction; StaleDecision on an old version."""
    with transaction.atomic():
        current = (
            Decision.objects.select_for_update()
            .only("version", "status", "updated_at", "updated_by")  # not its snapshot
            .get(pk=decision.pk)
        )
        # Signed since the page was read (signing keeps the version): refused, not a 500.
        if current.version != form.cleaned_data.get("version") or current.is_signed:
            raise StaleDecision(current)
        record = form.save(commit=False)
        record.version = current.version + 1
        record.updated_by = user
        # Only what the form edits: the record's frozen snapshot is not written again.
        edited = [f.name for f in Decision._meta.concrete_fields if f.name in form.fields]
        record.save(update_fields=[*edited, "version", "updated_by", "updated_at"])
        if "modalities" in form.changed_data:  # setting them reads them first
            form.save_m2m()
        # The rows changed, in one statement whatever their number (each form has set its
        # row's fields already; row-by-row saves cost several queries a row, per autosave).
        changed = [row.instance for row in concordance.forms if row.has_changed()]
        Concordance.objects.bulk_update(changed, ["judgement", "reason", "reason_text"])
        if trials is not None and trials.is_bound:
            answered = [row.instance for row in trials.forms if row.has_changed()]
            TrialConsidered.objects.bulk_update(answered, ["offered", "reason", "reason_text"])
        actions.save()
    return record


def accept_proposals(decision: Decision, user, version: int) -> int:
    """Take the plan's proposal (``Decision.proposals``) for every judged row not marked
    yet; rows already marked keep the board's judgement. StaleDecision on an old version.
    Returns how many rows it marked."""
    with transaction.atomic():
        current = Decision.objects.select_for_update(of=("self",)).with_rows().get(pk=decision.pk)
        if current.version != version or current.is_signed:
            raise StaleDecision(current)
        proposed = current.proposals()
        rows = [
            row for row in current.concordance.all() if not row.judgement and proposed.get(row.pk)
        ]
        for row in rows:
            row.judgement = proposed[row.pk]
        Concordance.objects.bulk_update(rows, ["judgement"])
        current.version += 1
        current.updated_by = user
        current.save(update_fields=["version", "updated_by", "updated_at"])
    return len(rows)


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
