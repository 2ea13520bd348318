"""The lesion table of a case: one row per liver metastasis, added, changed and removed
in place. Every change gives the case a new version (its facts and scores follow from
the rows), so that a case form or a decision opened before knows it is out of date.

A row's size is its measurement at its latest imaging timepoint (``liver.models.Measurement``):
the form shows that one and saves it at the timepoint of the imaging date and modality it
names (found, or made for the patient). Restaging measures every lesion at once through
the course's timepoint form (``cases.course``)."""

from __future__ import annotations

import datetime

from django import forms
from django.db import transaction
from django.db.models import F, Max
from django.utils import timezone

from cases.models import Case, ImagingTimepoint, Modality
from common.text import BidiSafeFormMixin
from guidelines.recist import MAX_TARGETS_PER_ORGAN, MEASURABLE_MM
from guidelines.registry import LESION_FIELDS
from guidelines.scores import MAX_DIAMETER_MM, PARTS
from liver.models import SEGMENT_CHOICES, Lesion, Measurement, MeasurementState


class StaleLesion(Exception):
    """The row was changed or removed by someone else since this form was opened."""


class LesionForm(BidiSafeFormMixin, forms.ModelForm):
    segments = forms.MultipleChoiceField(
        choices=SEGMENT_CHOICES,
        widget=forms.CheckboxSelectMultiple,
        help_text="One or more (Couinaud); IV when IVa or IVb is not known.",
    )
    disappeared = forms.NullBooleanField(
        label="No longer visible after neoadjuvant therapy",
        required=False,
        widget=forms.Select(choices=[("unknown", "Not known"), ("true", "Yes"), ("false", "No")]),
    )
    # Its measurement at one imaging (the latest, for a row being edited).
    diameter_mm = forms.IntegerField(
        label="Largest diameter (mm)", required=False, min_value=1, max_value=MAX_DIAMETER_MM,
        help_text=f"At the imaging below, 1–{MAX_DIAMETER_MM} mm.",
        widget=forms.NumberInput(attrs={"min": 1, "max": MAX_DIAMETER_MM, "step": 1}),
    )  # fmt: skip
    imaging = forms.ChoiceField(choices=[("", "Not recorded"), *Modality.choices], required=False)
    imaging_date = forms.DateField(
        required=False,
        widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}),
    )
    bile_duct_contact = forms.NullBooleanField(
        label="Contact with a major bile duct",
        required=False,
        widget=forms.Select(choices=[("unknown", "Not known"), ("true", "Yes"), ("false", "No")]),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Lesion
        fields = ["segments", "vessels", "disappeared", "planned_treatment", "target",
                  "viable_diameter_mm", "bile_duct_contact"]  # fmt: skip
        labels = {"vessels": "Relation to major vessels"}
        widgets = {"viable_diameter_mm": forms.NumberInput(
            attrs={"min": 0, "max": MAX_DIAMETER_MM, "step": 1})}  # fmt: skip

    field_order = ["segments", "diameter_mm", "imaging", "imaging_date", "viable_diameter_mm",
                   "vessels", "bile_duct_contact", "disappeared", "planned_treatment",
                   "target"]  # fmt: skip

    def __init__(self, *args, case: Case | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.case_id = case.pk if case else self.instance.case_id
        # The per-lesion fields of the case's area only (``DiseaseArea.lesion_fields``).
        owner = case or (self.instance.case if self.instance.case_id else None)
        chosen = owner.area.lesion_fields if owner is not None else []
        for name in LESION_FIELDS:
            if name not in chosen:
                del self.fields[name]
        self.fields["vessels"].choices = [("", "Not recorded"), *self.fields["vessels"].choices[1:]]
        if self.instance.pk:
            self.initial.setdefault("version", self.instance.version)
            latest = self.instance.latest
            if latest is not None:
                self.initial.setdefault("diameter_mm", latest.diameter_mm)
                self.initial.setdefault("imaging", latest.timepoint.modality)
                self.initial.setdefault("imaging_date", latest.timepoint.day)

    def clean_segments(self) -> list[str]:
        chosen = self.cleaned_data["segments"]
        for whole, halves in PARTS.items():
            if whole in chosen and set(halves) & set(chosen):
                raise forms.ValidationError(
                    f"Choose {whole}, or {' / '.join(sorted(halves))}, not both."
                )
        order = [value for value, _ in SEGMENT_CHOICES]
        return sorted(chosen, key=order.index)

    def clean_imaging_date(self) -> datetime.date | None:
        day = self.cleaned_data["imaging_date"]
        if day and (day > timezone.localdate() or day.year < 1900):
            raise forms.ValidationError("Enter the date of the imaging (not in the future).")
        return day

    def clean(self):
        data = super().clean()
        if (
            data.get("diameter_mm")
            and not data.get("imaging_date")
            and "imaging_date" not in (self.errors)
        ):
            self.add_error("imaging_date", "Enter the date of the imaging this size is from.")
        if data.get("target"):
            self._check_target(data)
        return data

    def _check_target(self, data) -> None:
        """RECIST 1.1 (liver domain fact sheet §7): a target is measurable at baseline, and
        the liver has at most two. (Measurability at baseline is checked again where the
        response is assessed, since the baseline may change.)"""
        size = data.get("diameter_mm")
        if size is not None and size < MEASURABLE_MM:
            self.add_error("target", f"A target lesion measures at least {MEASURABLE_MM} mm.")
        case_id = self.case_id
        others = Lesion.objects.filter(case_id=case_id, target=True).exclude(pk=self.instance.pk)
        if case_id and others.count() >= MAX_TARGETS_PER_ORGAN:
            self.add_error(
                "target",
                f"The liver has at most {MAX_TARGETS_PER_ORGAN} target lesions "
                "(RECIST 1.1); this case has them already.",
            )


def _case_changed(case_id: int, user) -> None:
    Case.objects.filter(pk=case_id).update(
        version=F("version") + 1, updated_by=user, updated_at=timezone.now()
    )


def timepoint_for(case: Case, day: datetime.date, modality: str, user) -> ImagingTimepoint:
    """The patient's imaging of that day and modality, made when there is none."""
    timepoint, _ = ImagingTimepoint.objects.get_or_create(
        patient_id=case.patient_id, day=day, modality=modality,
        defaults={"case": case, "created_by": user, "updated_by": user},
    )  # fmt: skip
    return timepoint


def _measure(lesion: Lesion, form: LesionForm, user) -> None:
    """Save the form's size at the timepoint it names: the latest measurement moves there
    (it is what the form showed), or a first one is made. An emptied size removes the
    latest measurement (not measured)."""
    data = form.cleaned_data
    latest = Measurement.objects.filter(lesion=lesion).order_by(
        "-timepoint__day", "-timepoint__pk"
    ).select_related("timepoint").first()  # fmt: skip
    if data.get("diameter_mm") is None:
        if latest is not None and latest.state == MeasurementState.MEASURED:
            latest.delete()
        return
    timepoint = timepoint_for(lesion.case, data["imaging_date"], data.get("imaging", ""), user)
    there = Measurement.objects.filter(lesion=lesion, timepoint=timepoint).first()
    row = there or latest or Measurement(lesion=lesion)
    row.timepoint = timepoint
    row.state, row.diameter_mm = MeasurementState.MEASURED, data["diameter_mm"]
    row.save()


def measure(case: Case, timepoint: ImagingTimepoint, sizes: dict) -> None:
    """The case's lesions at a timepoint (the course's timepoint form): each row's size in
    mm, not seen or too small to measure; None removes its measurement there."""
    rows = {row.pk: row for row in case.lesions.all()}
    for pk, size in sizes.items():
        if pk not in rows:
            continue  # removed meanwhile
        if size is None:
            Measurement.objects.filter(lesion_id=pk, timepoint=timepoint).delete()
            continue
        state = MeasurementState.MEASURED if isinstance(size, int) else size
        Measurement.objects.update_or_create(
            lesion_id=pk, timepoint=timepoint,
            defaults={"state": state,
                      "diameter_mm": size if state == MeasurementState.MEASURED else None},
        )  # fmt: skip
    Lesion.objects.filter(pk__in=[pk for pk in sizes if pk in rows]).update(
        version=F("version") + 1
    )  # (a row's form opened before shows another size)


def add(case: Case, form: LesionForm, user) -> Lesion:
    """Add the form's lesion at the end of the table."""
    with transaction.atomic():
        Case.objects.select_for_update().get(pk=case.pk)  # one number per lesion
        last = case.lesions.aggregate(last=Max("number"))["last"] or 0
        lesion = form.save(commit=False)
        lesion.case = case
        lesion.number = last + 1
        lesion.save()
        _measure(lesion, form, user)
        _case_changed(case.pk, user)
    return lesion


def change(lesion: Lesion, form: LesionForm, user) -> Lesion:
    """Save an edited row; StaleLesion when it changed since the form was opened."""
    with transaction.atomic():
        current = Lesion.objects.select_for_update().filter(pk=lesion.pk).first()
        if current is None or current.version != form.cleaned_data.get("version"):
            raise StaleLesion
        saved = form.save(commit=False)
        saved.version = current.version + 1
        # Only what the form edits: a removal meanwhile may have renumbered the row.
        saved.save(update_fields=[*(f for f in LesionForm.Meta.fields if f in form.fields),
                                  "version"])  # fmt: skip
        _measure(saved, form, user)
        _case_changed(lesion.case_id, user)
    return saved


def remove(lesion: Lesion, user) -> None:
    """Remove a row and number the rest again, in order."""
    with transaction.atomic():
        case = Case.objects.select_for_update().get(pk=lesion.case_id)
        Lesion.objects.filter(pk=lesion.pk).delete()
        for number, row in enumerate(case.lesions.order_by("number"), start=1):
            if row.number != number:
                Lesion.objects.filter(pk=row.pk).update(number=number)
        _case_changed(case.pk, user)
