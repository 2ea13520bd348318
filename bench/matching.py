"""Benchmark: matching one case against recommendations.

Prints the median time to match one case against the 54 published
recommendations of the shipped content, and against 5,000 synthetic
recommendations of similar shape (the real conditions with their values
redrawn from each fact's allowed values, plus random combinations of 1-5
comparisons), in microseconds per recommendation. Conditions are compiled once
(the first, "cold" run) and reused, as in the application.

Run after `make setup`:  .venv/bin/python bench/matching.py
"""

from __future__ import annotations

import os
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

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
    synthetic = synthetic_rules(real, catalogue, 5000, rng)
    assert all(not conditions.validate(r.condition, catalogue) for r in synthetic[:500])

    print(f"Matching one case ({len(CASE)} known facts); median of {REPEATS} warm runs.")
    print(f"{'recommendations':>16} {'cold ms':>9} {'median ms':>10} {'µs / rec':>9}")
    for label, rules in ((f"{len(real)} published", real), ("5,000 synthetic", synthetic)):
        cold, median = timed(rules, catalogue)
        print(
            f"{label:>16} {cold * 1e3:9.2f} {median * 1e3:10.3f} {median / len(rules) * 1e6:9.2f}"
        )
    worked_up = with_lesions()
    print(f"The same case worked up ({len(LESIONS)} lesions, liver values, dates): derived "
          "facts and scores computed inside the match.")  # fmt: skip
    for label, rules in ((f"{len(real)} published", real), ("5,000 synthetic", synthetic)):
        cold, median = timed(rules, catalogue, worked_up)
        print(
            f"{label:>16} {cold * 1e3:9.2f} {median * 1e3:10.3f} {median / len(rules) * 1e6:9.2f}"
        )
    lesion_cost = median_of(lambda: scores.lesion_facts(LESIONS))
    derive_cost = median_of(lambda: derived.with_derived(worked_up, catalogue))
    print(
        f"Derived facts alone, per case: the lesion table's {lesion_cost * 1e6:.1f} µs, every "
        f"derivation and score {derive_cost * 1e6:.1f} µs "
        f"({derive_cost / len(real) * 1e6:.2f} µs per published recommendation)"
    )
    area = liver.area.pk
    loaded = median_of(
        lambda: matching.match(CASE, Recommendation.objects.in_area(area).rules(), catalogue), 50
    )
    print(
        f"Loading the published recommendations from PostgreSQL ({len(queries)} query) and "
        f"matching: median {loaded * 1e3:.2f} ms"
    )
    kept = median_of(lambda: snapshot.matches_for(CASE, snapshot.current().of(area)))
    print(
        "The one entry point with the content kept (snapshot.current: one version query; "
        f"then matches_for): median {kept * 1e3:.2f} ms"
    )
    # The content built again from PostgreSQL, as after an edit.
    rebuilt = median_of(
        lambda: snapshot.matches_for(CASE, snapshot.current().of(area)),
        20,
        before=snapshot._current.clear,
    )
    print(
        "The one entry point after a content change (the content read from PostgreSQL and "
        f"built again, then matches_for): median {rebuilt * 1e3:.2f} ms"
    )
    results = matching.match(CASE, real, catalogue)
    explained = median_of(lambda: matching.present(results, catalogue))
    print(
        f"The explanations alone (Why trees of {len(real)} results, in words): median "
        f"{explained * 1e3:.2f} ms"
    )
    panel = median_of(lambda: matching.panel(CASE, real, catalogue))
    print(
        f"The whole panel for {len(real)} published (matching, Why trees, groups, deciding "
        f"facts, site coverage): median {panel * 1e3:.2f} ms"
    )
    print(
        "Targets: ≤ 20 µs per recommendation; the worked-up case with 10 lesions, derived "
        "facts included, ≤ 5 µs per recommendation."
    )


if __name__ == "__main__":
    main()
