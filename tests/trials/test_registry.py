"""Reading a study record saved from ClinicalTrials.gov (API v2)."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.trials.records import ELIGIBILITY, saved
from trials import registry
from trials.models import TrialStatus


def test_a_record_gives_the_trial_and_each_bullet_as_one_criterion():
    trial = registry.read(saved())
    assert trial.identifier == "NCT09999991"
    assert trial.title.startswith("A randomised trial of therapy")  # the official title
    assert (trial.status, trial.phase) == (TrialStatus.RECRUITING, "Phase 2, Phase 3")
    assert trial.conditions == "Colorectal Liver Metastases"
    assert (
        trial.arms
        == "Therapy first — EXPERIMENTAL: Three months, then resection.\nResection first — ACTIVE_COMPARATOR"
    )
    assert (trial.principal_investigator, trial.contact) == (
        "Dr. Principal",
        "Trial office · +41 00 000 00 00",
    )
    assert trial.registry_version == "2026-10-01"
    assert [(c.kind, c.text, c.rule) for c in trial.criteria] == [
        ("inclusion", "Histologically confirmed adenocarcinoma of the colon or rectum", ""),
        ("inclusion", "Liver metastases judged resectable by a multidisciplinary board", ""),
        ("inclusion", "ECOG performance status 0–1", ""),
        # A nested bullet belongs to the one above it.
        ("inclusion", "Adequate organ function:\n– Absolute neutrophil count ≥ 1.5 × 10⁹/L\n"
                      "– Bilirubin ≤ 1.5 × ULN", ""),
        ("inclusion", "Patients of Zürich and Besançon sites sign the local consent", ""),
        ("exclusion", "Extrahepatic disease", ""),
        ("exclusion", "Pregnancy or breastfeeding", ""),
        # Sex and age are data in the record: rules at once.
        ("inclusion", "Age: 18 Years or older (the registry record)", "age_years >= 18"),
        ("inclusion", "Age: 80 Years or younger (the registry record)", "age_years <= 80"),
    ]  # fmt: skip


def test_sex_and_ages_in_other_units_become_rules_and_missing_fields_are_left_empty():
    trial = registry.read(saved(**{
        "eligibilityModule.sex": "FEMALE", "eligibilityModule.minimumAge": "6 Months",
        "eligibilityModule.maximumAge": None, "designModule": None, "conditionsModule": None,
        "armsInterventionsModule": None, "contactsLocationsModule": None,
        "statusModule.lastUpdatePostDateStruct": None, "identificationModule.officialTitle": None,
    }))  # fmt: skip
    assert trial.title == "Therapy before liver resection"  # the brief title, then
    assert (trial.phase, trial.conditions, trial.arms, trial.contact, trial.registry_version) == (
        "",
        "",
        "",
        "",
        "",
    )
    assert [(c.text, c.rule) for c in trial.criteria[-2:]] == [
        ("Sex: female (the registry record)", "sex = female"),
        ("Age: 6 Months or older (the registry record)", "age_years >= 0.5"),
    ]


def test_criteria_without_headers_are_inclusion_criteria_and_loose_text_is_one():
    assert [(c.kind, c.text) for c in registry.criteria("* Age over 18\n* Signed consent")] == [
        ("inclusion", "Age over 18"), ("inclusion", "Signed consent"),
    ]  # fmt: skip
    assert [(c.kind, c.text) for c in registry.criteria("Adults with liver metastases.\nNo HIV.")] == [
        ("inclusion", "Adults with liver metastases.\nNo HIV."),
    ]  # fmt: skip
    assert registry.criteria("") == []


@given(
    st.lists(st.text(st.characters(blacklist_categories=("Cs", "Cc", "Zl", "Zp")), min_size=1)
             .map(lambda t: " ".join(t.split())).filter(bool), max_size=8),
    st.lists(st.text(st.characters(blacklist_categories=("Cs", "Cc", "Zl", "Zp")), min_size=1)
             .map(lambda t: " ".join(t.split())).filter(bool), max_size=8),
)  # fmt: skip
def test_any_bullets_under_their_headers_come_back_as_written(inclusion, exclusion):
    """Whatever the words (any script, symbols, a word like "Inclusion"), each bullet is one
    criterion of its block, in order, as written."""
    text = "Inclusion Criteria:\n\n" + "".join(f"* {t}\n" for t in inclusion)
    text += "\nExclusion Criteria:\n\n" + "".join(f"* {t}\n" for t in exclusion)
    found = [(c.kind, c.text) for c in registry.criteria(text)]
    expected = [("inclusion", t) for t in inclusion] + [("exclusion", t) for t in exclusion]
    # A bullet whose words are themselves a header line would be read as the header.
    if any(registry.HEADER.match(t) for t in inclusion + exclusion):
        return
    assert found == expected


@pytest.mark.parametrize(("data", "message"), [
    (b"{not json", "The file is not JSON"),
    (b"\xff\xfe", "The file is not JSON"),
    (json.dumps({"studies": []}).encode(), "several studies"),
    (json.dumps({"nctId": "NCT1"}).encode(), "No protocolSection"),
    (json.dumps([1, 2]).encode(), "No protocolSection"),
    (saved(**{"identificationModule.nctId": None}), "no identificationModule.nctId"),
])  # fmt: skip
def test_a_file_that_is_not_a_record_is_refused_saying_why(data, message):
    with pytest.raises(registry.NotARecord, match=message):
        registry.read(data)


def test_a_search_result_holding_one_study_and_an_unknown_status_are_read():
    one = {"studies": [json.loads(saved(**{"statusModule.overallStatus": "SOMETHING_NEW"}))]}
    trial = registry.read(json.dumps(one))
    assert (trial.identifier, trial.status) == ("NCT09999991", TrialStatus.UNKNOWN)
    assert ELIGIBILITY.splitlines()[2].removeprefix("* ") == trial.criteria[0].text
