"""Reading a FHIR R4 Bundle from another system: the patient, and the case facts its
codes say, each checked against the fact catalogue like a typed value.

Nothing is saved here. The result says what was taken (and from which code) and what
was left and why, so that a person sees both before a case is made. A code is taken
only where its meaning is certain: the checked standard codes of ``interop.codes`` and
this app's own codes (what ``interop.fhir`` writes). A fact given twice with different
values is left, never guessed.
"""

from __future__ import annotations

import datetime
import json
from collections.abc import Mapping
from dataclasses import dataclass, field

from django.conf import settings

from cases.models import Sex
from guidelines.facts import (
    BOOLEAN,
    COMPUTED_SECTION,
    DATE,
    ENUM,
    INTEGER,
    MULTI,
    Catalogue,
    FactValueError,
    coerce_value,
)
from interop import codes

MAX_BYTES = 5 * 1024 * 1024
GENDERS = {"female": Sex.FEMALE, "male": Sex.MALE, "other": Sex.OTHER, "unknown": Sex.UNKNOWN}
NAMES = {codes.SNOMED: "SNOMED CT", codes.LOINC: "LOINC", codes.ICD10: "ICD-10"}


class BundleError(Exception):
    """A bundle that cannot be read at all; the message says why (nothing was taken)."""


@dataclass(frozen=True)
class Taken:
    fact: str
    label: str
    value: str  # in words
    source: str  # the resource and code it came from


@dataclass(frozen=True)
class Left:
    what: str
    reason: str


@dataclass
class Imported:
    mrn: str = ""
    name: str = ""
    date_of_birth: datetime.date | None = None
    sex: str = ""
    facts: dict[str, object] = field(default_factory=dict)
    taken: list[Taken] = field(default_factory=list)
    left: list[Left] = field(default_factory=list)


def read(raw: bytes | str, catalogue: Catalogue) -> Imported:
    """What a bundle says, as facts of ``catalogue`` (a case's area's); BundleError for
    a file that is not a valid FHIR R4 Bundle with exactly one Patient."""
    data = _parse(raw)
    found = Imported()
    resources = [entry.get("resource") or {} for entry in data.get("entry", [])]
    patients = [r for r in resources if r.get("resourceType") == "Patient"]
    if len(patients) != 1:
        raise BundleError(
            "The bundle has no Patient." if not patients
            else f"The bundle has {len(patients)} Patients: import one patient at a time."
        )  # fmt: skip
    _patient(patients[0], found)
    candidates: dict[str, list[tuple[object, str]]] = {}
    for index, resource in enumerate(resources, start=1):
        kind = resource.get("resourceType", "?")
        what = f"{kind} {index}"
        if kind == "Patient":
            continue
        if kind not in ("Condition", "Observation"):
            found.left.append(Left(what, "only Conditions and Observations give case facts"))
            continue
        for fact, value, source, reason in _facts_of(resource, catalogue):
            if reason:
                found.left.append(Left(f"{what} ({source})", reason))
            else:
                candidates.setdefault(fact, []).append((value, f"{what}, {source}"))
    for fact, given in candidates.items():
        spec = catalogue[fact]
        values = {json.dumps(value, sort_keys=True) for value, _ in given}
        if len(values) > 1:
            found.left.append(Left(spec.label, "given more than once with different values"))
            continue
        value, source = given[0]
        try:
            value = coerce_value(spec, value)
        except FactValueError as error:
            found.left.append(Left(source, str(error)))
            continue
        found.facts[fact] = value
        found.taken.append(Taken(fact, spec.label, spec.display_value(value), source))
    return found


# FHIR bundles nest a few levels (a bundle, its entries, a resource, its elements and
# their extensions); one nesting hundreds of levels deep is not a bundle but an attack.
MAX_DEPTH = 64
TOO_DEEP = f"The file nests deeper than {MAX_DEPTH} levels: it is not a FHIR bundle this app reads."


def _depth(data: object) -> int:
    """How deep JSON data nests (without recursing, whatever its depth)."""
    deepest, stack = 0, [(data, 1)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, dict | list):
            deepest = max(deepest, depth)
            children = value.values() if isinstance(value, dict) else value
            stack.extend((child, depth + 1) for child in children if isinstance(child, dict | list))
    return deepest


def _parse(raw: bytes | str) -> dict:
    from fhir.resources.R4B.bundle import Bundle  # imported when a bundle is read
    from pydantic import ValidationError

    if len(raw) > MAX_BYTES:
        raise BundleError(f"The file is larger than {MAX_BYTES // (1024 * 1024)} MB.")
    try:
        data = json.loads(raw)
    except (ValueError, UnicodeDecodeError) as error:
        raise BundleError(f"The file is not JSON: {error}.") from None
    except RecursionError:  # Python's JSON reader recurses once per level
        raise BundleError(TOO_DEEP) from None
    if _depth(data) > MAX_DEPTH:
        raise BundleError(TOO_DEEP)  # (so that validating it cannot recurse too deep either)
    if not isinstance(data, dict) or data.get("resourceType") != "Bundle":
        raise BundleError("The file is not a FHIR Bundle (its resourceType must be Bundle).")
    try:
        Bundle.model_validate(data)
    except ValidationError as error:
        problems = [
            f"{'.'.join(str(part) for part in problem['loc'])}: {problem['msg']}"
            for problem in error.errors()[:5]
        ]
        more = f" (and {error.error_count() - 5} more)" if error.error_count() > 5 else ""
        raise BundleError(
            "The bundle is not valid FHIR R4: " + "; ".join(problems) + more
        ) from None
    return data


def _patient(resource: Mapping, found: Imported) -> None:
    for identifier in resource.get("identifier") or []:
        if identifier.get("system") == settings.FHIR_MRN_SYSTEM and identifier.get("value"):
            found.mrn = identifier["value"].strip()[:32]
    if not found.mrn:
        found.left.append(
            Left("Patient", f"no identifier of the hospital's system {settings.FHIR_MRN_SYSTEM}")
        )
    names = resource.get("name") or []
    if names:
        name = names[0]
        found.name = name.get("text") or " ".join([*name.get("given", []), name.get("family", "")])
        found.name = " ".join(found.name.split())[:200]
    born = resource.get("birthDate") or ""
    try:
        found.date_of_birth = datetime.date.fromisoformat(born)
    except ValueError:
        if born:
            found.left.append(Left("Patient", f"birth date {born} is not a whole date"))
    gender = resource.get("gender")
    found.sex = GENDERS.get(gender, "") if isinstance(gender, str) else ""
    if gender is not None and not found.sex:
        shown = str(gender)[:40]
        found.left.append(
            Left("Patient", f"gender {shown!r} is not one this app records ({', '.join(GENDERS)})")
        )


def _codings(concept: Mapping | None) -> list[tuple[str, str]]:
    return [
        (c.get("system", ""), c.get("code", ""))
        for c in (concept or {}).get("coding") or []
        if c.get("code")
    ]


def _source(system: str, code: str) -> str:
    if system == codes.FACT_SYSTEM or system.startswith(codes.FACT_SYSTEM + ":"):
        return f"this app's code {code}"
    return f"{NAMES.get(system, system)} {code}"


def _facts_of(resource: Mapping, catalogue: Catalogue):
    """(fact, value, source, reason to leave it) for each fact the resource gives."""
    kind = resource["resourceType"]
    code = _codings(resource.get("code"))
    local = [c for s, c in code if s == codes.FACT_SYSTEM]
    if kind == "Condition":  # a condition's own code names the fact's value
        prefix = codes.FACT_SYSTEM + ":"
        local = [s.removeprefix(prefix) for s, _ in code if s.startswith(prefix)]
    if local:
        yield from _local(resource, local[0], catalogue)
        return
    if kind == "Condition":
        yield from _condition(resource, code, catalogue)
    else:
        yield from _observation(resource, code, catalogue)


def _usable(fact: str, catalogue: Catalogue):
    """A reason why ``fact`` cannot be taken here, or None."""
    spec = catalogue.get(fact)
    if spec is None:
        return "not a fact of this case's disease area"
    if spec.section == COMPUTED_SECTION:
        return "computed here from other facts"
    if fact in ("sex", "age_years"):
        return "taken from the Patient"
    return None


def _local(resource: Mapping, fact: str, catalogue: Catalogue):
    source = _source(codes.FACT_SYSTEM, fact)
    if fact == "liver_lesion":
        yield fact, None, source, "lesions are entered in the case's lesion table"
        return
    reason = _usable(fact, catalogue)
    if reason:
        yield fact, None, source, reason
        return
    spec = catalogue[fact]
    if resource["resourceType"] == "Condition":
        values = [c for s, c in _codings(resource.get("code")) if s == codes.value_system(fact)]
        yield fact, values[0] if values else None, source, None if values else "no value code"
        return
    value = _value(resource, spec)
    if value is None:
        yield fact, None, source, "no value this app can read"
    elif isinstance(value, str) and value.startswith("!"):
        yield fact, None, source, value[1:]
    else:
        yield fact, value, source, None


def _value(resource: Mapping, spec):
    """The Observation's value as the fact holds it; "!reason" when it cannot be read."""
    if spec.kind == BOOLEAN:
        return resource.get("valueBoolean")
    if spec.kind == INTEGER:
        return resource.get("valueInteger")
    if spec.kind == DATE:
        moment = resource.get("valueDateTime")
        return moment[:10] if isinstance(moment, str) else None
    if spec.kind in (ENUM, MULTI):
        chosen = [
            c for s, c in _codings(resource.get("valueCodeableConcept"))
            if s == codes.value_system(spec.name)
        ]  # fmt: skip
        if not chosen:
            return None
        return chosen if spec.kind == MULTI else chosen[0]
    quantity = resource.get("valueQuantity") or {}
    unit = quantity.get("unit")
    if unit and spec.unit and unit != spec.unit:
        return f"!in {unit}, not in {spec.unit}"
    return quantity.get("value")


def _condition(resource: Mapping, code, catalogue: Catalogue):
    for system, value in code:
        metastasis = (system, value) in {(s, c) for s, c, _ in codes.LIVER_METASTASIS}
        colorectal = (system == codes.SNOMED and value == codes.COLON_PRIMARY[1]) or (
            system == codes.ICD10 and value.startswith(codes.COLORECTAL_ICD10_PREFIXES)
        )
        if not (metastasis or colorectal):
            continue
        fact = "liver_metastases" if metastasis else "primary_site"
        source = _source(system, value)
        reason = _usable(fact, catalogue)
        if reason:
            yield fact, None, source, reason
            return
        if fact == "primary_site":
            yield fact, "colorectal", source, None
            return
        status = [c for _, c in _codings(resource.get("verificationStatus"))]
        if "refuted" in status or "entered-in-error" in status:
            yield fact, None, source, "the condition is refuted or entered in error"
        elif set(status) & {"provisional", "differential", "unconfirmed"}:
            yield fact, "suspected", source, None
        else:
            yield fact, "confirmed", source, None
        return
    shown = ", ".join(_source(s, c) for s, c in code) or "no code"
    yield "", None, shown, "no code this app recognises"


def _observation(resource: Mapping, code, catalogue: Catalogue):
    systems = set(code)
    answer = set(_codings(resource.get("valueCodeableConcept")))
    if (codes.ECOG[0], codes.ECOG[1]) in systems:
        source = _source(*codes.ECOG[:2])
        reason = _usable("ecog", catalogue)
        value = resource.get("valueInteger")
        yield "ecog", value, source, reason or (None if value is not None else "no whole number")
        return
    if (codes.MSI[0], codes.MSI[1]) in systems:
        source = _source(*codes.MSI[:2])
        for fact_value, (system, value, _) in codes.MSI_VALUES.items():
            if (system, value) in answer:
                yield "mmr_msi_status", fact_value, source, _usable("mmr_msi_status", catalogue)
                return
        yield "mmr_msi_status", None, source, "an answer that is not a value of the catalogue"
        return
    if (codes.VARIANT[0], codes.VARIANT[1]) in systems:
        yield from _variant(resource, answer, catalogue)
        return
    shown = ", ".join(_source(s, c) for s, c in code) or "no code"
    yield "", None, shown, "no code this app recognises"


def _variant(resource: Mapping, answer, catalogue: Catalogue):
    source = _source(*codes.VARIANT[:2])
    genes = {
        c for comp in resource.get("component") or []
        for s, c in _codings(comp.get("valueCodeableConcept")) if s == codes.HGNC
    }  # fmt: skip
    ras = {gene for gene, _ in codes.GENES["ras_status"]}
    present = (codes.PRESENT[0], codes.PRESENT[1]) in answer
    absent = (codes.ABSENT[0], codes.ABSENT[1]) in answer
    if not genes or not genes <= ras:
        reason = "only RAS (KRAS, NRAS) results are read from standard codes; a BRAF result "
        reason += "does not say whether the variant is V600E"
        yield "", None, source, reason
    elif present:
        yield "ras_status", "mutant", source, _usable("ras_status", catalogue)
    elif absent and genes == ras:
        yield "ras_status", "wild_type", source, _usable("ras_status", catalogue)
    else:
        yield "", None, source, "RAS wild type needs both KRAS and NRAS tested"
