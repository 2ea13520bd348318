"""Case entry, the live match panel, the case page and the case list."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods
from django.views.decorators.vary import vary_on_headers
from django_htmx.http import HttpResponseClientRedirect
from pghistory.models import Events

from accounts.access import require
from accounts.audit import history_entries
from accounts.models import ReadKind
from accounts.readlog import record_read
from cases.forms import CaseForm, ConflictError
from cases.models import PATIENT_FACTS, Case, CaseStatus, Patient, record_id
from config.htmx import wants_partial
from guidelines import matching, snapshot
from guidelines.derived import derive
from guidelines.facts import load_catalogue
from guidelines.models import FactSection
from guidelines.snapshot import Snapshot

PAGE_SIZE = 25


def get_case_for_user(request: HttpRequest, pk: int, permission: str = "cases.view_case") -> Case:
    """The case, or 404 when it does not exist or the user may not see it."""
    require(request, permission)
    return get_object_or_404(Case.objects.select_related("patient"), pk=pk)


def _matches(facts: dict, content: Snapshot) -> matching.Panel:
    return matching.panel(facts, content.rules, content.catalogue)


@require_http_methods(["GET"])
def case_list(request: HttpRequest) -> HttpResponse:
    """Cases, newest first: search by patient name, MRN or primary site; filter by status and site."""
    require(request, "cases.view_case")
    catalogue = load_catalogue()
    site_spec = catalogue.get("primary_site")
    site_choices = list(site_spec.choices) if site_spec else []
    cases = Case.objects.select_related("patient")
    query = request.GET.get("q", "").strip()[:100]
    status = request.GET.get("status", "")
    site = request.GET.get("primary_site", "")
    if query:
        lowered = query.lower()
        sites = [
            value for value, label in site_choices if lowered in label.lower() or lowered == value
        ]
        cases = cases.search(query, sites)
    if status in CaseStatus.values:
        cases = cases.filter(status=status)
    if site in dict(site_choices):
        cases = cases.filter(facts__primary_site=site)
    page = Paginator(cases, PAGE_SIZE).get_page(request.GET.get("page"))
    site_labels = dict(site_choices)
    for case in page:
        case.primary_site_label = site_labels.get(case.facts.get("primary_site"), "not known")
    return render(
        request,
        "cases/case_list.html",
        {
            "page": page,
            "query": query,
            "status": status,
            "statuses": CaseStatus.choices,
            "site": site,
            "site_choices": site_choices,
            "filtered": bool(query or status in CaseStatus.values or site in site_labels),
        },
    )


def _initial_patient(request: HttpRequest) -> dict:
    """Start a new case for a known patient (?patient=<id>)."""
    patient_id = record_id(request.GET.get("patient", ""))
    patient = Patient.objects.filter(pk=patient_id).first() if patient_id is not None else None
    if patient is None:
        return {}
    return {
        "mrn": patient.mrn,
        "patient_name": patient.name,
        "date_of_birth": patient.date_of_birth,
        "sex": patient.sex,
        "use_existing_patient": True,
    }


def _case_form_page(request: HttpRequest, case: Case | None) -> HttpResponse:
    """The one view behind new and edit: the page, the live match panel, or a save."""
    content = snapshot.current()
    catalogue = content.catalogue
    initial = _initial_patient(request) if case is None and request.method == "GET" else {}
    form = CaseForm(
        request.POST or None, instance=case or Case(), initial=initial, catalogue=catalogue
    )
    context = {"form": form, "case": case, "conflict": None}
    if request.method == "POST" and request.POST.get("_preview"):
        context["matches"] = _matches(form.fact_values(), content)
        partial = "#match-panel" if wants_partial(request) else ""
        return render(request, "cases/case_form.html" + partial, context)
    if request.method == "POST" and form.is_valid():
        try:
            saved = form.save_case(request.user)
        except ConflictError as error:
            context["conflict"] = error.current
            context["conflict_patient"] = error.patient
        else:
            messages.success(request, "Case saved.")
            if wants_partial(request):
                return HttpResponseClientRedirect(saved.get_absolute_url())
            return redirect(saved)
    if form.is_bound:
        values = form.fact_values()  # what was typed, even if not saved
    elif case:
        values = case.fact_values(catalogue)
    else:
        values = {}
    context["matches"] = _matches(values, content)
    return render(request, "cases/case_form.html", context)


@require_http_methods(["GET", "POST"])
@vary_on_headers("HX-Request")
def case_create(request: HttpRequest) -> HttpResponse:
    require(request, "cases.add_case")
    return _case_form_page(request, None)


@require_http_methods(["GET", "POST"])
@vary_on_headers("HX-Request")
def case_edit(request: HttpRequest, pk: int) -> HttpResponse:
    case = get_case_for_user(request, pk, "cases.change_case")
    return _case_form_page(request, case)


@require_http_methods(["GET"])
@vary_on_headers("HX-Request")
def patient_lookup(request: HttpRequest) -> HttpResponse:
    """While an MRN is typed: offer the existing patient instead of a duplicate."""
    require(request, "cases.add_case")
    mrn = request.GET.get("mrn", "").strip()[:32]
    patient = Patient.objects.filter(mrn__iexact=mrn).first() if mrn else None
    return render(request, "cases/_patient_lookup.html", {"patient": patient})


def _fact_describer(catalogue):
    """Word a case's fact changes in the history as the case page words its facts."""

    def describe(field: str, key: str, value: object) -> tuple[str, object]:
        spec = catalogue.get(key) if field == "facts" else None
        if spec is None:  # a fact since removed from the catalogue: its own name
            return f"{field}.{key}", "not known" if value is None else value
        return spec.label, spec.display_value(value)

    return describe


def _form_order(catalogue):
    """Sort fact names as the form lists them (facts since removed last, by name)."""
    positions = {name: position for position, name in enumerate(catalogue)}
    return lambda name: (positions.get(name, len(positions)), name)


@require_http_methods(["GET"])
def case_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The case: who, why, what is known, what the guidelines say, and its history."""
    case = get_case_for_user(request, pk)
    content = snapshot.current()
    catalogue = content.catalogue
    values = case.fact_values(catalogue)
    derived = derive(values, catalogue)
    labels = dict(FactSection.choices)
    known, unknown = [], []
    for spec in catalogue.values():
        if spec.name in values:
            if spec.name in derived:
                source = f" ({derived[spec.name].explain(values, catalogue)})"
            elif spec.name in PATIENT_FACTS:
                source = " (from the patient record)"
            elif spec.name in case.entered_as:
                value, unit = case.entered_as[spec.name]
                source = f" (entered as {value:g} {unit})"
            else:
                source = ""
            known.append(
                (
                    labels.get(spec.section, spec.section),
                    spec,
                    spec.display_value(values[spec.name]) + source,
                )
            )
        else:
            unknown.append(spec)
    record_read(request, ReadKind.CASE_PAGE, [case])
    events = Events.objects.references(case).order_by("-pgh_created_at", "-pgh_id")[:200]
    other_cases = case.patient.cases.exclude(pk=case.pk).order_by("-referral_date")
    return render(
        request,
        "cases/case_detail.html",
        {
            "case": case,
            "known": known,
            "unknown": unknown,
            "matches": _matches(values, content),
            "history": history_entries(
                events,
                describe_key=_fact_describer(catalogue),
                known=[case, case.patient],
                key_order=_form_order(catalogue),
            ),
            "other_cases": other_cases,
            "meetings": case.meetings.order_by("-starts_at")
            if request.user.has_perm("meetings.view_meeting")
            else [],
        },
    )


@require_http_methods(["GET"])
def case_matches_json(request: HttpRequest, pk: int) -> JsonResponse:
    """The same structure as ``manage.py match_case``, for a saved case."""
    case = get_case_for_user(request, pk)
    record_read(request, ReadKind.CASE_DATA, [case])
    content = snapshot.current()
    results = matching.match(case.fact_values(content.catalogue), content.rules, content.catalogue)
    return JsonResponse(matching.as_json(results), json_dumps_params={"ensure_ascii": False})
