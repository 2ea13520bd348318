"""The patient's course on the case page: imaging timepoints (with the lesions measured at
them), dated values and treatments, added, changed and removed in place (htmx) or by
plain form posts (``cases.course_forms``)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_http_methods
from django.views.decorators.vary import vary_on_headers

from cases import course_forms
from cases.access import get_case_for_user
from cases.course_forms import DatedValueForm, TimepointForm, TreatmentForm
from cases.models import Case, DatedValue, ImagingTimepoint, Treatment
from cases.views import CHANGE_CASE, region_changed
from common.htmx import wants_partial
from guidelines import snapshot

STALE = (
    "Someone else changed or removed this meanwhile: nothing of yours was saved. "
    "The course shows it as it is now."
)
TAKEN_DAY = "The patient has imaging of this date and modality already: edit that one."
TAKEN_VALUE = "The patient has a value of this on that date already: remove it first."


def _after(request: HttpRequest, case: Case, message: str = "", **extra) -> HttpResponse:
    """The course region again, or the case page (``cases.views.region_changed``)."""
    return region_changed(request, case, "cases/_course_changed.html", "#course", message,
                          **extra)  # fmt: skip


def _case(request: HttpRequest, pk: int) -> Case:
    return get_case_for_user(request, pk, CHANGE_CASE)


def _open(request: HttpRequest, case: Case, editing: str) -> HttpResponse:
    """A form opened (GET): the region with it (htmx), or the case page with it."""
    if not wants_partial(request):
        return redirect(f"{case.get_absolute_url()}?course_edit={editing}#course")
    return _after(request, case, course_editing=editing)


@require_http_methods(["GET", "POST"])
@vary_on_headers("HX-Request")
def timepoint_add(request: HttpRequest, pk: int) -> HttpResponse:
    case = _case(request, pk)
    if request.method == "GET":
        return _open(request, case, "imaging-new")
    form = course_forms.timepoint_form(case, None, request.POST)
    return _save_timepoint(request, case, form)


@require_http_methods(["GET", "POST"])
@vary_on_headers("HX-Request")
def timepoint_edit(request: HttpRequest, pk: int, item: int) -> HttpResponse:
    case = _case(request, pk)
    timepoint = ImagingTimepoint.objects.filter(pk=item, patient_id=case.patient_id).first()
    if timepoint is None:
        return _after(request, case, STALE)
    if request.method == "GET":
        return _open(request, case, f"imaging-{item}")
    return _save_timepoint(
        request, case, course_forms.timepoint_form(case, timepoint, request.POST)
    )


def _save_timepoint(request: HttpRequest, case: Case, form: TimepointForm) -> HttpResponse:
    if not form.is_valid():
        return _after(request, case, timepoint_form=form)
    try:
        course_forms.save_timepoint(case, form, request.user)
    except course_forms.StaleRow:
        return _after(request, case, STALE)
    except course_forms.TakenDay:
        form.add_error("day", TAKEN_DAY)
        return _after(request, case, timepoint_form=form)
    return _after(request, case)


@require_http_methods(["POST"])
@vary_on_headers("HX-Request")
def timepoint_remove(request: HttpRequest, pk: int, item: int) -> HttpResponse:
    case = _case(request, pk)
    timepoint = ImagingTimepoint.objects.filter(pk=item, patient_id=case.patient_id).first()
    if timepoint is not None:
        course_forms.remove(case, timepoint, request.user)
    return _after(request, case)


@require_http_methods(["GET", "POST"])
@vary_on_headers("HX-Request")
def value_add(request: HttpRequest, pk: int) -> HttpResponse:
    case = _case(request, pk)
    if request.method == "GET":
        return _open(request, case, "value-new")
    catalogue = snapshot.current().of(case.area_id).catalogue
    form = DatedValueForm(request.POST, prefix="value", catalogue=catalogue)
    if not form.is_valid():
        return _after(request, case, value_form=form)
    if course_forms.add_value(case, form, request.user) is None:
        form.add_error("day", TAKEN_VALUE)
        return _after(request, case, value_form=form)
    return _after(request, case)


@require_http_methods(["POST"])
@vary_on_headers("HX-Request")
def value_remove(request: HttpRequest, pk: int, item: int) -> HttpResponse:
    case = _case(request, pk)
    value = DatedValue.objects.filter(pk=item, patient_id=case.patient_id).first()
    if value is not None:
        course_forms.remove(case, value, request.user)
    return _after(request, case)


@require_http_methods(["GET", "POST"])
@vary_on_headers("HX-Request")
def treatment_add(request: HttpRequest, pk: int) -> HttpResponse:
    case = _case(request, pk)
    if request.method == "GET":
        return _open(request, case, "treatment-new")
    return _save_treatment(request, case, course_forms.treatment_form(None, request.POST))


@require_http_methods(["GET", "POST"])
@vary_on_headers("HX-Request")
def treatment_edit(request: HttpRequest, pk: int, item: int) -> HttpResponse:
    case = _case(request, pk)
    treatment = Treatment.objects.filter(pk=item, patient_id=case.patient_id).first()
    if treatment is None:
        return _after(request, case, STALE)
    if request.method == "GET":
        return _open(request, case, f"treatment-{item}")
    return _save_treatment(request, case, course_forms.treatment_form(treatment, request.POST))


def _save_treatment(request: HttpRequest, case: Case, form: TreatmentForm) -> HttpResponse:
    if not form.is_valid():
        return _after(request, case, treatment_form=form)
    try:
        course_forms.save_treatment(case, form, request.user)
    except course_forms.StaleRow:
        return _after(request, case, STALE)
    return _after(request, case)


@require_http_methods(["POST"])
@vary_on_headers("HX-Request")
def treatment_remove(request: HttpRequest, pk: int, item: int) -> HttpResponse:
    case = _case(request, pk)
    treatment = Treatment.objects.filter(pk=item, patient_id=case.patient_id).first()
    if treatment is not None:
        course_forms.remove(case, treatment, request.user)
    return _after(request, case)
