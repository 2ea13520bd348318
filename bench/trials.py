"""Benchmark: screening a case against 500 trials of 15 criteria each (issue 29).

Builds 500 recruiting trials in the liver area, each with 15 criteria: 12 with a rule
(redrawn from the shipped recommendations' conditions, so of the same shape and facts)
and 3 to check by hand, in a transaction rolled back at the end. Prints, CPU beside wall
time (medians):

- floor: every rule's compiled three-valued function (``decide``) called bare on the
  case's facts;
- screening: ``trials.screening.screen`` (each criterion's outcome, the facts a "not known"
  waits for, by their labels, and the verdict), the list already read;
- the list read again (after an edit): ``trials.screening.listed``, 7,500 criteria;
- the case page's part: ``trials.screening.for_case`` with the list kept (one query).

Target: the case page's part <= 30 ms (the matching panel's at 5,000 recommendations).

Run after `make setup`:  .venv/bin/python bench/trials.py
"""

from __future__ import annotations

import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from figures import django_setup, figure, summary, timed  # noqa: E402

TRIALS, CRITERIA, BY_HAND = 500, 15, 3


def main() -> None:
    django_setup()
    from django.db import transaction

    from cases.models import Case
    from cases.overview import overview
    from guidelines import snapshot
    from guidelines.derived import engine_values
    from guidelines.matching import compile_condition
    from trials import screening
    from trials.models import Criterion, Trial

    content = snapshot.named_area("liver")
    conditions = [rule.condition for rule in content.rules if rule.condition]
    rng = random.Random(29)
    with transaction.atomic():
        trials = Trial.objects.bulk_create(
            Trial(area_id=content.area.pk, identifier=f"BENCH-{n:04d}", title=f"Bench trial {n}")
            for n in range(TRIALS)
        )
        Criterion.objects.bulk_create(
            Criterion(trial=trial, kind=rng.choice(["inclusion", "exclusion"]), position=p,
                      text=f"Criterion {p}", rule="" if p < BY_HAND else rng.choice(conditions))
            for trial in trials for p in range(CRITERIA)
        )  # fmt: skip
        case = Case.objects.filter(area_id=content.area.pk).order_by("pk").first()
        if case is None:
            sys.exit("No liver case: run `make setup` (it loads the demo cases).")
        seen = overview(case)
        values = engine_values(seen.values, seen.catalogue)
        listed = screening.listed(content.area.pk)
        rules = [compile_condition(c.rule) for t in listed for c in t.criteria if c.rule]
        print(f"{len(listed)} trials, {sum(len(t.criteria) for t in listed)} criteria "
              f"({len(rules)} with a rule), case {case.pk}")  # fmt: skip

        def floor():
            for rule in rules:
                rule.decide(values)

        bare = timed(floor, 30)
        figure("floor: each rule's compiled function", bare)
        figure("screening, the list read", timed(lambda: screening.screen(seen.values, seen.catalogue, listed), 30),
               floor=bare)  # fmt: skip

        def read_again():
            screening._cache.clear()
            return screening.listed(content.area.pk)

        figure("the list read again (after an edit)", timed(read_again, 5), floor=bare)
        figure("the case page's part (list kept)", timed(lambda: screening.for_case(seen), 30),
               floor=bare, ms_target=30)  # fmt: skip
        found = screening.for_case(seen)
        print(f"  possible candidates: {len(found.candidates)}; ruled out: {len(found.ruled_out)}")
        transaction.set_rollback(True)
    summary()


if __name__ == "__main__":
    main()
