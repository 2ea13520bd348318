"""Terminology on facts and their values, as data: codes in standard code systems
(SNOMED CT, LOINC, ICD-10, HGNC), UCUM unit codes, alternative units, and how the FHIR
export writes a fact. Content packs carry them; ``interop.fhir`` writes them and
``interop.fhir_import`` reads them back. Pure: no ORM.

A code (``Fact.codes``, ``FactChoice.codes``) is a mapping::

    {"system": "http://loinc.org", "code": "89247-1", "display": "…",
     "when": "tumor_sidedness in [left, right]",   # only for cases where this holds
     "prefix": true}                                 # read: any code starting so

A fact's ``fhir`` mapping (every key optional; absent: a plain Observation)::

    resource: Condition            # written as a Condition (its value's codes name it)
    verification: {value: status}  # a Condition's values and their verification status;
                                   # other values go as Observations (absent: all values,
                                   # confirmed)
    profile: <url>                 # claimed where a standard code was written
    coded_values: [value, …]       # the fact's own codes only with these values
    components: [{code: [code…], value: [code…]}, …]  # written with the Observation
    complete_for: [value, …]       # read back only from a result whose components name
                                   # every component value written (e.g. RAS wild type:
                                   # KRAS and NRAS); other values need some of them
    not_read: <reason>             # its standard codes are not read back, and why
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from guidelines.conditions import ConditionError, parse
from guidelines.facts import Coding, FactSpec

# In the order a pack writes them (JSON columns keep no order).
CODE_KEYS = ("system", "code", "display", "when", "prefix")
FHIR_KEYS = ("resource", "verification", "profile", "coded_values", "components",
             "complete_for", "not_read")  # fmt: skip
UNIT_KEYS = ("unit", "factor")
RESOURCES = {"Observation", "Condition"}
VERIFICATION = {"confirmed", "provisional", "differential", "unconfirmed"}


def codings(raw: object) -> tuple[Coding, ...]:
    """Stored codes as ``Coding`` objects (assumed valid: ``codes_problem`` checked them)."""
    return tuple(
        Coding(
            str(c["system"]),
            str(c["code"]),
            str(c.get("display") or ""),
            str(c.get("when") or ""),
            bool(c.get("prefix", False)),
        )
        for c in raw or ()
    )


@dataclass(frozen=True)
class Component:
    """One component written with a fact's Observation (e.g. the gene studied)."""

    codes: tuple[Coding, ...]
    values: tuple[Coding, ...]


def components(spec: FactSpec) -> tuple[Component, ...]:
    return tuple(
        Component(codings(c["code"]), codings(c["value"])) for c in spec.fhir.get("components", ())
    )


def matches(coding: Coding, system: str, code: str) -> bool:
    """Whether a code read from a file is this one (a prefix: any code starting so)."""
    if coding.system != system:
        return False
    return code.startswith(coding.code) if coding.prefix else code == coding.code


def _ordered(item: Mapping, keys: tuple[str, ...]) -> dict:
    return {key: item[key] for key in keys if key in item}


def ordered_codes(raw: list) -> list[dict]:
    """Codes as a pack writes them (each code's keys in ``CODE_KEYS`` order)."""
    return [_ordered(code, CODE_KEYS) for code in raw or ()]


def ordered_units(raw: list) -> list[dict]:
    return [_ordered(unit, UNIT_KEYS) for unit in raw or ()]


def ordered_fhir(raw: Mapping) -> dict:
    found = _ordered(raw or {}, FHIR_KEYS)
    if "components" in found:
        found["components"] = [
            {"code": ordered_codes(c["code"]), "value": ordered_codes(c["value"])}
            for c in found["components"]
        ]
    return found


def units(raw: object) -> tuple[tuple[str, float], ...]:
    return tuple((str(u["unit"]), float(u["factor"])) for u in raw or ())


def codes_problem(raw: object) -> str:
    """What is wrong with a list of codes, or ""."""
    if not isinstance(raw, list):
        return "Give a list of codes."
    for index, code in enumerate(raw, start=1):
        if not isinstance(code, Mapping) or not set(code) <= set(CODE_KEYS):
            return (
                f"Code {index}: a mapping with system, code and optionally display, when, prefix."
            )
        if not all(
            isinstance(code.get(key), str) and code[key].strip() for key in ("system", "code")
        ):
            return f"Code {index}: the system and the code must be given as text."
        if not all(isinstance(code.get(key, ""), str) for key in ("display", "when")):
            return f"Code {index}: display and when are text."
        if not isinstance(code.get("prefix", False), bool):
            return f"Code {index}: prefix is true or false."
        if code.get("when"):
            try:
                parse(code["when"])
            except ConditionError as error:
                return f"Code {index}: its condition (when): {error}"
    return ""


def units_problem(raw: object, fact) -> str:
    """What is wrong with a fact's alternative units (``fact``: its unit and kind), or ""."""
    if not isinstance(raw, list):
        return "Give a list of {unit, factor} mappings."
    seen = {getattr(fact, "unit", "")}
    for index, unit in enumerate(raw, start=1):
        if not isinstance(unit, Mapping) or set(unit) != {"unit", "factor"}:
            return f"Unit {index}: a mapping with a unit and its factor to the fact's unit."
        name, factor = unit["unit"], unit["factor"]
        if not isinstance(name, str) or not name.strip():
            return f"Unit {index}: name the unit."
        if isinstance(factor, bool) or not isinstance(factor, int | float) or not factor > 0:
            return f"Unit {index} ({name}): the factor must be a number above 0."
        if factor != factor or factor == float("inf"):
            return f"Unit {index} ({name}): the factor must be a finite number."
        if name in seen:
            return f"Unit {index} ({name}): the fact's unit, or a unit listed twice."
        seen.add(name)
    if raw and getattr(fact, "kind", "number") not in ("number", "integer"):
        return "Only number facts have alternative units."
    if raw and not getattr(fact, "unit", ""):
        return "A fact with alternative units needs its own unit."
    return ""


def fhir_problem(raw: object) -> str:
    """What is wrong with a fact's FHIR mapping, or ""."""
    if not isinstance(raw, Mapping):
        return "Give a mapping (see guidelines.terminology)."
    unknown = sorted(set(raw) - set(FHIR_KEYS))
    if unknown:
        return f"Unknown key(s): {', '.join(unknown)} (known: {', '.join(sorted(FHIR_KEYS))})."
    if raw.get("resource", "Observation") not in RESOURCES:
        return f"resource is one of {', '.join(sorted(RESOURCES))}."
    verification = raw.get("verification", {})
    if not isinstance(verification, Mapping) or not all(
        isinstance(k, str) and v in VERIFICATION for k, v in verification.items()
    ):
        return f"verification maps values to one of {', '.join(sorted(VERIFICATION))}."
    for key in ("profile", "not_read"):
        if not isinstance(raw.get(key, ""), str):
            return f"{key} is text."
    for key in ("coded_values", "complete_for"):
        values = raw.get(key, [])
        if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
            return f"{key} is a list of values."
    components = raw.get("components", [])
    if not isinstance(components, list):
        return "components is a list of {code, value} mappings."
    for index, component in enumerate(components, start=1):
        if not isinstance(component, Mapping) or set(component) != {"code", "value"}:
            return f"Component {index}: a mapping with a code and a value (lists of codes)."
        for part in ("code", "value"):
            problem = codes_problem(component[part])
            if problem:
                return f"Component {index}, {part}: {problem}"
    return ""
