"""Benchmark: matching one case against recommendations.

Prints the median CPU time (beside wall time) to match one case against the published
recommendations of the shipped content, and against 5,000 synthetic recommendations of
similar shape (the real conditions with their values redrawn from each fact's allowed
values, plus random combinations of 1-5 comparisons). Conditions are compiled once
(the first, "cold" run) and reused, as in the application.

The floor: every condition's compiled three-valued function (``decide``: a comparison,
"not", "and", "or" as closures, nothing else) called bare on the case's facts, with no
result kept; the engine's cost beyond it is making, grouping and ordering the results.
Targets (issue 28): the engine (``matching.match``) within 3x the floor at 5,000; the
whole panel (``matching.panel``: matching, groups, deciding facts, site coverage) at
5,000 <= 30 ms; at the published recommendations nothing slower than before (measured
on the commit before issue 28's matching change, the same way: the panel 1.1 ms CPU,
and 1.1 ms with every card's explanation read, as now).

Run after `make setup`:  .venv/bin/python bench/matching.py
"""

from __future__ import annotations

import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))
from figures import django_setup, figure, summary  # noqa: E402
from figures import timed as timed_figure  # noqa: E402

django_setup()

from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from guidelines import conditions, derived, matching, scores, snapshot  # noqa: E402
from guidelines.facts import BOOLEAN, CHOICE_KINDS, DATE, INTEGER  # noqa: E402
from guidelines.models import Recommendation  # noqa: E402

REPEATS = 200
CASE = {
    "primary_site": "colorectal",
    "tumor_sidedness": "left",
    "liver_metastases": "confirmed",
    "resectability": "resectable",
    "planned_procedure": "hepatectomy",
    "ras_status": "not_tested",
    "smoker_current": True,
    "alcohol_g_per_day": 40,
    "sex": "male",
    "age_years": 64,
    "nutrition_status": "adequate",
}


# The same case with a liver work-up: 10 lesions in the table and the values the scores read.
LESIONS = [
    scores.Lesion((segment,), size, None)
    for segment, size in zip(
        ("II", "III", "IVa", "IVb", "V", "VI", "VII", "VIII", "VI", "II"),
        (12, 34, 8, 21, 55, 17, 9, 40, 26, 14),
        strict=True,
    )
]
WORKED_UP = {
    **CASE,
    "primary_node_positive": True, "cea_ng_ml": 240, "ecog": 1,
    "primary_diagnosis_date": "2025-01-10", "liver_metastases_diagnosis_date": "2025-06-01",
    "serum_bilirubin_umol_l": 20, "albumin_g_l": 40, "inr": 1.1, "ascites": "none",
    "encephalopathy": "none", "height_cm": 180, "weight_kg": 80, "flr_volume_ml": 560,
    "cirrhosis": False, "neoadjuvant_therapy_given": True,
}  # fmt: skip


def random_value(spec, rng):
    if spec.kind == BOOLEAN:
        return rng.choice(["true", "false"])
    if spec.kind in CHOICE_KINDS:
        return rng.choice([value for value, _ in spec.choices])
    low = spec.minimum if spec.minimum is not None else 0
    high = spec.maximum if spec.maximum is not None else 100
    number = rng.uniform(low, high)
    return str(int(number)) if spec.kind == INTEGER else f"{number:.1f}"


def random_comparison(catalogue, rng) -> str:
    spec = rng.choice([spec for spec in catalogue.values() if spec.kind != DATE])
    if spec.kind in CHOICE_KINDS and rng.random() < 0.3:
        values = rng.sample([v for v, _ in spec.choices], k=min(2, len(spec.choices)))
        return f"{spec.name} in [{', '.join(values)}]"
    operator = rng.choice([">", ">=", "<", "<="]) if spec.is_numeric else "="
    return f"{spec.name} {operator} {random_value(spec, rng)}"


def redraw(text: str, catalogue, rng) -> str:
    """A real condition with every compared value redrawn: same shape, other values."""
    tree = conditions.parse(text)
    for comparison in reversed(conditions.comparisons(tree)):
        spec = catalogue[comparison.fact]
        for literal in reversed(comparison.values):
            start = literal.position
            end = start + len(str(literal))
            text = text[:start] + random_value(spec, rng) + text[end:]
    return text


def synthetic_rules(real, catalogue, count, rng) -> list[matching.Rule]:
    rules = []
    for n in range(count):
        if n % 2 and real:
            condition = redraw(rng.choice(real).condition, catalogue, rng)
        else:
            parts = [random_comparison(catalogue, rng) for _ in range(rng.randint(1, 5))]
            joiner = rng.choice([" and ", " or "])
            condition = joiner.join(parts)
            if len(parts) > 2 and rng.random() < 0.5:
                condition = f"{parts[0]} and ({' or '.join(parts[1:])})"
        rules.append(
            matching.Rule(
                id=f"synthetic-{n:05d}", statement="s", condition=condition, order=(n % 7, n % 11)
            )
        )
    return rules


def timed(rules, catalogue, case=CASE) -> tuple[float, float]:
    """(cold run, median of warm runs) in seconds, for matching a case against rules the
    way pages do (derived facts and "not known" values, with the catalogue). Cold: the
    parse and compile caches and the derivations' per-catalogue cache emptied first."""
    matching.compile_condition.cache_clear()
    conditions.parse.cache_clear()
    for rule in rules:  # each rule keeps its compiled condition after its first match
        rule.__dict__.pop("_compiled", None)
    derived._applicable.clear()
    start = time.perf_counter()
    matching.match(case, rules, catalogue)
    cold = time.perf_counter() - start
    return cold, median_of(lambda: matching.match(case, rules, catalogue))


def with_lesions() -> dict:
    """What ``Case.fact_values`` hands the engine: the entered values and the table's."""
    return {**WORKED_UP, **scores.lesion_facts(LESIONS)}


def median_of(work, repeats=REPEATS, before=None) -> float:
    """The median time of ``work`` in seconds; ``before`` runs untimed before each run."""
    samples = []
    for _ in range(repeats):
        if before:
            before()
        start = time.perf_counter()
        work()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def main() -> None:
    rng = random.Random(20261125)
    liver = snapshot.current().by_slug("liver")
    catalogue = liver.catalogue
    with CaptureQueriesContext(connection) as queries:
        real = Recommendation.objects.in_area(liver.area.pk).rules()
    if not real:
        sys.exit(
            "No published recommendations: run `make setup` (it loads the content pack) first."
        )
    # In digest order once, as the kept content holds them (``snapshot``, ``in_order``).
    real = matching.in_order(real)
    synthetic = matching.in_order(synthetic_rules(real, catalogue, 5000, rng))
    assert all(not conditions.validate(r.condition, catalogue) for r in synthetic[:500])

    print(f"Matching one case ({len(CASE)} known facts); medians of {REPEATS} warm runs.")
    for label, rules in ((f"{len(real)} published", real), ("5,000 synthetic", synthetic)):
        cold, _ = timed(rules, catalogue)
        facts = derived.engine_values(CASE, catalogue)
        functions = [matching.compile_condition(r.condition).decide for r in rules]
        floor = timed_figure(lambda fs=functions, f=facts: [fn(f) for fn in fs], REPEATS)
        print(f"\n{label} (cold, parsing and compiling every condition: {cold * 1e3:.1f} ms)")
        figure("floor: one compiled function a condition", floor)
        engine = timed_figure(lambda r=rules: matching.match(CASE, r, catalogue), REPEATS)
        figure("engine (matching.match)", engine, floor=floor,
               ratio_target=3 if len(rules) >= 5000 else None)  # fmt: skip
        panel = timed_figure(lambda r=rules: matching.panel(CASE, r, catalogue), REPEATS)
        figure("the whole panel (matching.panel)", panel, floor=floor,
               ms_target=30 if len(rules) >= 5000 else None)  # fmt: skip
        print(f"  {engine.cpu / len(rules) * 1e6:.2f} µs CPU per recommendation")
    worked_up = with_lesions()
    print(f"\nThe same case worked up ({len(LESIONS)} lesions, liver values, dates): derived "
          "facts and scores computed inside the match.")  # fmt: skip
    for label, rules in ((f"{len(real)} published", real), ("5,000 synthetic", synthetic)):
        figure(
            f"engine, {label}",
            timed_figure(lambda r=rules: matching.match(worked_up, r, catalogue), REPEATS),
        )
    figure(
        "derived facts alone: the lesion table",
        timed_figure(lambda: scores.lesion_facts(LESIONS), REPEATS),
    )
    figure(
        "derived facts alone: every derivation",
        timed_figure(lambda: derived.with_derived(worked_up, catalogue), REPEATS),
    )
    area = liver.area.pk

    def read_and_match():
        return matching.match(CASE, Recommendation.objects.in_area(area).rules(), catalogue)

    figure(
        f"recommendations read ({len(queries)} query) + matched", timed_figure(read_and_match, 50)
    )
    figure("snapshot.matches_for, content kept",
           timed_figure(lambda: snapshot.matches_for(CASE, snapshot.current().of(area)), REPEATS))  # fmt: skip

    def rebuilt():
        snapshot._current.clear()
        snapshot.matches_for(CASE, snapshot.current().of(area))

    figure("snapshot.matches_for after a content change", timed_figure(rebuilt, 20))
    results = matching.match(CASE, real, catalogue)

    def explained():
        for group in matching.present(results, catalogue).values():
            for shown in group:
                shown.why, shown.why_tree, shown.cautions  # noqa: B018 (the words made)

    figure(f"every explanation in words ({len(real)} results)", timed_figure(explained, REPEATS))
    summary()


if __name__ == "__main__":
    main()
