"""Pseudonymised text: whole words only, and every common way of writing an identifier."""

from __future__ import annotations

import datetime

import pytest

from cases.pseudonym import scrub, scrub_segments
from cases.summary import build_section
from tests.factories import make_case, make_patient

pytestmark = pytest.mark.django_db


@pytest.fixture
def case():
    patient = make_patient(
        name="Li Wei Müller", mrn="AB-123/456", date_of_birth=datetime.date(1953, 11, 30)
    )
    return make_case(patient=patient)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # name parts are replaced as whole words only, in any script and case
        ("Bilirubin raised; Li is jaundiced.", "Bilirubin raised; LWM is jaundiced."),
        ("Seen by Dr. Müllerson, not MÜLLER.", "Seen by Dr. Müllerson, not LWM."),
        ("Mr Wei's CT", "Mr LWM's CT"),
        ("Li Wei Müller, 2nd opinion", "LWM, 2nd opinion"),
        ("wei bridge; Wei's", "wei bridge; LWM's"),  # a lower-case word is not the name
        # the MRN with any separator
        ("MRN AB-123/456 and ab123456 and AB 123 456", "MRN [MRN] and [MRN] and [MRN]"),
        ("not AB-1234567", "not AB-1234567"),
        # the date of birth in common formats
        ("born 30.11.1953.", "born [date of birth]."),
        ("DOB 30/11/53", "DOB [date of birth]"),
        ("dob 1953-11-30", "dob [date of birth]"),
        ("born 11/30/1953", "born [date of birth]"),
        ("born 30 Nov 1953", "born [date of birth]"),
        ("born 30th of November 1953", "born [date of birth]"),
        ("born November 30, 1953", "born [date of birth]"),
        ("CT on 30.11.2024", "CT on 30.11.2024"),
        # stated ages
        ("A 72-year-old man", "A [age] man"),
        ("aged 72, ECOG 1", "[age], ECOG 1"),
        ("72 y/o with CRLM", "[age] with CRLM"),
        ("stage 4 disease, page 3", "stage 4 disease, page 3"),
        ("disease-free for 2 years", "disease-free for 2 years"),
    ],
)
def test_identifiers_are_replaced_and_nothing_else(case, text, expected):
    assert scrub(text, case) == expected


def test_segments_mark_what_was_replaced_for_the_preview(case):
    segments = scrub_segments("Li, born 30.11.1953, MRN AB123456.", case)
    assert [(s.text, s.replaced, s.was) for s in segments] == [
        ("LWM", True, "name"),
        (", born ", False, ""),
        ("[date of birth]", True, "date of birth"),
        (", MRN ", False, ""),
        ("[MRN]", True, "MRN"),
        (".", False, ""),
    ]


def _printed(known) -> str:
    return " · ".join(f"{row.spec.label}: {row}" for _, rows in known for row in rows)


def test_a_pseudonymised_section_does_not_reveal_sex_through_a_derived_fact():
    case = make_case(
        patient=make_patient(mrn="PS-1", sex="male"), facts={"primary_site": "gastric"}
    )
    text = _printed(build_section(case, 1, pseudonymise=True).seen.known)
    assert "Male" not in text and "Pregnant" not in text and "Age" not in text
    assert "Primary tumour site" in text  # other facts, derived ones included, still print
    named = _printed(build_section(case, 1, pseudonymise=False).seen.known)
    assert "Pregnant: No (follows from Sex: Male)" in named
    assert "Sex: Male (from the patient record)" in named
