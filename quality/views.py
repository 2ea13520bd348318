"""The quality dashboard, its tables as CSV, and the annual MDT report as a PDF."""

from __future__ import annotations

from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods
from django.views.decorators.vary import vary_on_headers

from common.htmx import wants_partial
from documents import delivery
from documents.models import Status
from documents.tasks import queue
from printing.pdf import paper_size
from printing.spreadsheets import csv_file
from quality import report
from quality.documents import context
from quality.forms import ScopeForm, boards_or_404
from quality.models import QualityReport

VIEW_CASES = "cases.view_case"


def _form(request: HttpRequest) -> ScopeForm:
    return ScopeForm(request.GET or None, boards=boards_or_404(request.user))


OVERDUE_ON_PAGE = 50


@require_http_methods(["GET"])
def dashboard(request: HttpRequest) -> HttpResponse:
    """Figures of the boards the user may see, over a period (the last twelve months
    unless chosen), with a chart and its numbers for each."""
    form = _form(request)
    page = {"form": form, "query": form.query()}
    if not form.is_bound or form.is_valid():
        figures = report.build(form.scope())
        # The text of overdue actions is clinical: only for those who see cases.
        page.update(context(figures, with_action_text=request.user.has_perm(VIEW_CASES)))
        # The longest overdue first; all of them in the CSV (a year of 50 boards: thousands).
        page["overdue_shown"] = figures.overdue[:OVERDUE_ON_PAGE]
    page["document"] = _latest(request)
    return render(request, "quality/dashboard.html", page)


@require_http_methods(["GET"])
def table_csv(request: HttpRequest, table: str) -> HttpResponse:
    form = _form(request)
    if form.is_bound and not form.is_valid():
        return render(request, "quality/dashboard.html", {"form": form}, status=400)
    figures = report.build(form.scope())
    found = next((t for t in report.tables(figures) if t.name == table), None)
    if found is None:
        raise Http404
    header, rows = found.header, found.rows
    if table == "overdue-actions" and not request.user.has_perm(VIEW_CASES):
        header, rows = header[:2] + header[3:], [row[:2] + row[3:] for row in rows]
    scope = figures.scope
    name = f"{table}-{scope.start}-to-{scope.end}.csv"
    return delivery.deliver(request, "quality_table", csv_file(header, rows), name)


def _latest(request: HttpRequest) -> QualityReport | None:
    """The user's latest report (one whose worker stopped reads as failed)."""
    mine = QualityReport.objects.filter(requested_by=request.user)
    mine.expire_stale()
    return mine.defer("content").first()


@require_http_methods(["POST"])
@vary_on_headers("HX-Request")
def report_generate(request: HttpRequest) -> HttpResponse:
    """Queue the PDF of the scope chosen (one at a time per user)."""
    form = ScopeForm(request.POST, boards=boards_or_404(request.user))
    if not form.is_valid():
        return render(request, "quality/dashboard.html", {"form": form}, status=400)
    scope = form.scope()
    with transaction.atomic():
        running = (
            QualityReport.objects.select_for_update()
            .filter(requested_by=request.user)
            .in_progress()
        )
        document = running.first()
        if document is None:
            document = QualityReport.objects.create(
                requested_by=request.user,
                boards=[board.pk for board in scope.boards],
                start=scope.start,
                end=scope.end,
                area_id=scope.area_id,
                paper_size=paper_size(),
            )
            transaction.on_commit(lambda: queue(QualityReport.kind, document.pk))
    if wants_partial(request):
        return render(request, "quality/_report_status.html", {"document": document})
    return redirect(reverse("quality:dashboard") + "?" + form.query())


def _own(request: HttpRequest, pk: int, **filters) -> QualityReport:
    """A report of the user's boards: a clinician who chairs one board never reads the
    figures of another."""
    visible = {board.pk for board in boards_or_404(request.user)}
    document = get_object_or_404(QualityReport.objects.select_related("area"), pk=pk, **filters)
    if not set(document.boards) <= visible:
        raise Http404
    return document


@require_http_methods(["GET"])
def report_status(request: HttpRequest, pk: int) -> HttpResponse:
    """The progress of a report; htmx polls it until it ends."""
    QualityReport.objects.filter(pk=pk).expire_stale()
    document = _own(request, pk)
    if not wants_partial(request):
        return redirect("quality:dashboard")
    return render(request, "quality/_report_status.html", {"document": document})


@require_http_methods(["GET"])
def report_download(request: HttpRequest, pk: int) -> HttpResponse:
    return delivery.stored(request, _own(request, pk, status=Status.DONE))
