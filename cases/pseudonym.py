"""Pseudonymisation of a patient's identity, for printed packs (and later exports).

A pseudonymised document names the patient by initials, year of birth and case
number, and free text typed about the case has the patient's identifiers
removed: the name and each part of it (whole words written with a capital, in
any script, so that a name such as "May" leaves "may respond" alone), the
MRN written with any separators, the date of birth in common formats, and
phrases that state an age. ``scrub_segments`` also says which parts were
replaced, so that a coordinator can check the text before a pack is printed.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass

from cases.models import PATIENT_FACTS, Case, Patient
from guidelines.derived import derive
from guidelines.facts import Catalogue

MONTHS = [
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
]
AGE_PHRASES = (
    r"\d{1,3}\s*-?\s*(?:years?|yrs?|y)\s*-?\s*old",  # 72-year-old, 72 years old
    r"aged?\s*:?\s*\d{1,3}(?:\s*(?:years?|yrs?|y))?",  # aged 72, age: 72 years
    r"\d{1,3}\s*(?:y/o|y\.o\.|yo)",  # 72 y/o, 72yo
)
SEPARATOR = r"[\s./_\-]*"


@dataclass(frozen=True)
class Segment:
    text: str
    replaced: bool = False
    was: str = ""  # what was removed: "name", "MRN", "date of birth" or "age"


def pseudonym(case: Case) -> str:
    patient = case.patient
    return f"{patient.initials or '?'} · born {patient.date_of_birth.year} · case {case.pk}"


def _words(parts) -> str:
    alternatives = sorted({re.escape(part) for part in parts if part}, key=len, reverse=True)
    return "|".join(alternatives)


def _mrn_pattern(mrn: str) -> str:
    characters = [re.escape(ch) for ch in mrn if ch.isalnum()]
    return SEPARATOR.join(characters)


def _date_patterns(born: datetime.date) -> list[str]:
    day = rf"0?{born.day}"
    month = rf"0?{born.month}"
    year = rf"(?:{born.year}|{born.year % 100:02d})"
    name = MONTHS[born.month - 1]
    month_name = rf"(?:{name}|{name[:3]}\.?)"
    ordinal = r"(?:st|nd|rd|th)?"
    sep = r"\s*[./\-]\s*"
    return [
        rf"{day}{sep}{month}{sep}{year}",  # 30.11.1953, 30/11/53, 30-11-1953
        rf"{month}{sep}{day}{sep}{year}",  # 11/30/1953 (US)
        rf"{born.year}{sep}{month}{sep}{day}",  # 1953-11-30
        rf"{day}{ordinal}\.?\s*(?:of\s+)?{month_name}\s*,?\s*{year}",  # 30 Nov 1953, 30th of November 1953
        rf"{month_name}\s*{day}{ordinal}\s*,?\s*{year}",  # November 30, 1953
    ]


def _pattern(patient: Patient) -> re.Pattern:
    name_parts = [patient.name, *(part for part in patient.name.split() if len(part) > 1)]
    groups = {
        "name": _words(name_parts),
        "mrn": _mrn_pattern(patient.mrn),
        "dob": "|".join(_date_patterns(patient.date_of_birth)),
        "age": "|".join(AGE_PHRASES),
    }
    body = "|".join(f"(?P<{key}>{value})" for key, value in groups.items() if value)
    # Whole words only: no letter or digit may touch a match on either side.
    return re.compile(rf"(?<![^\W_])(?:{body})(?![^\W_])", re.IGNORECASE)


REPLACEMENT = {"mrn": "[MRN]", "dob": "[date of birth]", "age": "[age]"}
WHAT = {"name": "name", "mrn": "MRN", "dob": "date of birth", "age": "age"}


def scrub_segments(text: str, case: Case) -> list[Segment]:
    """The text in pieces, with the patient's identifiers replaced and marked."""
    patient = case.patient
    segments, last = [], 0
    for found in _pattern(patient).finditer(text):
        kind = found.lastgroup
        if kind == "name" and not found.group()[0].isupper():
            continue  # "an MRI", "may respond": a common word, not the name "An" or "May"
        if found.start() > last:
            segments.append(Segment(text[last : found.start()]))
        replacement = (patient.initials or "[patient]") if kind == "name" else REPLACEMENT[kind]
        segments.append(Segment(replacement, replaced=True, was=WHAT[kind]))
        last = found.end()
    if last < len(text):
        segments.append(Segment(text[last:]))
    return segments


def scrub(text: str, case: Case) -> str:
    """The text with the patient's identifiers replaced (pseudonymised mode)."""
    return "".join(segment.text for segment in scrub_segments(text, case))


def withhold_identity(
    values: dict[str, object], catalogue: Catalogue
) -> tuple[dict[str, object], frozenset[str]]:
    """A pseudonymised document's view of a case's facts.

    Age is left out of matching and print (with the year of birth it narrows the date
    of birth); sex is still matched but not printed, nor any value derived from the
    patient's facts (a man's "pregnant: no" would reveal his sex). Returns the values
    to match and the names not to print.
    """
    values = {name: value for name, value in values.items() if name != "age_years"}
    hidden = set(PATIENT_FACTS)
    hidden |= {name for name, d in derive(values, catalogue).items() if hidden & set(d.inputs)}
    return values, frozenset(hidden)
