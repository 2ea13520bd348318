"""The case section's cheaper layout (fact groups in a grid, fixed table layouts) keeps
every fact, and a long list of facts still runs on over the page break."""

from __future__ import annotations

import pytest

from cases.summary import render_case_summary
from guidelines import snapshot
from guidelines.facts import BOOLEAN, DATE, ENUM, INTEGER, MULTI, NUMBER
from tests.factories import make_case
from tests.helpers import pdf_text

pytestmark = [pytest.mark.django_db, pytest.mark.slow]


def every_fact() -> dict:
    """A value for every fact a liver case can have entered (the first choice, the
    lowest number), so that the known facts are as long as they can be."""
    values = {}
    for spec in snapshot.current().by_slug("liver").catalogue.values():
        if spec.section == "scores" or spec.name in ("sex", "age_years"):
            continue
        if spec.kind == BOOLEAN:
            values[spec.name] = True
        elif spec.kind == ENUM:
            values[spec.name] = next(v for v, _ in spec.choices if v not in spec.not_known_values)
        elif spec.kind == MULTI:
            values[spec.name] = (
                [spec.choices[-1][0]] if spec.choices[-1][0] != "none" else [spec.choices[0][0]]
            )
        elif spec.kind == DATE:
            values[spec.name] = "2025-01-15"
        elif spec.kind in (INTEGER, NUMBER):
            values[spec.name] = int(spec.minimum or 1) or 1
    return values


def test_every_known_fact_is_printed_and_the_list_runs_over_pages():
    case = make_case(facts=every_fact())
    pages = pdf_text(render_case_summary(case).pdf)
    text = " ".join(" ".join(page.split()) for page in pages)
    catalogue = snapshot.for_case(case).catalogue
    missing = [
        catalogue[name].label
        for name in case.facts
        if " ".join(catalogue[name].label.split()) not in text
    ]
    assert missing == []
    facts_pages = [
        n for n, page in enumerate(pages) if "Known facts" in page or "MOLECULAR PROFILE" in page
    ]
    assert len(pages) > 1 and facts_pages
