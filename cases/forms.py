"""The case form: patient, referral and the case's facts, in one form.

The fact fields are built from the fact catalogue, so a fact an editor adds in
the admin appears on the form without a code change. Every value goes through
``guidelines.facts.coerce_value``, the same check the command line uses.

The form holds fields and errors only. Which patient a case belongs to and
saving are ``cases.services``; the form is a plain ``Form``, so there is no
``save()`` that could store a case without its patient or facts.
"""

from __future__ import annotations

import datetime
import re

from django import forms
from django.core import signing
from django.db.models import prefetch_related_objects
from django.utils import timezone

from cases import course, lesion_modules
from cases.models import (
    PATIENT_FACTS,
    STATUS_CHOICES_FROM,
    Case,
    CaseStatus,
    Patient,
    Sex,
    patient_facts,
)
from cases.services import CaseEntry, check_identity
from common.text import BidiSafeFormMixin
from guidelines import scores
from guidelines.derived import derivations, derive, with_derived, with_given_values
from guidelines.facts import (
    Catalogue,
    FactSpec,
    FactValueError,
    coerce_value,
    in_catalogue_unit,
)
from guidelines.models import by_section
from guidelines.registry import FollowsFrom

FACT_PREFIX = "fact_"
UNIT_SUFFIX = "__unit"
MRN_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 ./-]*$")
YES_NO = [("", "Not known"), ("yes", "Yes"), ("no", "No")]
# Browsers' date pickers take and give ISO dates, whatever the page's language.
DATE_WIDGET = {"format": "%Y-%m-%d", "attrs": {"type": "date"}}


# Inputs that conditions read (facts, and the patient data behind sex and age): only a
# change to one of them refreshes the live match panel.
READS_FACTS = {"data-facts": ""}


def initial_value(spec: FactSpec, value: object) -> object:
    """A stored value as the form's control holds it (yes/no for a yes/no fact)."""
    if spec.type.control == "yes_no" and value is not None:
        return "yes" if value else "no"
    return value


def _fact_field(spec: FactSpec) -> forms.Field:
    """The form's control of a fact, as its kind says (``guidelines.facts.KINDS``)."""
    common = {"label": spec.label, "required": False, "help_text": spec.help_text}
    control = spec.type.control
    if control == "yes_no":
        return forms.TypedChoiceField(
            choices=YES_NO,
            coerce=lambda v: v == "yes",
            empty_value=None,
            widget=forms.RadioSelect(attrs={"class": "yes-no", **READS_FACTS}),
            **common,
        )
    if control == "choice":
        return forms.ChoiceField(
            choices=[("", "Not known"), *spec.choices],
            widget=forms.Select(attrs=READS_FACTS),
            **common,
        )
    if control == "several":
        return forms.MultipleChoiceField(
            choices=list(spec.choices),
            widget=forms.CheckboxSelectMultiple(attrs=READS_FACTS),
            **common,
        )
    if control == "date":
        return forms.DateField(
            widget=forms.DateInput(
                format=DATE_WIDGET["format"], attrs={**DATE_WIDGET["attrs"], **READS_FACTS}
            ),
            **common,
        )
    whole = spec.type.whole
    attrs = {"step": "1" if whole else "any", "inputmode": "decimal", **READS_FACTS}
    if spec.minimum is not None:
        attrs["min"] = f"{spec.minimum:g}"
    if spec.maximum is not None and not spec.alternative_units:
        attrs["max"] = f"{spec.maximum:g}"
    field_class = forms.IntegerField if whole else forms.FloatField
    field = field_class(widget=forms.NumberInput(attrs=attrs), **common)
    field.unit = spec.unit
    return field


IMPORTED_COURSE = "cases.imported-course"
IMPORTED_COURSE_AGE = 24 * 3600  # seconds: an import is saved the same day


class CaseForm(BidiSafeFormMixin, forms.Form):
    """Create or edit a case together with its patient and facts."""

    name_fields = ("mrn", "patient_name", "referring_clinician")
    text_fields = ("question", "clinical_summary")

    mrn = forms.CharField(label="Hospital number (MRN)", max_length=32)
    patient_name = forms.CharField(label="Patient name", max_length=200)
    date_of_birth = forms.DateField(
        label="Date of birth",
        widget=forms.DateInput(
            format=DATE_WIDGET["format"], attrs={**DATE_WIDGET["attrs"], **READS_FACTS}
        ),
    )
    # No default: a sex nobody chose must not be saved as the first choice.
    sex = forms.ChoiceField(
        label="Sex",
        choices=[("", "Choose…"), *Sex.choices],
        widget=forms.Select(attrs=READS_FACTS),
        error_messages={"required": "Choose the patient's sex, or “Not known”."},
    )
    use_existing_patient = forms.BooleanField(
        label="Add this case to the existing patient with this MRN", required=False
    )
    confirm_new_patient = forms.BooleanField(
        label="This is a different person with the same name and date of birth: create a new patient",
        required=False,
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    patient_version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    # The course read from a FHIR bundle (``interop.fhir_import``), signed: recorded with a
    # new case (``cases.course_forms.record_course``).
    imported_course = forms.CharField(widget=forms.HiddenInput, required=False)
    question = forms.CharField(
        label="Question for the board", max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )
    clinical_summary = forms.CharField(
        max_length=20000, required=False, widget=forms.Textarea(attrs={"rows": 6})
    )
    referring_clinician = forms.CharField(max_length=200)
    referral_date = forms.DateField(
        initial=timezone.localdate,
        widget=forms.DateInput(
            format=DATE_WIDGET["format"], attrs={**DATE_WIDGET["attrs"], **READS_FACTS}
        ),
    )
    status = forms.ChoiceField(
        choices=CaseStatus.choices,
        initial=CaseStatus.DRAFT,
        help_text="“On a meeting's agenda”, “Discussed” and “actions open” follow the agenda "
        "and the board's signed decisions.",
    )

    def __init__(self, data=None, *, case: Case | None = None, catalogue: Catalogue, **kwargs):
        super().__init__(data, **kwargs)
        self.case = case
        self.catalogue = catalogue
        self.existing_patient: Patient | None = None
        self.namesake: Patient | None = None  # same name and birth date, another MRN
        # Not the patient record's facts, nor those computed from others (scores).
        self.fact_specs = [
            spec
            for spec in catalogue.values()
            if spec.name not in PATIENT_FACTS and not spec.computed
        ]
        for spec in self.fact_specs:
            self.fields[FACT_PREFIX + spec.name] = _fact_field(spec)
            units = spec.alternative_units
            if units:
                self.fields[FACT_PREFIX + spec.name + UNIT_SUFFIX] = forms.ChoiceField(
                    label=f"Unit of {spec.label.lower()}",
                    choices=[(spec.unit, spec.unit), *((unit, unit) for unit, _ in units)],
                    required=False,
                    widget=forms.Select(attrs=READS_FACTS),
                )
        status = self.fields["status"]
        choices = STATUS_CHOICES_FROM.get(case.status if case else None)
        if choices is None:  # on an agenda, or actions open: the meeting moves it on
            status.disabled = True
        else:
            status.choices = [(value, CaseStatus(value).label) for value in choices]
        if case is not None:
            patient = case.patient
            self.initial.update(
                referral_date=case.referral_date,
                referring_clinician=case.referring_clinician,
                question=case.question,
                clinical_summary=case.clinical_summary,
                status=case.status,
                mrn=patient.mrn,
                patient_name=patient.name,
                date_of_birth=patient.date_of_birth,
                sex=patient.sex,
                version=case.version,
                patient_version=patient.version,
            )
            for spec in self.fact_specs:
                value = initial_value(spec, case.facts.get(spec.name))
                entered = case.entered_as.get(spec.name)
                if entered and value is not None:  # as typed, in the unit typed
                    value = entered[0]
                    self.initial[FACT_PREFIX + spec.name + UNIT_SUFFIX] = entered[1]
                self.initial[FACT_PREFIX + spec.name] = value
            # Facts the lesion table or the patient's course give are not typed while
            # they give them.
            prefetch_related_objects([case], *course.relations())  # values and count
            self.given = case.given_values(catalogue)
            rows = [row.for_scores() for row in lesion_modules.rows(case)]
            undecided = scores.lesion_facts_in_words(rows)
            from_course = course.given(case, catalogue)
            for name in self.given:
                field = self.fields.get(FACT_PREFIX + name)
                if field is None:
                    continue
                field.disabled = True
                if name in from_course:
                    field.help_text = f"From the course on the case page: {from_course[name][1]}."
                else:
                    field.help_text = (
                        f"From the lesion table ({len(rows)} rows) on the case page"
                        + (f": {undecided[name]}." if name in undecided else ".")
                    )
        else:
            self.given = {}

    # --- Layout helpers for the template ------------------------------------------

    def fact_sections(self) -> list[tuple[str, list]]:
        """(section label, fields) in form order: each a bound field, its unit, the unit
        selector, and for a fact that may follow from another, how (see ``derived_rules``)."""
        rules = self.derived_rules()
        if self.is_bound:
            current = self.fact_values()
        elif self.case is not None:
            current = self.case.fact_values(self.catalogue)
        else:
            current = {}
        derived_now = derive(current, self.catalogue)
        rows = []
        for spec in self.fact_specs:
            name = FACT_PREFIX + spec.name
            unit_name = name + UNIT_SUFFIX
            rule = rules.get(name)
            if rule:
                rule = {**rule, "active": spec.name in derived_now}
            rows.append(
                (
                    spec.group_label,
                    self[name],
                    getattr(self.fields[name], "unit", ""),
                    self[unit_name] if unit_name in self.fields else None,
                    rule,
                )
            )
        return [
            (label, [row[1:] for row in section_rows])
            for label, section_rows in by_section(rows, label=lambda row: row[0])
        ]

    # --- Validation ---------------------------------------------------------------

    def clean_mrn(self) -> str:
        mrn = self.cleaned_data["mrn"].strip()
        if not MRN_PATTERN.match(mrn):
            raise forms.ValidationError(
                "Use letters, digits, spaces and . / - only, starting with a letter or digit."
            )
        return mrn

    def clean_patient_name(self) -> str:
        name = " ".join(self.cleaned_data["patient_name"].split())
        if not any(ch.isalpha() for ch in name):
            raise forms.ValidationError("Enter the patient's name.")
        return name

    def clean_date_of_birth(self) -> datetime.date:
        born = self.cleaned_data["date_of_birth"]
        if born > timezone.localdate():
            raise forms.ValidationError("The date of birth is in the future.")
        if born < datetime.date(1900, 1, 1):
            raise forms.ValidationError("Enter a date of birth after 1900.")
        return born

    def clean_imported_course(self) -> dict:
        text = self.cleaned_data.get("imported_course") or ""
        if not text or self.case is not None:
            return {}
        try:
            return signing.loads(text, salt=IMPORTED_COURSE, max_age=IMPORTED_COURSE_AGE)
        except signing.BadSignature:
            self.add_error(
                None, "The course read from the bundle could not be read back (it is older "
                "than a day or was changed): import the bundle again.",
            )  # fmt: skip
            return {}

    def clean_referral_date(self) -> datetime.date:
        day = self.cleaned_data["referral_date"]
        if day.year < 1900 or day > timezone.localdate() + datetime.timedelta(days=366):
            raise forms.ValidationError("Enter a referral date between 1900 and next year.")
        return day

    def clean(self):
        cleaned = super().clean()
        self.facts = self._clean_facts(cleaned, report=True)
        # A fact that follows from others (a man's "pregnant") is not stored as typed,
        # nor one the lesion table or the course gives.
        for name in derive({**self.facts, **self._patient_values(cleaned)}, self.catalogue):
            self.facts.pop(name, None)
        for name in self.given:
            self.facts.pop(name, None)
        born, referred = cleaned.get("date_of_birth"), cleaned.get("referral_date")
        if born and referred and referred < born:
            self.add_error("referral_date", "The referral date is before the date of birth.")
        if cleaned.get("mrn"):
            identity = check_identity(cleaned, self.case.patient if self.case else None)
            self.existing_patient, self.namesake = identity.existing, identity.namesake
            for key, message in identity.errors:
                self.add_error(key, message)
        return cleaned

    def _clean_facts(self, cleaned: dict, *, report: bool) -> dict[str, object]:
        facts: dict[str, object] = {}
        if report:
            self.entered_as: dict[str, list] = {}
        for spec in self.fact_specs:
            name = FACT_PREFIX + spec.name
            if name not in cleaned:
                continue  # the field's own validation failed and said why
            value = cleaned[name]
            if value in ("", None, []):
                continue
            unit = cleaned.get(name + UNIT_SUFFIX) or spec.unit
            converted = in_catalogue_unit(spec, value, unit)
            if converted is not None:
                if report:
                    self.entered_as[spec.name] = [value, unit]
                value = converted
            try:
                value = coerce_value(spec, value)
            except FactValueError as error:
                if report:
                    shown = f" ({value:g} {spec.unit} after conversion)" if converted else ""
                    self.add_error(name, f"{error.message[:1].upper()}{error.message[1:]}{shown}.")
                continue
            facts[spec.name] = value
        return facts

    def fact_values(self) -> dict[str, object]:
        """What the form holds so far, as the matching engine reads it; never raises.

        Invalid fields are left out, so the live match panel works on a half-filled form.
        """
        self.is_valid()
        data = self.cleaned_data
        values = self._clean_facts(data, report=False)
        values.update(self._patient_values(data))
        return with_derived(with_given_values(values, self.given), self.catalogue)

    def _patient_values(self, data: dict) -> dict[str, object]:
        return patient_facts(
            self.catalogue,
            data.get("sex"),
            data.get("date_of_birth"),
            data.get("referral_date") or timezone.localdate(),
        )

    def derived_rules(self) -> dict[str, dict]:
        """For the form's script: each derived fact, the control it follows and when."""
        rules = {}
        for rule in derivations(self.catalogue):
            if not isinstance(rule, FollowsFrom):
                continue
            source = rule.input
            if source not in self.catalogue:
                continue
            spec = self.catalogue[rule.fact]
            rules[FACT_PREFIX + rule.fact] = {
                "control": source if source in PATIENT_FACTS else FACT_PREFIX + source,
                "when": sorted(rule.when) if rule.when is not None else None,
                "note": f"{spec.display_value(rule.value).capitalize()}: follows from "
                f"{self.catalogue[source].label.lower()}.",
            }
        return rules

    def entry(self, area_id: int) -> CaseEntry:
        """What a valid form asks to save (``cases.services.save_case``); ``area_id`` is
        the disease area whose catalogue the form was built from (kept by a new case)."""
        data = self.cleaned_data
        return CaseEntry(
            data=data,
            area_id=area_id,
            facts=self.facts,
            entered_as=self.entered_as,
            existing_patient=self.existing_patient,
            version=data.get("version"),
            patient_version=data.get("patient_version"),
            course=data.get("imported_course") or {},
        )
