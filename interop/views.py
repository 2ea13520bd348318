"""A case as a FHIR Bundle, and a new case started from another system's Bundle."""

from __future__ import annotations

import json

from django import forms
from django.core import signing
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from accounts.access import require
from cases.access import get_case_for_user
from cases.forms import FACT_PREFIX, IMPORTED_COURSE, CaseForm, initial_value
from cases.models import patient_facts
from documents import delivery
from guidelines import snapshot
from interop import fhir
from interop import fhir_import as reading


@require_http_methods(["GET"])
def case_fhir(request: HttpRequest, pk: int) -> HttpResponse:
    """The case and its signed decisions as a FHIR R4 Bundle (identified: the case page's
    reader sees the patient anyway); the read goes into the read log."""
    case = get_case_for_user(request, pk)
    body = json.dumps(fhir.case_bundle(case), ensure_ascii=False, indent=2)
    return delivery.deliver(request, "fhir_bundle", body, f"case-{case.pk}-fhir.json", [case])


class ImportForm(forms.Form):
    bundle = forms.FileField(
        label="FHIR Bundle (JSON)",
        help_text="A FHIR R4 Bundle from another system, with one Patient and their Conditions "
        "and Observations. Nothing is saved until you save the case.",
    )
    area = forms.ChoiceField(label="Disease area")

    def clean_bundle(self):
        bundle = self.cleaned_data["bundle"]
        if bundle.size > reading.MAX_BYTES:  # refused before it is read into memory
            raise forms.ValidationError(
                f"The file is larger than {reading.MAX_BYTES // (1024 * 1024)} MB."
            )
        return bundle

    def __init__(self, *args, areas, **kwargs):
        super().__init__(*args, **kwargs)
        self.areas = {content.area.slug: content for content in areas}
        self.fields["area"].choices = [(slug, c.area.name) for slug, c in self.areas.items()]
        if len(self.areas) == 1:
            self.fields["area"].initial = next(iter(self.areas))


@require_http_methods(["GET", "POST"])
def fhir_import(request: HttpRequest) -> HttpResponse:
    """Upload a Bundle; see what it gives on the new-case form, filled in, with what was
    taken and what was left; save the case there (or not)."""
    require(request, "cases.add_case")
    form = ImportForm(
        request.POST or None, request.FILES or None, areas=snapshot.current().areas.values()
    )
    if request.method == "POST" and form.is_valid():
        content = form.areas[form.cleaned_data["area"]]
        try:
            found = reading.read(form.cleaned_data["bundle"].read(), content.catalogue)
        except reading.BundleError as error:
            form.add_error("bundle", str(error))
        else:
            return _prefilled_case_form(request, content, found)
    return render(
        request, "interop/fhir_import.html", {"form": form}, status=400 if form.errors else 200
    )


def _prefilled_case_form(request, content, found: reading.Imported) -> HttpResponse:
    initial = {
        "mrn": found.mrn,
        "patient_name": found.name,
        "date_of_birth": found.date_of_birth,
        "sex": found.sex,
        "referral_date": timezone.localdate(),
    }
    for name, value in found.facts.items():
        initial[FACT_PREFIX + name] = initial_value(content.catalogue[name], value)
    if any(found.course.values()):  # recorded with the case when it is saved
        initial["imported_course"] = signing.dumps(found.course, salt=IMPORTED_COURSE)
    form = CaseForm(None, case=None, initial=initial, catalogue=content.catalogue)
    values = {**found.facts}
    values.update(
        patient_facts(content.catalogue, found.sex, found.date_of_birth, timezone.localdate())
    )
    return render(
        request,
        "cases/case_form.html",
        {
            "form": form,
            "case": None,
            "conflict": None,
            "area": content.area,
            "form_action": reverse("cases:case_create"),
            "imported": found,
            "matches": snapshot.matches_for(values, content),
        },
    )
