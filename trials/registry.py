"""A trial from a record saved from ClinicalTrials.gov (API v2 JSON). The app never calls
the registry: a coordinator uploads the file saved from it, or runs
``manage.py import_trials FILE``.

Read: ``protocolSection`` → ``identificationModule.nctId`` and titles,
``statusModule.overallStatus`` (and the last update posted), ``designModule.phases``,
``conditionsModule.conditions``, ``armsInterventionsModule.armGroups``,
``contactsLocationsModule`` (central contacts, overall officials, locations),
``eligibilityModule``: ``eligibilityCriteria`` (its "Inclusion Criteria:" and "Exclusion
Criteria:" blocks of ``* `` bullets; a nested bullet belongs to the one above it), ``sex``,
``minimumAge`` and ``maximumAge``, which become rules at once.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field

from trials.models import CriterionKind, TrialStatus


class NotARecord(ValueError):
    """The file is not a ClinicalTrials.gov v2 study record this app can read."""


@dataclass(frozen=True)
class ImportedCriterion:
    kind: str
    text: str
    rule: str = ""  # given by the record itself (sex, age); else written by a coordinator


@dataclass(frozen=True)
class ImportedTrial:
    identifier: str
    title: str
    status: str
    phase: str = ""
    conditions: str = ""
    arms: str = ""
    principal_investigator: str = ""
    contact: str = ""
    registry_version: str = ""
    criteria: tuple[ImportedCriterion, ...] = field(default_factory=tuple)


HEADER = re.compile(r"^\s*(inclusion|exclusion)\s+criteria\s*:?\s*$", re.IGNORECASE)
BULLET = re.compile(r"^(?P<indent>\s*)(?:[*•\-–]|\d{1,3}[.)])\s+(?P<text>.*\S)\s*$")
AGE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(year|month|week|day|hour|minute)s?\s*$", re.IGNORECASE)
PER_YEAR = {"year": 1, "month": 12, "week": 52.1775, "day": 365.25, "hour": 8766, "minute": 525960}
PHASES = {"EARLY_PHASE1": "Early phase 1", "PHASE1": "Phase 1", "PHASE2": "Phase 2",
          "PHASE3": "Phase 3", "PHASE4": "Phase 4", "NA": "Not applicable"}  # fmt: skip


def read(data: bytes | str) -> ImportedTrial:
    """The trial a saved record describes; ``NotARecord`` says what is wrong."""
    try:
        record = json.loads(data)
    except (ValueError, UnicodeDecodeError) as error:
        raise NotARecord(f"The file is not JSON ({error}).") from None
    if isinstance(record, dict) and isinstance(record.get("studies"), list):
        if len(record["studies"]) != 1:
            raise NotARecord("The file holds several studies: save one study's record.")
        record = record["studies"][0]
    protocol = record.get("protocolSection") if isinstance(record, dict) else None
    if not isinstance(protocol, dict):
        raise NotARecord(
            "No protocolSection: save the study's record from ClinicalTrials.gov "
            "(JSON, API version 2)."
        )
    ident = _module(protocol, "identificationModule")
    identifier = str(ident.get("nctId") or "").strip()
    if not identifier:
        raise NotARecord("The record has no identificationModule.nctId.")
    title = str(ident.get("officialTitle") or ident.get("briefTitle") or "").strip()
    status_module = _module(protocol, "statusModule")
    status = str(status_module.get("overallStatus") or "UNKNOWN")
    if status not in TrialStatus.values:
        status = TrialStatus.UNKNOWN
    phases = _module(protocol, "designModule").get("phases") or []
    eligibility = _module(protocol, "eligibilityModule")
    contacts = _module(protocol, "contactsLocationsModule")
    arms = _module(protocol, "armsInterventionsModule").get("armGroups") or []
    return ImportedTrial(
        identifier=identifier,
        title=title or identifier,
        status=status,
        phase=", ".join(PHASES.get(str(p), str(p)) for p in phases if p),
        conditions="\n".join(str(c) for c in _module(protocol, "conditionsModule").get("conditions") or []),
        arms="\n".join(_arm(arm) for arm in arms if isinstance(arm, dict)),
        principal_investigator=_investigator(contacts),
        contact=_contact(contacts),
        registry_version=str((status_module.get("lastUpdatePostDateStruct") or {}).get("date") or ""),
        criteria=(*criteria(str(eligibility.get("eligibilityCriteria") or "")), *_sex_and_age(eligibility)),
    )  # fmt: skip


def _module(protocol: dict, name: str) -> dict:
    module = protocol.get(name)
    return module if isinstance(module, dict) else {}


def _arm(arm: dict) -> str:
    words = " — ".join(str(arm[key]) for key in ("label", "type") if arm.get(key))
    return f"{words}: {arm['description']}" if arm.get("description") else words


def _investigator(contacts: dict) -> str:
    officials = [o for o in contacts.get("overallOfficials") or [] if isinstance(o, dict)]
    return ", ".join(str(o["name"]) for o in officials if o.get("name"))


def _contact(contacts: dict) -> str:
    found = []
    for person in contacts.get("centralContacts") or []:
        if isinstance(person, dict):
            found.append(
                " · ".join(str(person[k]) for k in ("name", "phone", "email") if person.get(k))
            )
    return "\n".join(line for line in found if line)  # fmt: skip


def criteria(text: str) -> list[ImportedCriterion]:
    """Each bullet of an eligibility text, as one criterion in its own words: under
    "Inclusion Criteria:" or "Exclusion Criteria:"; a text without those headers is read as
    inclusion criteria. A nested bullet, or a line that continues one, belongs to the
    bullet above it; text that is not a bullet at all is one criterion."""
    found: list[list] = []  # [kind, lines]
    kind = CriterionKind.INCLUSION
    loose: list[str] = []
    for line in text.replace("\r\n", "\n").split("\n"):
        if not line.strip():
            continue
        header = HEADER.match(line)
        if header:
            kind = header.group(1).lower()
            continue
        bullet = BULLET.match(line)
        nested = (
            bullet is not None
            and len(bullet["indent"].expandtabs(4)) >= 2
            and found
            and found[-1][0] == kind
        )
        if bullet and not nested:
            found.append([kind, [bullet["text"].strip()]])
        elif bullet and nested:
            found[-1][1].append("– " + bullet["text"].strip())
        elif found and found[-1][0] == kind:
            found[-1][1].append(line.strip())
        else:
            loose.append(line.strip())
    result = [ImportedCriterion(kind, "\n".join(lines)) for kind, lines in found]
    if loose:
        result.insert(0, ImportedCriterion(CriterionKind.INCLUSION, "\n".join(loose)))
    return result


def _years(value) -> float | None:
    match = AGE.match(str(value or ""))
    if not match:
        return None
    years = float(match[1]) / PER_YEAR[match[2].lower()]
    return int(years) if years == int(years) else round(years, 2)


def _sex_and_age(eligibility: dict) -> list[ImportedCriterion]:
    """The record's sex and age limits as criteria with their rules (the registry gives
    them as data, not words)."""
    found = []
    sex = str(eligibility.get("sex") or "ALL").upper()
    if sex in ("FEMALE", "MALE"):
        found.append(ImportedCriterion(CriterionKind.INCLUSION,
                                       f"Sex: {sex.lower()} (the registry record)",
                                       f"sex = {sex.lower()}"))  # fmt: skip
    low, high = _years(eligibility.get("minimumAge")), _years(eligibility.get("maximumAge"))
    if low is not None:
        found.append(ImportedCriterion(CriterionKind.INCLUSION,
                                       f"Age: {eligibility['minimumAge']} or older (the registry record)",
                                       f"age_years >= {low}"))  # fmt: skip
    if high is not None:
        found.append(ImportedCriterion(CriterionKind.INCLUSION,
                                       f"Age: {eligibility['maximumAge']} or younger (the registry record)",
                                       f"age_years <= {high}"))  # fmt: skip
    return found
