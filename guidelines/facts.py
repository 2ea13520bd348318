"""The fact catalogue: what can be known about a case.

The catalogue is data (the ``Fact`` table, seeded from the content pack and
editable in the admin). Everything that needs it -- condition validation, the
matching engine, the case form, the PDF -- reads it through
``guidelines.snapshot.catalogue()`` as plain frozen ``FactSpec`` objects. This
module is pure: it imports nothing from Django.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

# Fact kinds, shared by the model's choices and the pure modules.
BOOLEAN = "boolean"
ENUM = "enum"
INTEGER = "integer"
NUMBER = "number"
DATE = "date"  # stored as an ISO date string; read by derived facts, not by conditions
MULTI = "multi"  # several of the choices at once, stored as a list in choice order
CHOICE_KINDS = frozenset({ENUM, MULTI})
NUMERIC_KINDS = frozenset({INTEGER, NUMBER})


@dataclass(frozen=True)
class Coding:
    """One code of a terminology (SNOMED CT, LOINC, ICD-10, …) for a fact or a value;
    ``when`` (a condition) limits it to the cases for which it holds, e.g. the colon's
    code of a colorectal primary only when the tumour's side is left or right."""

    system: str
    code: str
    display: str = ""
    when: str = ""
    prefix: bool = False  # read back: any code that starts so (never written)


@dataclass(frozen=True)
class FactSpec:
    """One fact of the catalogue, detached from the database."""

    name: str
    label: str
    kind: str
    choices: tuple[tuple[str, str], ...] = ()
    minimum: float | None = None
    maximum: float | None = None
    unit: str = ""
    help_text: str = ""
    section: str = ""  # the key of its form group
    # Choice values that record "looked, not decided yet": matched like an empty fact.
    not_known_values: frozenset[str] = frozenset()
    group_label: str = ""  # its form group's name, e.g. "Primary tumour"
    computed: bool = False  # in a group of facts computed from others: never typed
    # Other units it may be typed in: (unit, factor to ``unit``), e.g. ("mg/dL", 17.1).
    alternative_units: tuple[tuple[str, float], ...] = ()
    # Terminology (``guidelines.terminology``): the fact's own codes, its unit's UCUM
    # code, each choice's codes, and how the FHIR export writes it.
    codes: tuple[Coding, ...] = ()
    unit_code: str = ""
    choice_codes: Mapping[str, tuple[Coding, ...]] = field(default_factory=dict)
    fhir: Mapping[str, object] = field(default_factory=dict)
    over_time: bool = False  # a series of dated values; conditions read the latest

    @property
    def values(self) -> frozenset[str]:
        return frozenset(value for value, _ in self.choices)

    @property
    def is_numeric(self) -> bool:
        return self.kind in NUMERIC_KINDS

    def range_text(self) -> str:
        """The allowed range in words, e.g. '0–120 years' or '≥ 0 g/day'."""
        unit = f" {self.unit}" if self.unit else ""
        lo, hi = _plain(self.minimum), _plain(self.maximum)
        if lo is not None and hi is not None:
            return f"{lo}–{hi}{unit}"
        if lo is not None:
            return f"≥ {lo}{unit}"
        if hi is not None:
            return f"≤ {hi}{unit}"
        return f"any number{unit}"

    @property
    def type(self) -> FactType:
        """What its kind says about values (``KINDS``): the one place each kind is told."""
        return KINDS[self.kind]

    def allowed_text(self) -> str:
        """What a condition may compare this fact with, for editors."""
        return self.type.allowed_text(self)

    def display_value(self, value: object, agrees: Callable[[float], bool] | None = None) -> str:
        """A stored value in words: the choice label, yes/no, or number and unit.

        A number shows at most one decimal, or, where ``agrees`` is given (does a number
        written so say what the value itself says, e.g. that it lies below a cut-off?),
        as many more decimals as that takes: 29.96 against "< 30" shows as 29.96, not 30.
        """
        if value is None:
            return "not known"
        return self.type.display(self, value, agrees)


Catalogue = Mapping[str, FactSpec]


class AreaCatalogue(dict):
    """One disease area's catalogue (read-only): its facts and the shared ones, in form
    order, with the rules (``guidelines.registry``) the area chose: only those derive
    facts and fill its scores block. A plain mapping (every fact) applies every rule."""

    __slots__ = ("rules",)

    def __init__(self, specs: Mapping[str, FactSpec], rules: frozenset[str]):
        super().__init__(specs)
        self.rules = rules

    def _read_only(self, *args, **kwargs):
        raise TypeError("a catalogue is read-only")

    __setitem__ = __delitem__ = update = pop = popitem = clear = setdefault = _read_only


def rules_of(catalogue: Catalogue) -> frozenset[str] | None:
    """The rules an area's catalogue chose; None for a plain mapping (every rule)."""
    return getattr(catalogue, "rules", None)


def _rounded(number: object) -> object:
    """A number as clinicians read it: at most one decimal (59.85 shows as 59.9)."""
    if isinstance(number, float):
        number = float(Decimal(repr(number)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))
    return _plain(number)


def decimals_that_agree(
    number: float, agrees: Callable[[float], bool], *, least: int, most: int = 12
) -> str:
    """``number`` with ``least`` decimals, or as many more as it takes for the number as
    written to agree with the number itself (``agrees(written)``): near a cut-off a
    rounded value must not seem to lie on its other side (-2.59996 is not "-2.60")."""
    for places in range(least, most + 1):
        written = f"{number:.{places}f}"
        if agrees(float(written)):
            return written
    return repr(number)


def _plain(number: object) -> object:
    """Show 24.0 as 24 but keep 2.5 as it is."""
    if isinstance(number, float) and number.is_integer():
        return int(number)
    return number


# --- Values of facts -------------------------------------------------------------

# A technical bound for numbers whose catalogue entry sets no maximum.
NUMBER_LIMIT = 1_000_000


class FactValueError(ValueError):
    """A value that a fact cannot hold; the message names the fact and the problem."""

    def __init__(self, fact: str, message: str):
        super().__init__(f"fact {fact!r}: {message}")
        self.fact = fact
        self.message = message


def coerce_value(spec: FactSpec, value: object) -> bool | int | float | str | None:
    """Check one value against its fact; return it in the stored form.

    ``None`` means not known. Booleans must be true/false, choices one of the
    allowed values, numbers finite and within the fact's range.
    """
    if value is None:
        return None
    return spec.type.coerce(spec, value)


# Dates a case can hold: none before 1900, none in the future (checked against today).
EARLIEST_DATE = datetime.date(1900, 1, 1)


def _coerce_date(spec: FactSpec, value: object) -> str:
    if isinstance(value, datetime.datetime):
        value = value.date()
    if isinstance(value, str):
        try:
            value = datetime.date.fromisoformat(value)
        except ValueError:
            raise FactValueError(
                spec.name, f"expected a date (YYYY-MM-DD), got {value!r}"
            ) from None
    if not isinstance(value, datetime.date):
        raise FactValueError(spec.name, f"expected a date (YYYY-MM-DD), got {value!r}")
    if value < EARLIEST_DATE or value > datetime.date.today():
        raise FactValueError(spec.name, f"{value.isoformat()} is not a date in the past")
    return value.isoformat()


# A choice that excludes every other (e.g. extrahepatic disease "none").
EXCLUSIVE_CHOICES = frozenset({"none"})


def _coerce_multi(spec: FactSpec, value: object) -> list[str] | None:
    if isinstance(value, str) or not isinstance(value, list | tuple | set | frozenset):
        raise FactValueError(spec.name, f"expected a list of {spec.allowed_text()}, got {value!r}")
    chosen = set(value)
    wrong = sorted(str(v) for v in chosen if not isinstance(v, str) or v not in spec.values)
    if wrong:
        raise FactValueError(
            spec.name, f"{', '.join(wrong)} not allowed (allowed: {spec.allowed_text()})"
        )
    exclusive = chosen & EXCLUSIVE_CHOICES
    if exclusive and len(chosen) > 1:
        label = dict(spec.choices)[sorted(exclusive)[0]]
        raise FactValueError(spec.name, f"“{label}” cannot be chosen with anything else")
    ordered = [choice for choice, _ in spec.choices if choice in chosen]
    return ordered or None


def _coerce_number(spec: FactSpec, value: object) -> int | float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise FactValueError(spec.name, f"expected a number, got {value!r}")
    if value != value or value in (float("inf"), float("-inf")):
        raise FactValueError(spec.name, "expected a finite number")
    if spec.kind == INTEGER:
        if isinstance(value, float) and not value.is_integer():
            raise FactValueError(spec.name, f"expected a whole number, got {value!r}")
        value = int(value)
    if (spec.minimum is not None and value < spec.minimum) or (
        spec.maximum is not None and value > spec.maximum
    ):
        raise FactValueError(
            spec.name, f"{value!r} is outside the allowed range ({spec.range_text()})"
        )
    if abs(value) > NUMBER_LIMIT:
        raise FactValueError(spec.name, f"{value!r} is implausibly large (limit {NUMBER_LIMIT:,})")
    return value


# --- Kinds of fact ------------------------------------------------------------------------


class FactType:
    """What a kind of fact says about its values, told once: how a value is checked and
    stored, shown, compared in a condition, written to FHIR and read back, and which
    control the case form gives it. Each kind is one subclass in ``KINDS``."""

    key: str
    label: str  # the kind's name for editors ("Yes / no")
    words: str  # what a condition's message calls a fact of it ("yes/no")
    control: str  # the form's control: yes_no, choice, several, date, number
    fhir_element: str  # the element of an Observation that holds its value
    whole = False  # a number that is a whole number

    def allowed_text(self, spec: FactSpec) -> str:
        raise NotImplementedError

    def display(self, spec: FactSpec, value, agrees) -> str:
        return str(value)

    def coerce(self, spec: FactSpec, value):
        raise NotImplementedError

    def literal_problem(self, spec: FactSpec, value, literal: str) -> str | None:
        """What is wrong with comparing the fact with ``value`` (``literal`` as typed)."""
        raise NotImplementedError

    def to_fhir(self, spec: FactSpec, value, own: Callable, standard: list) -> dict:
        """The Observation's value element; ``own(v)``: this app's coding of a choice,
        ``standard``: the standard codings of the value."""
        return {self.fhir_element: value}

    def from_fhir(self, spec: FactSpec, element, own_values: Callable):
        """The value an Observation's element holds (None: none; "!reason": refused);
        ``own_values(concept)``: the values of this app's codings in it."""
        return element


class _Boolean(FactType):
    key, label, words, control, fhir_element = (
        BOOLEAN,
        "Yes / no",
        "yes/no",
        "yes_no",
        "valueBoolean",
    )

    def allowed_text(self, spec):
        return "true, false"

    def display(self, spec, value, agrees):
        return "Yes" if value else "No"

    def coerce(self, spec, value):
        if not isinstance(value, bool):
            raise FactValueError(spec.name, f"expected true or false, got {value!r}")
        return value

    def literal_problem(self, spec, value, literal):
        if not isinstance(value, bool):
            return f"{spec.name} is a yes/no fact: compare it with true or false, not {literal}"
        return None


class _Choice(FactType):
    key, label, words, control = ENUM, "Choice", "choice", "choice"
    fhir_element = "valueCodeableConcept"

    def allowed_text(self, spec):
        return ", ".join(value for value, _ in spec.choices)

    def display(self, spec, value, agrees):
        return dict(spec.choices).get(str(value), str(value))

    def coerce(self, spec, value):
        if not isinstance(value, str):
            raise FactValueError(spec.name, f"expected one of {spec.allowed_text()}, got {value!r}")
        if value not in spec.values:
            raise FactValueError(
                spec.name, f"{value!r} is not an allowed value (allowed: {spec.allowed_text()})"
            )
        return value

    def literal_problem(self, spec, value, literal):
        if isinstance(value, bool | float):
            return f"{spec.name} is a choice fact: compare it with one of {spec.allowed_text()}, not {literal}"
        if value not in spec.values:
            return (
                f"{literal} is not an allowed value of {spec.name} (allowed: {spec.allowed_text()})"
            )
        return None

    def to_fhir(self, spec, value, own, standard):
        return {"valueCodeableConcept": {"coding": [*standard, own(value)],
                                         "text": spec.display_value(value)}}  # fmt: skip

    def from_fhir(self, spec, element, own_values):
        chosen = own_values(element)
        return chosen[0] if chosen else None


class _Several(_Choice):
    key, label, words, control = MULTI, "Several choices", "several-choice", "several"

    def display(self, spec, value, agrees):
        labels = dict(spec.choices)
        return ", ".join(labels.get(str(v), str(v)) for v in value)

    def coerce(self, spec, value):
        return _coerce_multi(spec, value)

    def to_fhir(self, spec, value, own, standard):  # one coding per value chosen
        return {"valueCodeableConcept": {"coding": [own(v) for v in value],
                                         "text": spec.display_value(value)}}  # fmt: skip

    def from_fhir(self, spec, element, own_values):
        return own_values(element) or None


class _Date(FactType):
    key, label, words, control, fhir_element = DATE, "Date", "date", "date", "valueDateTime"

    def allowed_text(self, spec):
        return "nothing: a date is read by the facts computed from it"

    def display(self, spec, value, agrees):
        day = datetime.date.fromisoformat(str(value))
        return f"{day.day} {day:%b %Y}"

    def coerce(self, spec, value):
        return _coerce_date(spec, value)

    def literal_problem(self, spec, value, literal):
        return None  # (a condition never compares a date: conditions.validate says so)

    def from_fhir(self, spec, element, own_values):
        return element[:10] if isinstance(element, str) else None


class _Number(FactType):
    key, label, words, control, fhir_element = NUMBER, "Number", "number", "number", "valueQuantity"
    whole = False

    def allowed_text(self, spec):
        return f"{'whole number' if self.whole else 'number'}, {spec.range_text()}"

    def display(self, spec, value, agrees):
        shown = _rounded(value)
        if agrees is not None and isinstance(value, float) and not agrees(float(shown)):
            shown = decimals_that_agree(value, agrees, least=2)
        return f"{shown} {spec.unit}".strip()

    def coerce(self, spec, value):
        return _coerce_number(spec, value)

    def literal_problem(self, spec, value, literal):
        if isinstance(value, bool) or not isinstance(value, float):
            return f"{spec.name} is a number ({spec.unit or 'no unit'}): compare it with a number, not {literal}"
        if self.whole and not value.is_integer():
            return f"{spec.name} is a whole number: {literal} has a fraction"
        if (spec.minimum is not None and value < spec.minimum) or (
            spec.maximum is not None and value > spec.maximum
        ):
            return f"{literal} is outside the range of {spec.name} ({spec.range_text()})"
        return None

    def to_fhir(self, spec, value, own, standard):
        quantity = {"value": value}
        if spec.unit:
            quantity["unit"] = spec.unit
        if spec.unit_code:
            quantity.update(system=UCUM, code=spec.unit_code)
        return {"valueQuantity": quantity}

    def from_fhir(self, spec, element, own_values):
        quantity = element or {}
        coded = quantity.get("system") == UCUM and quantity.get("code")
        if coded and spec.unit_code:  # the unit's code decides where it is given
            if coded != spec.unit_code:
                return f"!in {coded} (UCUM), not in {spec.unit_code}"
            return quantity.get("value")
        unit = quantity.get("unit")
        if unit and spec.unit and unit != spec.unit:
            return f"!in {unit}, not in {spec.unit}"
        return quantity.get("value")


class _Whole(_Number):
    key, label, words, fhir_element = INTEGER, "Whole number", "whole-number", "valueInteger"
    whole = True

    def to_fhir(self, spec, value, own, standard):
        return {"valueInteger": value}

    def from_fhir(self, spec, element, own_values):
        return element


UCUM = "http://unitsofmeasure.org"
# Every kind of fact, in the order editors choose from.
KINDS: Mapping[str, FactType] = {
    kind.key: kind for kind in (_Choice(), _Boolean(), _Whole(), _Number(), _Date(), _Several())
}


def coerce_facts(raw: Mapping[str, object], catalogue: Catalogue) -> dict[str, object]:
    """Check a whole mapping of facts; drop the unknown (None) ones.

    Raises FactValueError for an unknown fact name or a bad value.
    """
    facts: dict[str, object] = {}
    for name, value in raw.items():
        spec = catalogue.get(name)
        if spec is None:
            raise FactValueError(str(name), "no such fact in the catalogue")
        coerced = coerce_value(spec, value)
        if coerced is not None:
            facts[name] = coerced
    return facts


def in_catalogue_unit(spec: FactSpec, value: float, unit: str) -> float | None:
    """A number typed in one of the fact's alternative units, in the catalogue's unit
    (rounded to two decimals); None when ``unit`` is the catalogue's own or not known."""
    factor = dict(spec.alternative_units).get(unit)
    return round(value * factor, 2) if factor else None
