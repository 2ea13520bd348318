"""The match panel shows what a board discusses: groups, deciding facts, Why, coverage."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from guidelines import matching, snapshot
from tests.factories import make_case
from tests.helpers import liver_content

pytestmark = pytest.mark.django_db


def test_may_apply_items_waiting_for_the_same_fact_are_one_group(clinician_client):
    case = make_case(facts={"primary_site": "colorectal", "planned_procedure": "undecided"})
    page = clinician_client.get(case.get_absolute_url()).content.decode()
    groups = re.findall(
        r'<details class="missing-group"[^>]*>\s*<summary>(.*?)</summary>', page, re.S
    )
    assert any(
        summary.startswith("Enter Planned procedure to decide: 17 recommendations")
        for summary in groups
    ), groups
    perioperative = next(g for g in groups if g.startswith("Enter Planned procedure to decide"))
    assert "(Perioperative care 15, Surgical interventions 2)" in perioperative


def test_the_deciding_facts_are_complete_and_ordered_by_how_much_they_decide():
    catalogue = snapshot.catalogue()
    panel = matching.panel({"sex": "male"}, liver_content().rules, catalogue)
    counts = [count for _, count in panel.deciding]
    assert counts == sorted(counts, reverse=True)
    labels = [label for label, _ in panel.deciding]
    assert labels[0] == "Planned procedure"
    assert "Pregnant" not in labels  # does not apply to a man
    every_missing = {name for m in panel.may_apply for name in m.match.missing}
    assert len(labels) == len(every_missing)


def test_why_shows_an_or_as_one_part_with_its_alternatives(clinician_client):
    case = make_case(facts={"planned_procedure": "hepatectomy", "alcohol_g_per_day": 30})
    page = clinician_client.get(case.get_absolute_url()).content.decode()
    card = page[page.index('id="match-pc-alcohol-cessation"') :]
    card = card[: card.index("</article>")]
    assert 'id="why-pc-alcohol-cessation"' in card
    assert "Any of these:" in card and card.count('class="why-nested"') >= 2
    assert card.index("Planned procedure is Hepatectomy") < card.index("Any of these:")


def test_a_site_without_specific_content_says_so(clinician_client):
    case = make_case(facts={"primary_site": "pancreatic"})
    page = clinician_client.get(case.get_absolute_url()).content.decode()
    assert "no recommendations yet that are specific to liver metastases from this primary" in (
        page
    )
    assert "(Pancreatic)" in page
    covered = make_case(patient=case.patient, facts={"primary_site": "colorectal"})
    assert "specific to liver metastases" not in (
        clinician_client.get(covered.get_absolute_url()).content.decode()
    )


def test_only_inputs_that_conditions_read_refresh_the_panel(clinician_client):
    page = clinician_client.get(reverse("cases:case_create")).content.decode()
    assert 'hx-trigger="change from:[data-facts], keyup delay:500ms from:[data-facts]"' in page
    for name in ("fact_planned_procedure", "sex", "date_of_birth", "referral_date"):
        control = re.search(rf'<(?:select|input)[^>]*name="{name}"[^>]*>', page).group()
        assert "data-facts" in control, name
    for name in ("patient_name", "mrn", "referring_clinician"):
        control = re.search(rf'<input[^>]*name="{name}"[^>]*>', page).group()
        assert "data-facts" not in control, name
    assert 'name="question"' in page and not re.search(r"<textarea[^>]*data-facts", page)
