"""Guideline concordance of one board decision, as the literature measures it.

Pure: no ORM. The definitions are ``shared/content/concordance.md`` §2, not the code's:

- the board judges only the recommendations whose decision scope is *board* and that
  applied when the record was frozen; board items that *may* apply are frozen as
  **pending**, with the facts that would decide them; care-pathway items are one line;
- each judged item is followed, already done (counts as followed), an alternative chosen
  (another item of its ``alternatives`` group was followed), not followed (with a coded
  reason) or not relevant (with words; left out of the count, its share reported);
- each decision gets one **class**: concordant, conditionally concordant, discordant (with
  the reasons' groups), or not assessed.

Proposals: the plan's modalities propose a judgement for each item (followed when the
plan carries one of its ``plan_modalities``, not followed when one of its
``contradicted_by``); the board confirms or changes each.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

# Judgements (decisions.models.Judgement holds their words).
FOLLOWED = "followed"
ALREADY_DONE = "already_done"
ALTERNATIVE_CHOSEN = "alternative_chosen"
NOT_FOLLOWED = "not_followed"
NOT_RELEVANT = "not_relevant"
# As the guideline asks: the care is concordant.
SATISFIED = frozenset({FOLLOWED, ALREADY_DONE, ALTERNATIVE_CHOSEN})

# How a row entered the record.
APPLIES = "applies"
PENDING = "pending"

# Classes of a decision.
CONCORDANT = "concordant"
CONDITIONAL = "conditional"
DISCORDANT = "discordant"
NOT_ASSESSED = "not_assessed"
CLASS_WORDS = {
    CONCORDANT: "concordant",
    CONDITIONAL: "conditionally concordant",
    DISCORDANT: "discordant",
    NOT_ASSESSED: "not assessed",
}
# The groups of the reasons for not following (concordance.md §2), in report order.
REASON_GROUPS = {
    "patient": "patient (preference, comorbidity, contraindication)",
    "trial": "clinical trial",
    "guideline": "guideline outdated",
    "judgement": "clinical judgement or other",
}
RECOMMENDATION_MADE = "recommendation"
TRIAL_GROUP = "trial"  # the reasons for not following that are a clinical trial


@dataclass(frozen=True)
class Row:
    """One judged (or pending) item of a record, as this module reads it."""

    statement: str
    frozen_as: str = APPLIES
    judgement: str = ""
    reason_group: str = ""  # the not-followed reason's group
    plan_modalities: tuple[str, ...] = ()
    contradicted_by: tuple[str, ...] = ()
    alternatives: str = ""


@dataclass(frozen=True)
class Verdict:
    """A decision's class, the groups of its deviations, and why, in words."""

    klass: str
    reason_groups: tuple[str, ...] = ()  # one per item not followed, in row order
    why: str = ""
    complete: bool = True  # False: a draft with items still to judge (a preview)

    @property
    def words(self) -> str:
        words = CLASS_WORDS[self.klass]
        if self.klass == DISCORDANT and self.reason_groups:
            groups = sorted(set(self.reason_groups), key=list(REASON_GROUPS).index)
            words += " (" + "; ".join(REASON_GROUPS[group] for group in groups) + ")"
        return words


def classify(outcome: str, rows: Sequence[Row], asks_for_investigation: bool) -> Verdict:
    """The class of one decision (``concordance.md`` §2).

    ``asks_for_investigation``: whether the plan has a modality that is an investigation
    (imaging, biopsy, molecular testing), which makes a decision with pending items
    *conditionally* concordant: concordant depending on what it asked for.
    """
    if outcome != RECOMMENDATION_MADE:
        return Verdict(NOT_ASSESSED, why="no recommendation was made (deferred or noted)")
    applying = [row for row in rows if row.frozen_as == APPLIES]
    pending = [row for row in rows if row.frozen_as == PENDING]
    if not applying and not pending:
        return Verdict(NOT_ASSESSED, why="no board item applied or was pending")
    complete = all(row.judgement for row in applying)
    deviations = [row for row in applying if row.judgement == NOT_FOLLOWED]
    if deviations:
        return Verdict(
            DISCORDANT,
            tuple(row.reason_group or "judgement" for row in deviations),
            f"{len(deviations)} of the board items not followed",
            complete,
        )
    satisfied = [row for row in applying if row.judgement in SATISFIED]
    if pending and asks_for_investigation:
        return Verdict(
            CONDITIONAL,
            why=f"{len(pending)} item(s) pending, and the plan asks for the investigations",
            complete=complete,
        )
    if satisfied:
        return Verdict(CONCORDANT, why="every board item followed", complete=complete)
    if pending:
        why = "only pending items, and the plan asks for no investigation to decide them"
    else:
        why = "every board item judged not relevant" if complete else "no item judged yet"
    return Verdict(NOT_ASSESSED, why=why, complete=complete)


def proposals(rows: Sequence[Row], plan: Iterable[str]) -> list[str]:
    """The judgement the plan proposes for each row ("" for none): not followed when the
    plan carries a modality that goes against the item, followed when it carries one
    that carries it out; an item whose ``alternatives`` group has another item followed
    (judged or proposed) is "alternative chosen". Pending rows get none."""
    plan = set(plan)
    proposed = []
    for row in rows:
        if row.frozen_as != APPLIES:
            proposed.append("")
        elif set(row.contradicted_by) & plan:
            proposed.append(NOT_FOLLOWED)
        elif set(row.plan_modalities) & plan:
            proposed.append(FOLLOWED)
        else:
            proposed.append("")
    chosen = {
        row.alternatives
        for row, proposal in zip(rows, proposed, strict=True)
        if row.alternatives and FOLLOWED in (row.judgement, proposal)
    }
    return [
        ALTERNATIVE_CHOSEN
        if not proposal
        and row.frozen_as == APPLIES
        and row.alternatives in chosen
        and row.judgement != FOLLOWED
        else proposal
        for row, proposal in zip(rows, proposed, strict=True)
    ]


def contradictions(rows: Sequence[Row], plan: Iterable[str], names: Mapping[str, str]) -> list[str]:
    """Where the plan and the judgements disagree, in words, for the chair to confirm
    before signing (``names``: modality code -> name)."""
    plan = set(plan)

    def named(codes: Iterable[str]) -> str:
        return " or ".join(names.get(code, code) for code in codes)

    found = []
    for row in rows:
        if row.frozen_as != APPLIES:
            continue
        against = [code for code in row.contradicted_by if code in plan]
        carried = [code for code in row.plan_modalities if code in plan]
        if row.judgement == FOLLOWED and against:
            found.append(f"the plan has {named(against)}, which goes against “{row.statement}”, "
                         "marked followed")  # fmt: skip
        elif row.judgement == FOLLOWED and row.plan_modalities and not carried:
            found.append(f"the plan has no {named(row.plan_modalities)}, but “{row.statement}” "
                         "is marked followed")  # fmt: skip
        elif row.judgement == NOT_FOLLOWED and carried:
            found.append(f"the plan has {named(carried)}, but “{row.statement}” is marked not "
                         "followed")  # fmt: skip
        elif row.judgement == ALTERNATIVE_CHOSEN and not any(
            other.alternatives == row.alternatives and other.judgement == FOLLOWED
            for other in rows
            if other is not row
        ):
            found.append(f"“{row.statement}” is marked as an alternative chosen, but no other "
                         "item of its group is followed")  # fmt: skip
    return found
