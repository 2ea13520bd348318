"""Recording the patient's course from a case page: imaging timepoints with each lesion's
measurement, dated values of the facts recorded over time, and treatments.

Every change is one transaction that locks the patient (the course is the patient's) and
gives each of the patient's cases a new version, since their facts follow from the course:
a case form or a decision opened before then knows it is out of date. An edit names the
version it started from (``StaleRow``).
"""

from __future__ import annotations

import datetime

from django import forms
from django.db import transaction
from django.db.models import F
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone

from cases import lesion_modules
from cases.models import (
    Case,
    DatedValue,
    ImagingTimepoint,
    Modality,
    Patient,
    Treatment,
    TreatmentKind,
    parse_record_id,
)
from common.text import BidiSafeFormMixin
from guidelines import recist
from guidelines.facts import Catalogue, FactValueError, coerce_value, in_catalogue_unit
from guidelines.scores import MAX_DIAMETER_MM

DATE = forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"})
EARLIEST = datetime.date(1900, 1, 1)
NOT_MEASURED = ""
STATES = [(NOT_MEASURED, "Size (mm) or not measured"), (recist.NOT_SEEN, "Not seen"),
          (recist.TOO_SMALL, "Too small to measure")]  # fmt: skip


class OpensWithFocus:
    """A form opened on request (``opened``) puts the focus in its first field (htmx
    honours ``autofocus`` in what it swaps in), so that typing starts at once."""

    def focus_first(self, opened: bool) -> None:
        if opened:
            first = next(iter(self.fields.values()))
            first.widget.attrs["autofocus"] = True


class StaleRow(Exception):
    """The row was changed or removed by someone else since its form was opened."""


class TakenDay(Exception):
    """Someone recorded imaging of that date and modality meanwhile."""


def _a_past_day(day: datetime.date | None, what: str) -> datetime.date | None:
    if day and (day > timezone.localdate() or day < EARLIEST):
        raise forms.ValidationError(f"Enter the {what} (after 1900, not in the future).")
    return day


class TimepointForm(OpensWithFocus, BidiSafeFormMixin, forms.ModelForm):
    """An imaging timepoint and the case's lesions measured at it (one size or state each)."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = ImagingTimepoint
        fields = ["day", "modality", "place", "conclusion", "accession_number", "study_uid",
                  "non_target", "new_lesion"]  # fmt: skip
        widgets = {"day": DATE, "conclusion": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, case: Case, opened: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.focus_first(opened)
        self.case = case
        self.fields["modality"].choices = [("", "Not recorded"), *Modality.choices]
        self.fields["non_target"].choices = [("", "From the lesion table"),
                                             *self.fields["non_target"].choices[1:]]  # fmt: skip
        self.fields["non_target"].help_text = (
            "Left to the lesion table: the non-target lesions all not seen is absent, any seen "
            "present. Unequivocal progression is the board's judgement."
        )
        if self.instance.pk:
            self.initial.setdefault("version", self.instance.version)
        self.rows = list(lesion_modules.rows(case))
        for row in self.rows:
            size, state = self.size_name(row), self.state_name(row)
            self.fields[size] = forms.IntegerField(
                label=f"Lesion {row.number}", required=False, min_value=1,
                max_value=MAX_DIAMETER_MM,
                widget=forms.NumberInput(attrs={"min": 1, "max": MAX_DIAMETER_MM, "step": 1}),
            )  # fmt: skip
            self.fields[state] = forms.ChoiceField(
                label=f"Lesion {row.number}: or", choices=STATES, required=False
            )
            at = next((m for m in row.measurements.all() if self.instance.pk
                       and m.timepoint_id == self.instance.pk), None)  # fmt: skip
            if at is not None:
                measured = at.for_recist
                if isinstance(measured, int):
                    self.initial.setdefault(size, measured)
                else:
                    self.initial.setdefault(state, measured)

    @staticmethod
    def size_name(row) -> str:
        return f"lesion-{row.pk}-mm"

    @staticmethod
    def state_name(row) -> str:
        return f"lesion-{row.pk}-state"

    def lesion_fields(self) -> list[tuple]:
        """(row, its size field, its state field), in the table's order."""
        return [(row, self[self.size_name(row)], self[self.state_name(row)]) for row in self.rows]

    def clean_day(self) -> datetime.date:
        return _a_past_day(self.cleaned_data["day"], "date of the imaging")

    def clean(self):
        data = super().clean()
        self.measurements = {}
        for row in self.rows:
            size, state = data.get(self.size_name(row)), data.get(self.state_name(row), "")
            if size is not None and state:
                self.add_error(
                    self.state_name(row),
                    f"Lesion {row.number}: give its size or say it was not seen or too small, "
                    "not both.",
                )
            self.measurements[row.pk] = size if size is not None else (state or None)
        day, modality = data.get("day"), data.get("modality", "")
        if day:
            same = ImagingTimepoint.objects.filter(
                patient_id=self.case.patient_id, day=day, modality=modality
            ).exclude(pk=self.instance.pk)
            if same.exists():
                self.add_error(
                    "day",
                    "The patient has imaging of this date and modality already: "
                    "edit that one in the course.",
                )
        return data


class DatedValueForm(OpensWithFocus, BidiSafeFormMixin, forms.Form):
    """A dated value of one of the facts the area records over time."""

    fact = forms.ChoiceField(label="What")
    value = forms.FloatField()
    unit = forms.ChoiceField(required=False)
    day = forms.DateField(label="Date", widget=DATE)

    def __init__(self, *args, catalogue: Catalogue, opened: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.focus_first(opened)
        self.specs = {spec.name: spec for spec in catalogue.values() if spec.over_time}
        self.fields["fact"].choices = [
            (spec.name, f"{spec.label} ({spec.unit})" if spec.unit else spec.label)
            for spec in self.specs.values()
        ]
        units = {spec.unit for spec in self.specs.values()}
        units |= {unit for spec in self.specs.values() for unit, _ in spec.alternative_units}
        self.fields["unit"].choices = [("", "The fact's unit"), *((u, u) for u in sorted(units))]

    def clean_day(self) -> datetime.date:
        return _a_past_day(self.cleaned_data["day"], "date of the value")

    def clean(self):
        data = super().clean()
        spec = self.specs.get(data.get("fact", ""))
        value = data.get("value")
        if spec is None or value is None:
            return data
        unit = data.get("unit") or spec.unit
        if unit != spec.unit and unit not in dict(spec.alternative_units):
            self.add_error("unit", f"{spec.label} is not recorded in {unit}.")
            return data
        converted = in_catalogue_unit(spec, value, unit)
        try:
            data["stored"] = coerce_value(spec, converted if converted is not None else value)
        except FactValueError as error:
            shown = f" ({converted:g} {spec.unit} after conversion)" if converted else ""
            self.add_error("value", f"{error.message[:1].upper()}{error.message[1:]}{shown}.")
            return data
        data["entered_as"] = [value, unit] if converted is not None else []
        return data


class TreatmentForm(OpensWithFocus, BidiSafeFormMixin, forms.ModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Treatment
        fields = ["kind", "line", "regimen", "started_on", "ended_on", "cycles", "stop_reason"]
        widgets = {"started_on": DATE, "ended_on": DATE}

    def __init__(self, *args, opened: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.focus_first(opened)
        self.fields["stop_reason"].choices = [("", "Not stopped / not recorded"),
                                              *self.fields["stop_reason"].choices[1:]]  # fmt: skip
        if self.instance.pk:
            self.initial.setdefault("version", self.instance.version)

    def clean_started_on(self):
        return _a_past_day(self.cleaned_data["started_on"], "start date")

    def clean_ended_on(self):
        return _a_past_day(self.cleaned_data.get("ended_on"), "end date")

    def clean(self):
        data = super().clean()
        kind, line = data.get("kind"), data.get("line")
        if kind == TreatmentKind.SYSTEMIC and line is None and "line" not in self.errors:
            self.add_error("line", "Enter the line of systemic therapy (1 for the first).")
        if kind and kind != TreatmentKind.SYSTEMIC:
            if line is not None:
                self.add_error("line", "Only systemic therapy has a line.")
            for name in ("cycles",):
                if data.get(name) is not None:
                    self.add_error(name, "Only systemic therapy has cycles.")
        started, ended = data.get("started_on"), data.get("ended_on")
        if started and ended and ended < started:
            self.add_error("ended_on", "The end is before the start.")
        if data.get("stop_reason") and not ended and "ended_on" not in self.errors:
            self.add_error("ended_on", "Enter when it stopped.")
        return data


# --- The case page's region ---


def page_context(request: HttpRequest, case: Case, seen, extra: dict) -> dict:
    """What the course region needs: the form someone opened (``course_edit``: "imaging-new",
    "imaging-<pk>", "treatment-new", "treatment-<pk>", "value-new"), or the one a post gave
    back with its errors; takes its keys from ``extra``. The page itself shows only the
    buttons that open them: most who read a case do not change its course."""
    editing = extra.pop("course_editing", None) or request.GET.get("course_edit", "")
    kind, _, number = editing.partition("-")
    pk = parse_record_id(number)
    imaging = extra.pop("timepoint_form", None)
    treating = extra.pop("treatment_form", None)
    valuing = extra.pop("value_form", None)
    if imaging is None and kind == "imaging":
        point = next((p.timepoint for p in seen.course.points if p.timepoint.pk == pk), None)
        if point is not None or number == "new":
            imaging = timepoint_form(case, point, opened=True)
    if treating is None and kind == "treatment":
        treatment = next((t for t in seen.course.treatments if t.pk == pk), None)
        if treatment is not None or number == "new":
            treating = treatment_form(treatment, opened=True)
    if valuing is None and editing == "value-new":
        valuing = DatedValueForm(prefix="value", catalogue=seen.catalogue, opened=True)
    return {
        "course": seen.course,
        # The rows' links: /cases/<pk>/course/ + imaging/<pk>/ (and remove/), values/<pk>/
        # remove/, treatments/<pk>/ (``cases.urls``; built once, not reversed per row).
        "course_base": reverse("cases:timepoint_add", args=[case.pk]).removesuffix("imaging/"),
        "timepoint_form": imaging,
        "treatment_form": treating,
        "value_form": valuing,
        "records_over_time": any(spec.over_time for spec in seen.catalogue.values()),
    }


def timepoint_form(
    case: Case, timepoint: ImagingTimepoint | None, data=None, *, opened=False
) -> TimepointForm:
    prefix = f"imaging-{timepoint.pk}" if timepoint else "imaging"
    return TimepointForm(data, instance=timepoint, prefix=prefix, case=case, opened=opened)


def treatment_form(treatment: Treatment | None, data=None, *, opened=False) -> TreatmentForm:
    prefix = f"treatment-{treatment.pk}" if treatment else "treatment"
    return TreatmentForm(data, instance=treatment, prefix=prefix, opened=opened)


# --- Saving ---------------------------------------------------------------------------


def _patient_changed(patient_id: int, user) -> None:
    """The course is the patient's: each of their cases' facts may have changed."""
    Case.objects.filter(patient_id=patient_id).update(
        version=F("version") + 1, updated_by=user, updated_at=timezone.now()
    )


def _locked(case: Case) -> None:
    Patient.objects.select_for_update().get(pk=case.patient_id)


def _checked(model, pk: int, version) -> object:
    current = model.objects.select_for_update().filter(pk=pk).first()
    if current is None or current.version != version:
        raise StaleRow
    return current


def _saved(case: Case, form, model, user):
    """The form's row saved for the case's patient (the lock held): a new one recorded with
    the case, or an edit of the version the form started from (else ``StaleRow``)."""
    row = form.save(commit=False)
    if row.pk:
        current = _checked(model, row.pk, form.cleaned_data.get("version"))
        if current.patient_id != case.patient_id:
            raise StaleRow
        row.version = current.version + 1
    else:
        row.patient_id, row.case, row.created_by = case.patient_id, case, user
    row.updated_by = user
    row.save()
    return row


def save_timepoint(case: Case, form: TimepointForm, user) -> ImagingTimepoint:
    """Add or change a timepoint with the measurements the form gives (a lesion left
    empty is not measured there)."""
    module = lesion_modules.get(case.area.lesion_module) if case.area_id else None
    with transaction.atomic():
        _locked(case)
        day, modality = form.cleaned_data["day"], form.cleaned_data.get("modality", "")
        taken = ImagingTimepoint.objects.filter(
            patient_id=case.patient_id, day=day, modality=modality
        ).exclude(pk=form.instance.pk)
        if taken.exists():
            raise TakenDay
        timepoint = _saved(case, form, ImagingTimepoint, user)
        if module is not None and module.measure is not None:
            module.measure(case, timepoint, form.measurements)
        _patient_changed(case.patient_id, user)
    return timepoint


def add_value(case: Case, form: DatedValueForm, user) -> DatedValue | None:
    """Add the value; None when the patient has a value of that fact on that day."""
    data = form.cleaned_data
    with transaction.atomic():
        _locked(case)
        value, made = DatedValue.objects.get_or_create(
            patient_id=case.patient_id, fact=data["fact"], day=data["day"],
            defaults={"case": case, "value": data["stored"], "entered_as": data["entered_as"],
                      "created_by": user, "updated_by": user},
        )  # fmt: skip
        if not made:
            return None
        _patient_changed(case.patient_id, user)
    return value


def save_treatment(case: Case, form: TreatmentForm, user) -> Treatment:
    with transaction.atomic():
        _locked(case)
        treatment = _saved(case, form, Treatment, user)
        _patient_changed(case.patient_id, user)
    return treatment


def remove(case: Case, row, user) -> None:
    """Remove a row of the patient's course (an imaging with its measurements, a value,
    a treatment); one removed meanwhile is gone already."""
    with transaction.atomic():
        _locked(case)
        type(row).objects.filter(pk=row.pk, patient_id=case.patient_id).delete()
        _patient_changed(case.patient_id, user)


def record_course(case: Case, course: dict, user) -> None:
    """Record a course read from a FHIR bundle (``interop.fhir_import``, checked there as
    these forms check it) for the case's patient, in the caller's transaction. What the
    patient has already (imaging of the same date and modality, a value of the same fact
    and date, the same treatment from the same day) is kept as it is."""
    made = {"case": case, "created_by": user, "updated_by": user}
    for item in course.get("imaging", ()):
        ImagingTimepoint.objects.get_or_create(
            patient_id=case.patient_id, day=item["day"], modality=item["modality"],
            defaults={**made, **{key: item[key] for key in (
                "place", "conclusion", "accession_number", "study_uid", "non_target",
                "new_lesion")}},
        )  # fmt: skip
    for item in course.get("values", ()):
        DatedValue.objects.get_or_create(
            patient_id=case.patient_id, fact=item["fact"], day=item["day"],
            defaults={**made, "value": item["value"]},
        )  # fmt: skip
    for item in course.get("treatments", ()):
        Treatment.objects.get_or_create(
            patient_id=case.patient_id, kind=item["kind"], started_on=item["started_on"],
            line=item["line"],
            defaults={**made, **{key: item[key] for key in (
                "regimen", "ended_on", "cycles", "stop_reason")}},
        )  # fmt: skip
