"""Case entry, the live match panel, the case page and the case list."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import QuerySet, Subquery, prefetch_related_objects
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods
from django.views.decorators.vary import vary_on_headers
from django_htmx.http import HttpResponseClientRedirect
from pghistory.models import Events

from accounts.access import require
from accounts.audit import Wording, history_entries
from accounts.models import ReadKind
from accounts.readlog import record_read
from cases import course_forms, lesion_modules
from cases.access import get_case_for_user
from cases.attachments import AttachmentForm, attachment_limits
from cases.forms import CaseForm
from cases.models import Case, CaseStatus, Patient, parse_record_id
from cases.overview import overview
from cases.readiness import meeting_day, next_listing, next_meeting, readiness_of
from cases.readiness import relations as readiness_relations
from cases.services import ConflictError, save_case
from cases.summary import TooManyPrints, summary_for
from common.htmx import wants_partial
from documents import delivery
from guidelines import snapshot
from printing import spreadsheets
from trials import screening

PAGE_SIZE = 25


@dataclass
class CaseFilters:
    """The case list's search and filters, as the list and its exports read them."""

    cases: QuerySet
    query: str
    status: str
    site: str
    area: str
    site_labels: dict[str, str]
    area_names: dict[int, str]
    areas: list  # the areas, when there is more than one (a filter and a column)

    @property
    def filtered(self) -> bool:
        return bool(self.query or self.status or self.site or self.area)

    def label(self, case: Case) -> None:
        case.primary_site_label = self.site_labels.get(case.facts.get("primary_site"), "not known")
        case.area_name = self.area_names.get(case.area_id, "")


def _case_filters(request: HttpRequest) -> CaseFilters:
    """Search by patient name, MRN, case number or primary site; filter by status, site
    and disease area (values that are not choices are ignored)."""
    content = snapshot.current()
    areas = {c.area.slug: c.area for c in content.areas.values()}
    site_spec = content.facts.get("primary_site")
    site_labels = dict(site_spec.choices) if site_spec else {}
    cases = Case.objects.select_related("patient")
    query = request.GET.get("q", "").strip()[:100]
    status = request.GET.get("status", "")
    site = request.GET.get("primary_site", "")
    area = request.GET.get("area", "")
    if query:
        lowered = query.lower()
        sites = [v for v, label in site_labels.items() if lowered in label.lower() or lowered == v]
        cases = cases.search(query, sites)
    status = status if status in CaseStatus.values else ""
    if status:
        cases = cases.filter(status=status)
    site = site if site in site_labels else ""
    if site:
        cases = cases.filter(facts__primary_site=site)
    area = area if area in areas else ""
    if area:
        cases = cases.filter(area_id=areas[area].pk)
    return CaseFilters(
        cases, query, status, site, area, site_labels,
        {a.pk: a.name for a in areas.values()}, list(areas.values()) if len(areas) > 1 else [],
    )  # fmt: skip


@require_http_methods(["GET"])
def case_list(request: HttpRequest) -> HttpResponse:
    """Cases, newest first, searched and filtered (``_case_filters``)."""
    require(request, "cases.view_case")
    found = _case_filters(request)
    listed = found.cases.annotate(
        next_meeting=Subquery(next_listing().values("meeting__starts_at")[:1])
    )
    page = Paginator(listed, PAGE_SIZE).get_page(request.GET.get("page"))
    prefetch_related_objects(page.object_list, *readiness_relations())
    content = snapshot.current()
    for case in page:
        found.label(case)
        as_of = meeting_day(case.next_meeting) if case.next_meeting else None
        case.readiness = readiness_of(case, as_of, content=content)
    return render(
        request,
        "cases/case_list.html",
        {
            "page": page,
            "query": found.query,
            "status": found.status,
            "statuses": CaseStatus.choices,
            "site": found.site,
            "site_choices": list(found.site_labels.items()),
            "areas": found.areas,
            "area": found.area,
            "filtered": found.filtered,
            "export_query": request.GET.urlencode(),
        },
    )


EXPORT_HEADER = ("Case", "Patient", "MRN", "Date of birth", "Disease area", "Primary site",
                 "Question", "Status", "Referral date", "Referring clinician", "Updated")  # fmt: skip


@require_http_methods(["GET"])
def case_export(request: HttpRequest, fmt: str) -> HttpResponse:
    """The case list as filtered, every page of it, as CSV or Excel; each case exported
    goes into the read log."""
    require(request, "cases.view_case")
    if fmt not in spreadsheets.FORMATS:
        raise Http404
    found = _case_filters(request)
    cases = list(found.cases)
    rows = []
    for case in cases:
        found.label(case)
        patient = case.patient
        rows.append([
            case.pk, patient.name, patient.mrn, patient.date_of_birth.isoformat(), case.area_name,
            case.primary_site_label, case.question, case.get_status_display(),
            case.referral_date.isoformat(), case.referring_clinician,
            timezone.localtime(case.updated_at).strftime("%Y-%m-%d %H:%M"),
        ])  # fmt: skip
    day = timezone.localdate().isoformat()
    content = spreadsheets.table_file(fmt, EXPORT_HEADER, rows, "Cases")
    return delivery.deliver(request, "case_list", content, f"cases-{day}.{fmt}", cases)


def _initial_patient(request: HttpRequest) -> dict:
    """Start a new case for a known patient (?patient=<id>)."""
    patient_id = parse_record_id(request.GET.get("patient", ""))
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


def _case_form_page(
    request: HttpRequest, case: Case | None, content: snapshot.AreaContent
) -> HttpResponse:
    """The one view behind new and edit: the page, the live match panel, or a save,
    with the facts and recommendations of the case's disease area."""
    catalogue = content.catalogue
    initial = _initial_patient(request) if case is None and request.method == "GET" else {}
    form = CaseForm(request.POST or None, case=case, initial=initial, catalogue=catalogue)
    context = {"form": form, "case": case, "conflict": None, "area": content.area}
    if request.method == "POST" and request.POST.get("_preview"):
        context["matches"] = snapshot.matches_for(form.fact_values(), content)
        partial = "#match-panel" if wants_partial(request) else ""
        return render(request, "cases/case_form.html" + partial, context)
    if request.method == "POST" and form.is_valid():
        try:
            saved = save_case(case, form.entry(content.area.pk), request.user)
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
    context["matches"] = snapshot.matches_for(values, content)
    return render(request, "cases/case_form.html", context)


@require_http_methods(["GET", "POST"])
@vary_on_headers("HX-Request")
def case_create(request: HttpRequest) -> HttpResponse:
    """A new case of the disease area chosen (``area``: from the link, then the form);
    with several areas and none chosen, the page to choose one."""
    require(request, "cases.add_case")
    areas = list(snapshot.current().areas.values())
    slug = request.POST.get("area") if request.method == "POST" else request.GET.get("area")
    chosen = next((c for c in areas if c.area.slug == slug), None)
    if chosen is None and not slug and len(areas) == 1:
        chosen = areas[0]
    if chosen is None:
        return render(
            request,
            "cases/choose_area.html",
            {"areas": areas, "unknown": slug, "patient": request.GET.get("patient", "")},
            status=400 if request.method == "POST" or slug else 200,
        )
    return _case_form_page(request, None, chosen)


@require_http_methods(["GET", "POST"])
@vary_on_headers("HX-Request")
def case_edit(request: HttpRequest, pk: int) -> HttpResponse:
    case = get_case_for_user(request, pk, "cases.change_case")
    return _case_form_page(request, case, snapshot.for_case(case))


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


# How the records that name a case read in its history: in a clinician's words, without
# the fields kept for the app's own use (a stored summary's fingerprint and versions).
HISTORY_WORDING = {
    "Case": Wording({"insert": "Case entered", "update": "Case changed", "delete": "Case deleted"}),
    "Lesion": Wording({"insert": "Lesion added", "update": "Lesion changed",
                       "delete": "Lesion removed"}),
    "Measurement": Wording({"insert": "Lesion measured", "update": "Measurement changed",
                            "delete": "Measurement removed"}, fields=("state", "diameter_mm")),
    "ImagingTimepoint": Wording({"insert": "Imaging recorded", "update": "Imaging changed",
                                 "delete": "Imaging removed"},
                                fields=("day", "modality", "place", "conclusion",
                                        "accession_number", "study_uid", "non_target",
                                        "new_lesion")),
    "DatedValue": Wording({"insert": "Value recorded", "delete": "Value removed"},
                          fields=("fact", "value", "day", "entered_as")),
    "Treatment": Wording({"insert": "Treatment recorded", "update": "Treatment changed",
                          "delete": "Treatment removed"},
                         fields=("kind", "line", "regimen", "started_on", "ended_on", "cycles",
                                 "stop_reason")),
    "Attachment": Wording({"insert": "Attached", "update": "Attachment changed",
                           "delete": "Attachment removed"},
                          fields=("kind", "title", "day", "original_name", "size")),
    "CaseSummary": Wording({"insert": "Case summary printed", "delete": "Printed summary removed"},
                           fields=("page_count", "paper_size")),
    "AgendaItem": Wording({"insert": "Put on a meeting's agenda",
                           "update": "Moved on the meeting's agenda",
                           "delete": "Taken off a meeting's agenda"},
                          fields=("meeting", "position")),
}  # fmt: skip


def _form_order(catalogue):
    """Sort fact names as the form lists them (facts since removed last, by name)."""
    positions = {name: position for position, name in enumerate(catalogue)}
    return lambda name: (positions.get(name, len(positions)), name)


@require_http_methods(["GET"])
def case_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The case: who, why, what is known, what the guidelines say, and its history."""
    case = get_case_for_user(request, pk)
    record_read(request, ReadKind.CASE_PAGE, [case])
    return render(request, "cases/case_detail.html", case_page(request, case))


def case_page(request: HttpRequest, case: Case, **extra) -> dict:
    """The case page's context (``extra``: what a lesion module's change gives back)."""
    content = snapshot.current()
    catalogue = content.of(case.area_id).catalogue
    seen = overview(case, content=content)
    events = Events.objects.references(case).order_by("-pgh_created_at", "-pgh_id")[:200]
    other_cases = case.patient.cases.exclude(pk=case.pk).order_by("-referral_date")
    return {
        **case_page_context(request, case, seen, extra),
        "history": history_entries(
            events,
            describe_key=_fact_describer(catalogue),
            known=[case, case.patient, case.area],
            key_order=_form_order(catalogue),
            wording=HISTORY_WORDING,
            about=case,
        ),
        "other_cases": other_cases,
        "meetings": case.meetings.select_related("board").order_by("-starts_at")
        if request.user.has_perm("meetings.view_meeting")
        else [],
    }


def case_page_context(request: HttpRequest, case: Case, seen, extra: dict) -> dict:
    """What the upper part of the case page needs: the facts and the matches, and the
    region of the area's lesion table (``cases.lesion_modules``), which takes its own
    keys from ``extra`` (a form with its errors, the row being edited)."""
    lesions = lesion_modules.page_context(request, case, seen, extra)
    course = course_forms.page_context(request, case, seen, extra)
    can_change = request.user.has_perm(CHANGE_CASE)
    upcoming = next_meeting(case)
    as_of = meeting_day(upcoming.starts_at) if upcoming else None
    opening = can_change and request.GET.get("attach") == "1" and "attachment_form" not in extra
    return {
        "case": case,
        "seen": seen,
        "known": seen.known,
        "unknown": seen.unknown,
        "matches": seen.matches,
        "can_change": can_change,
        "lesion_template": lesion_modules.template_of(seen.area.lesion_module),
        "readiness": readiness_of(case, as_of, seen=seen),  # (prefetches the attachments)
        "attachments": case.attachments.all(),
        "readiness_meeting": upcoming,
        "trials": screening.for_case(seen),
        "attachment_limits": attachment_limits(),
        **({"attachment_form": AttachmentForm(case=case)} if opening else {}),
        **lesions,
        **course,
        **extra,
    }


CHANGE_CASE = "cases.change_case"


def region_changed(
    request: HttpRequest, case: Case, template: str, address: str, message: str = "", **extra
) -> HttpResponse:
    """After a change made in a region of the case page (the lesion table, the course):
    the region again (htmx: ``template``, with what follows from it out of band), or the
    case page: a redirect to ``address`` on it after a change (``message`` shown), the page
    with the form's errors (``extra``) otherwise."""
    case = Case.objects.select_related("patient", "area").get(pk=case.pk)
    if not wants_partial(request) and not extra:
        if message:
            messages.warning(request, message)
        return redirect(case.get_absolute_url() + address)
    record_read(request, ReadKind.CASE_PAGE, [case])
    if wants_partial(request):
        context = case_page_context(request, case, overview(case), {"notice": message, **extra})
        return render(request, template, context)
    return render(request, "cases/case_detail.html", case_page(request, case, **extra))


@require_http_methods(["GET"])
def case_matches_json(request: HttpRequest, pk: int) -> JsonResponse:
    """The same structure as ``manage.py match_case``, for a saved case."""
    case = get_case_for_user(request, pk)
    record_read(request, ReadKind.CASE_DATA, [case])
    # The case's values as its page reads them (its rows and course read once).
    output = snapshot.matches_json(overview(case).values, snapshot.for_case(case))
    return JsonResponse(output, json_dumps_params={"ensure_ascii": False})


@require_http_methods(["GET"])
def case_summary_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    """Print one case: the stored PDF while nothing it shows has changed, else a new one."""
    case = get_case_for_user(request, pk)
    try:
        summary = summary_for(case, request.user)
    except TooManyPrints:
        return render(request, "cases/too_many_prints.html", {"case": case}, status=429)
    return delivery.deliver(
        request, "case_summary", summary.pdf, summary.filename, [case], handout_id=summary.pk
    )
