"""Reading a FHIR R4 Bundle from another system: the patient, and the case facts its
codes say, each checked against the fact catalogue like a typed value.

Nothing is saved here. The result says what was taken (and from which code) and what
was left and why, so that a person sees both before a case is made. The patient's course
(what ``interop.fhir`` writes: imaging studies, dated values of the facts recorded over time,
treatments) is read into ``Imported.course``, checked as its forms check it; the response and
the measurements are computed here from the lesion table, so they are left. A code is taken
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
from django.utils import timezone

from cases.models import (
    PATIENT_FACTS,
    UID_VALIDATOR,
    Modality,
    NonTarget,
    Sex,
    StopReason,
    TreatmentKind,
)
from guidelines import terminology
from guidelines.facts import (
    CHOICE_KINDS,
    Catalogue,
    FactSpec,
    FactValueError,
    coerce_value,
)
from interop import codes

MAX_BYTES = 5 * 1024 * 1024
UID_PATTERN = UID_VALIDATOR.regex
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
    # The course, as ``cases.course_forms.record_course`` takes it (JSON: dates as text).
    course: dict[str, list] = field(
        default_factory=lambda: {"imaging": [], "values": [], "treatments": []}
    )


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
        if _course(resource, what, catalogue, found):
            continue
        if kind not in ("Condition", "Observation"):
            found.left.append(Left(what, "only Conditions and Observations give case facts"))
            continue
        for fact, value, source, reason in _facts_of(resource, catalogue):
            if reason:
                found.left.append(Left(f"{what} ({source})", reason))
            elif not _dated(resource, fact, value, f"{what}, {source}", catalogue, found):
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


# --- the course --------------------------------------------------------------------


def _day(text: object) -> datetime.date | None:
    """A date (the date of a dateTime), or None."""
    if not isinstance(text, str):
        return None
    try:
        return datetime.date.fromisoformat(text[:10])
    except ValueError:
        return None


def _past(day: datetime.date | None) -> bool:
    return day is not None and datetime.date(1900, 1, 1) <= day <= timezone.localdate()


def _extension(resource: Mapping, name: str, element: str):
    url = codes.course_extension(name)
    for extension in resource.get("extension") or []:
        if isinstance(extension, Mapping) and extension.get("url") == url:
            return extension.get(element)
    return None


def _course(resource: Mapping, what: str, catalogue: Catalogue, found: Imported) -> bool:
    """Read a resource of the course into ``found.course``; whether it was one."""
    kind = resource.get("resourceType")
    own = [c for s, c in _codings(resource.get("code")) if s == codes.COURSE_SYSTEM]
    if kind == "Observation" and own:
        found.left.append(Left(what, "the response and the measurements are computed here from "
                                     "the lesion table, whose lesions are entered on the case"))  # fmt: skip
        return True
    if kind == "ImagingStudy":
        _imaging(resource, what, found)
        return True
    treatment = [c for s, c in _codings(resource.get("code"))
                 if s == codes.course_system("treatment")]  # fmt: skip
    if kind == "Procedure" and treatment:
        _treatment(resource, treatment[0], what, found)
        return True
    return False


def _imaging(resource: Mapping, what: str, found: Imported) -> None:
    day = _day(resource.get("started"))
    if not _past(day):
        found.left.append(Left(what, "no imaging date (after 1900, not in the future)"))
        return
    modality = next((c for s, c in (_codings({"coding": resource.get("modality") or []}))
                     if s == codes.course_system("modality")), "")  # fmt: skip
    if modality and modality not in Modality.values:
        found.left.append(Left(what, f"modality {modality[:20]!r} is not one this app records"))
        return
    item = {"day": day.isoformat(), "modality": modality, "study_uid": "", "accession_number": "",
            "conclusion": str(resource.get("description") or "")[:4000],
            "place": str(_extension(resource, "place", "valueString") or "")[:200],
            "non_target": _extension(resource, "non-target", "valueCode") or "",
            "new_lesion": _extension(resource, "new-lesion", "valueBoolean") is True}  # fmt: skip
    if item["non_target"] not in ("", *NonTarget.values):
        item["non_target"] = ""
    for identifier in resource.get("identifier") or []:
        value = str(identifier.get("value") or "")
        types = _codings(identifier.get("type"))
        if identifier.get("system") == codes.DICOM_UID and value.startswith("urn:oid:"):
            uid = value.removeprefix("urn:oid:")
            if UID_PATTERN.match(uid) and len(uid) <= 64:
                item["study_uid"] = uid
        elif codes.ACCESSION in types:
            item["accession_number"] = value[:64]
    if any(other["day"] == item["day"] and other["modality"] == modality
           for other in found.course["imaging"]):  # fmt: skip
        found.left.append(Left(what, "a second imaging of the same date and modality"))
        return
    found.course["imaging"].append(item)
    words = f"{Modality(modality).label if modality else 'Imaging'} of {day:%d %b %Y}"
    found.taken.append(Taken("imaging", "Imaging", words, what))


def _treatment(resource: Mapping, kind: str, what: str, found: Imported) -> None:
    if kind not in TreatmentKind.values:
        found.left.append(Left(what, f"treatment {kind[:30]!r} is not one this app records"))
        return
    period = resource.get("performedPeriod") or {}
    start, end = _day(period.get("start")), _day(period.get("end"))
    line = _extension(resource, "line", "valuePositiveInt")
    cycles = _extension(resource, "cycles", "valueUnsignedInt")
    stop = next((c for s, c in _codings(resource.get("statusReason"))
                 if s == codes.course_system("stop_reason")), "")  # fmt: skip
    problems = []
    if not _past(start):
        problems.append("no start date (after 1900, not in the future)")
    if end is not None and (not _past(end) or (start and end < start)):
        problems.append("an end that is before the start or in the future")
    systemic = kind == TreatmentKind.SYSTEMIC
    if systemic != (isinstance(line, int) and not isinstance(line, bool) and 1 <= line <= 20):
        problems.append("a line (1–20) for systemic therapy only")
    if cycles is not None and not (isinstance(cycles, int) and 0 <= cycles <= 200 and systemic):
        problems.append("cycles (0–200) for systemic therapy only")
    if stop and (stop not in StopReason.values or end is None):
        problems.append("a reason for stopping without an end, or not one this app records")
    if problems:
        found.left.append(Left(what, "; ".join(problems)))
        return
    regimen = (resource.get("code") or {}).get("text") or ""
    label = TreatmentKind(kind).label
    found.course["treatments"].append({
        "kind": kind, "line": line if systemic else None, "cycles": cycles,
        "regimen": "" if regimen == label else str(regimen)[:200],
        "started_on": start.isoformat(), "ended_on": end.isoformat() if end else None,
        "stop_reason": stop,
    })  # fmt: skip
    found.taken.append(Taken("treatment", "Treatment", f"{label} from {start:%d %b %Y}", what))


def _dated(resource, fact: str, value, source: str, catalogue: Catalogue, found) -> bool:
    """A dated value of a fact recorded over time into the course; whether it was one."""
    spec = catalogue[fact]
    day = _day(resource.get("effectiveDateTime"))
    if not spec.over_time or day is None:
        return False
    if not _past(day):
        found.left.append(Left(source, "a date in the future"))
        return True
    try:
        value = coerce_value(spec, value)
    except FactValueError as error:
        found.left.append(Left(source, str(error)))
        return True
    same = [v for v in found.course["values"] if (v["fact"], v["day"]) == (fact, day.isoformat())]
    if same:
        if same[0]["value"] != value:
            found.left.append(Left(source, "a second value of the same date"))
        return True
    found.course["values"].append({"fact": fact, "day": day.isoformat(), "value": value})
    words = f"{spec.display_value(value)} on {day:%d %b %Y}"
    found.taken.append(Taken(fact, spec.label, words, source))
    return True


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


def _standard(codes_of, catalogue: Catalogue, code) -> list[tuple[FactSpec, str, str, str]]:
    """(fact, value, system, code) for each code of the file that a fact's terminology
    names (``codes_of(spec)`` gives (value, codes) pairs; value None: the fact itself)."""
    found = []
    for spec in catalogue.values():
        for value, codings in codes_of(spec):
            for system, given in code:
                if any(terminology.matches(c, system, given) for c in codings):
                    found.append((spec, value, system, given))
    return found


def _usable(fact: str, catalogue: Catalogue):
    """A reason why ``fact`` cannot be taken here, or None."""
    spec = catalogue.get(fact)
    if spec is None:
        return "not a fact of this case's disease area"
    if spec.computed:
        return "computed here from other facts"
    if fact in PATIENT_FACTS:
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

    def own_values(concept) -> list[str]:
        return [c for s, c in _codings(concept) if s == codes.value_system(spec.name)]

    return spec.type.from_fhir(spec, resource.get(spec.type.fhir_element), own_values)


def _condition(resource: Mapping, code, catalogue: Catalogue):
    """A Condition whose code is a value's code of a Condition fact (e.g. the liver
    metastases, or a colorectal primary by ICD-10 C18–C20); where several values share
    the code, its verification status says which."""
    found = _standard(
        lambda spec: spec.choice_codes.items() if spec.fhir.get("resource") == "Condition" else (),
        catalogue, code,
    )  # fmt: skip
    if not found:
        shown = ", ".join(_source(s, c) for s, c in code) or "no code"
        yield "", None, shown, "no code this app recognises"
        return
    spec, _, system, given = found[0]
    source = _source(system, given)
    reason = _usable(spec.name, catalogue)
    if reason:
        yield spec.name, None, source, reason
        return
    status = {c for _, c in _codings(resource.get("verificationStatus"))}
    if status & {"refuted", "entered-in-error"}:
        yield spec.name, None, source, "the condition is refuted or entered in error"
        return
    values = [value for other, value, *_ in found if other is spec]
    verification = spec.fhir.get("verification") or {}
    doubtful = bool(status & {"provisional", "differential", "unconfirmed"})
    wanted = [v for v in values if (verification.get(v, "confirmed") != "confirmed") == doubtful]
    yield spec.name, (wanted or values)[0], source, None


def _observation(resource: Mapping, code, catalogue: Catalogue):
    """An Observation whose code is a fact's code: its value read as the fact holds it
    (a choice by its value's codes); with components (the genes a result covers), the
    fact whose components cover those the file names."""
    found = _standard(lambda spec: [(None, spec.codes)], catalogue, code)
    if not found:
        shown = ", ".join(_source(s, c) for s, c in code) or "no code"
        yield "", None, shown, "no code this app recognises"
        return
    source = _source(*found[0][2:])
    named = {
        (s, c) for comp in resource.get("component") or []
        for s, c in _codings(comp.get("valueCodeableConcept"))
    }  # fmt: skip
    candidates = []
    for spec, *_ in found:
        parts = {(v.system, v.code) for comp in terminology.components(spec) for v in comp.values}
        systems = {system for system, _ in parts}
        given = {(system, c) for system, c in named if system in systems}
        if not parts or (given and given <= parts):  # (every gene named is the fact's)
            candidates.append((spec, parts, given))
    if not candidates:
        reasons = "; ".join(
            spec.fhir["not_read"] for spec, *_ in found if spec.fhir.get("not_read")
        )
        yield (
            "",
            None,
            source,
            "the result names no fact's components here" + (f" ({reasons})" if reasons else ""),
        )
        return
    spec, parts, given = candidates[0]
    if spec.fhir.get("not_read"):
        yield spec.name, None, source, spec.fhir["not_read"]
        return
    reason = _usable(spec.name, catalogue)
    if reason:
        yield spec.name, None, source, reason
        return
    if spec.kind in CHOICE_KINDS:
        answer = _codings(resource.get("valueCodeableConcept"))
        chosen = [
            value for value, codings in spec.choice_codes.items()
            if any(terminology.matches(c, s, a) for c in codings for s, a in answer)
        ]  # fmt: skip
        if not chosen:
            yield spec.name, None, source, "an answer that is not a value of the catalogue"
            return
        value = chosen[0]
        if value in spec.fhir.get("complete_for", ()) and given != parts:
            every = ", ".join(
                v.display or v.code for c in terminology.components(spec) for v in c.values
            )
            yield (
                spec.name,
                None,
                source,
                (f"{spec.label} “{spec.display_value(value)}” needs every one of {every} tested"),
            )
            return
        yield spec.name, value, source, None
        return
    value = _value(resource, spec)
    if value is None:
        yield spec.name, None, source, "no value this app can read"
    elif isinstance(value, str) and value.startswith("!"):
        yield spec.name, None, source, value[1:]
    else:
        yield spec.name, value, source, None
