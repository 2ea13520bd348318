"""Whatever the case, its printed section holds everything its case page shows.

Hypothesis generates cases -- every fact filled or not, questions and summaries from one
line to several pages, 0-15 lesions, long names -- and prints each alone (the case
summary) and inside a meeting pack, on A4 and on US Letter. Poppler reads the PDF back
(``tests.printed``): every fact group and row, every score, every lesion and every
matched recommendation shown on the case page must be in the PDF's text in the page's
order, and nothing but the running header and footer may be drawn in their bands.

A grid of fact groups once lost whole groups of a long case (WeasyPrint does not break
grid items across pages) and printed page 2 over the header; short demo cases printed
correctly, which is why a generated case is the test that matters.

``make test`` tries a few dozen cases with a fixed seed; ``make test-search`` (the
``search`` marker) tries 600 more, at random, in about 6 minutes on two cores.
"""

from __future__ import annotations

import datetime

import pytest
from django.db import transaction
from django.urls import reverse
from hypothesis import HealthCheck, given
from hypothesis import settings as search
from hypothesis import strategies as st
from lxml import html as lxml_html

from cases.models import Modality
from cases.summary import render_case_summary
from liver.models import (
    SEGMENT_CHOICES,
    LocalTreatment,
    VesselRelation,
)
from meetings.handouts import render_meeting_handout
from tests.factories import make_case, make_lesion, make_meeting, make_patient
from tests.helpers import liver_content
from tests.printed import band_problems, missing_in_order, read_pdf

pytestmark = [pytest.mark.django_db, pytest.mark.slow]

EXAMPLES = 6  # per paper size and document: 24 printed cases in `make test`
WORDS = ("The", "patient", "presented", "with", "jaundice;", "CT", "showed", "four", "lesions",
         "in", "segments", "VI/VII.", "CEA", "rose", "from", "12", "to", "240", "ng/mL",
         "after", "FOLFOX", "×", "6", "—", "resection?", "Größe", "zweifelhaft.", "(R0)",
         "hepaticojejunostomy-associated", "cholangitis")  # fmt: skip
LONG_NAME = st.lists(
    st.sampled_from(
        (
            "Maximiliane",
            "Wilhelmina",
            "von",
            "Hohenzollern-Sigmaringen",
            "Ó",
            "Dubois-Lefèvre",
            "Ng",
            "Constantinopolitanische",
            "Jr.",
        )
    ),
    min_size=2,
    max_size=14,
).map(lambda words: " ".join(words)[:200].strip())  # fmt: skip  (names hold 200 characters)


def _text(min_words: int, max_words: int):
    """Prose from a line to several pages, with line breaks now and then."""
    word = st.sampled_from(WORDS) | st.sampled_from(("\n", "\n\n"))
    return st.lists(word, min_size=min_words, max_size=max_words).map(
        lambda words: " ".join(words).strip() or "What next?"
    )


def _value(spec):
    if spec.kind == "boolean":
        return st.booleans()
    if spec.kind == "enum":
        return st.sampled_from(sorted(spec.values))
    if spec.kind == "multi":
        others = sorted(v for v in spec.values if v != "none")
        return st.just(["none"]) | st.lists(st.sampled_from(others), min_size=1, unique=True)
    if spec.kind == "date":
        return st.dates(datetime.date(1990, 1, 1), datetime.date(2026, 11, 30)).map(str)
    low = spec.minimum if spec.minimum is not None else 0
    high = spec.maximum if spec.maximum is not None else 5000
    if spec.kind == "integer":
        return st.integers(int(low), int(high))
    return st.decimals(low, high, places=1).map(float)


def _facts(catalogue):
    entered = [s for s in catalogue.values()
               if not s.computed and s.name not in ("sex", "age_years")]  # fmt: skip
    return st.fixed_dictionaries({}, optional={spec.name: _value(spec) for spec in entered})


LESION = st.fixed_dictionaries(
    {
        "segments": st.lists(
            st.sampled_from([value for value, _ in SEGMENT_CHOICES]),
            min_size=1,
            max_size=3,
            unique=True,
        ),  # fmt: skip
        "diameter_mm": st.none() | st.integers(1, 300),
        "imaging": st.sampled_from(["", *Modality.values]),
        "imaging_date": st.none() | st.dates(datetime.date(2020, 1, 1), datetime.date(2026, 12, 1)),
        "vessels": st.sampled_from(["", *VesselRelation.values]),
        "disappeared": st.none() | st.booleans(),
        "planned_treatment": st.sampled_from(LocalTreatment.values),
    }
)


def _shown_on_the_case_page(page: str) -> list[str]:
    """What the case page shows of the case, in the page's order: the question and
    summary, each fact group with its facts, the scores, the lesions, the matches."""
    tree = lxml_html.fromstring(page)
    main, aside = tree.find_class("case-main")[0], tree.find_class("case-aside")[0]

    def texts(root, path: str) -> list[str]:
        return [" ".join(element.text_content().split()) for element in root.xpath(path)]

    shown = texts(main, ".//p[@class='question']")
    shown += texts(main, ".//section[1]/h2[.='Clinical summary']/following-sibling::p[1]")
    facts = main.get_element_by_id("known-facts")
    for heading in facts.xpath("./h3"):
        shown.append(heading.text_content())
        table = heading.getnext()
        for row in table.xpath(".//tr"):
            shown += texts(row, "./th") + texts(row, ".//span[@class='fact-value']")
    for row in main.xpath(".//table[@class='scores-table']//tr"):
        shown += texts(row, "./th | ./td")
    for row in main.xpath(".//table[@class='lesion-table']/tbody/tr"):
        shown += texts(row, "./th | ./td[not(@class='row-actions')]")
    shown += texts(aside, ".//section[contains(@class, 'group-applies')]//p[@class='statement']")
    shown += texts(aside, ".//section[contains(@class, 'group-may-apply')]//p[@class='statement']")
    return shown


def _print_and_compare(client, data, paper: str, document: str) -> None:
    catalogue = liver_content().catalogue
    facts = data.draw(_facts(catalogue), label="facts")
    sex = data.draw(st.sampled_from(["female", "male", "other", "unknown"]), label="sex")
    with transaction.atomic():
        patient = make_patient(
            mrn="P-1", sex=sex, name=data.draw(LONG_NAME, label="name"),
            date_of_birth=data.draw(st.dates(datetime.date(1920, 1, 1), datetime.date(2008, 1, 1))),
        )  # fmt: skip
        case = make_case(
            patient=patient,
            facts=facts,
            question=data.draw(_text(1, 120), label="question"),
            clinical_summary=data.draw(_text(0, 1500), label="summary"),
            referring_clinician=data.draw(LONG_NAME, label="referrer"),
        )
        rows = data.draw(st.lists(LESION, max_size=15), label="lesions")
        for row in rows:  # each measured at the imaging of its date (a default where none)
            make_lesion(case, **row)
        page = client.get(reverse("cases:case_detail", args=[case.pk]))
        assert page.status_code == 200
        shown = _shown_on_the_case_page(page.content.decode())
        if document == "summary":
            pdf = render_case_summary(case).pdf
            header = None
        else:
            other = make_case(patient=make_patient(mrn="P-2", name="Other Patient"))
            meeting = make_meeting([other, case], board_name="Liver board")
            pdf = render_meeting_handout(meeting).pdf
            header = "Liver board"
        pages = read_pdf(pdf)
        printed = " ".join(page.body_text() for page in pages)
        assert missing_in_order(shown, printed) == []
        first_header = pages[0].band()[0]
        assert header is None or first_header.startswith(header)
        assert band_problems(pages, first_header) == []
        assert all(abs(p.height - (841.89 if paper == "A4" else 792.0)) < 0.1 for p in pages)
        transaction.set_rollback(True)


SLOW = [HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large]


@pytest.mark.parametrize("paper", ["A4", "letter"])
@pytest.mark.parametrize("document", ["summary", "pack"])
@search(max_examples=EXAMPLES, deadline=None, derandomize=True, suppress_health_check=SLOW)
@given(data=st.data())
def test_every_value_on_the_case_page_is_printed_in_order_and_clear_of_the_bands(
    client, clinician, settings, data, paper, document
):
    settings.HANDOUT_PAPER_SIZE = paper
    client.force_login(clinician)
    _print_and_compare(client, data, paper, document)


@pytest.mark.search
@pytest.mark.parametrize("paper", ["A4", "letter"])
@pytest.mark.parametrize("document", ["summary", "pack"])
@search(max_examples=150, deadline=None, suppress_health_check=SLOW)
@given(data=st.data())
def test_a_long_random_search_finds_no_case_printed_incompletely(
    client, clinician, settings, data, paper, document
):
    settings.HANDOUT_PAPER_SIZE = paper
    client.force_login(clinician)
    _print_and_compare(client, data, paper, document)
