"""The lesion table of a case: one row per liver metastasis, added, changed and removed
in place. Every change gives the case a new version (its facts and scores follow from
the rows), so that a case form or a decision opened before knows it is out of date."""

from __future__ import annotations

import datetime

from django import forms
from django.db import transaction
from django.db.models import F, Max
from django.utils import timezone

from cases.models import Case
from common.text import BidiSafeFormMixin
from guidelines.scores import PARTS
from liver.models import SEGMENT_CHOICES, Lesion


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
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Lesion
        fields = [
            "segments",
            "diameter_mm",
            "imaging",
            "imaging_date",
            "vessels",
            "disappeared",
            "planned_treatment",
        ]
        widgets = {
            "imaging_date": forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}),
            "diameter_mm": forms.NumberInput(attrs={"min": 1, "max": 300, "step": 1}),
        }
        labels = {"vessels": "Relation to major vessels"}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["imaging"].choices = [("", "Not recorded"), *self.fields["imaging"].choices[1:]]
        self.fields["vessels"].choices = [("", "Not recorded"), *self.fields["vessels"].choices[1:]]
        if self.instance.pk:
            self.initial.setdefault("version", self.instance.version)

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


def _case_changed(case_id: int, user) -> None:
    Case.objects.filter(pk=case_id).update(
        version=F("version") + 1, updated_by=user, updated_at=timezone.now()
    )


def add(case: Case, form: LesionForm, user) -> Lesion:
    """Add the form's lesion at the end of the table."""
    with transaction.atomic():
        Case.objects.select_for_update().get(pk=case.pk)  # one number per lesion
        last = case.lesions.aggregate(last=Max("number"))["last"] or 0
        lesion = form.save(commit=False)
        lesion.case = case
        lesion.number = last + 1
        lesion.save()
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
        saved.save(update_fields=[*LesionForm.Meta.fields, "version"])
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
