"""The annual MDT report as a PDF: the dashboard's figures, charts and tables."""

from __future__ import annotations

from decisions.concordance import REASON_GROUPS
from meetings.models import Board
from printing.pdf import Progress, Rendered, accessible_pdf, html_to_document, render_template
from quality import charts, report
from quality.models import QualityReport

# The reason groups in a key figure's few words, in the order of REASON_GROUPS.
SHORT_GROUPS = [{"judgement": "judgement/other"}.get(group, group) for group in REASON_GROUPS]


def scope_of(document: QualityReport) -> report.Scope:
    """The scope a stored report was asked for (boards since deleted drop out)."""
    boards = tuple(Board.objects.filter(pk__in=document.boards).order_by("name"))
    area = document.area
    return report.Scope(
        boards, document.start, document.end, area.pk if area else None, area.name if area else ""
    )


def render_report(document: QualityReport, progress: Progress | None = None) -> Rendered:
    figures = report.build(scope_of(document))
    if progress:
        progress("preparing", 1, 1)
    html = render_template("pdf/quality_report.html", context(figures, with_action_text=False))
    pdf = html_to_document(html)
    return Rendered(accessible_pdf(pdf), len(pdf.pages), {})


def context(figures: report.Report, *, with_action_text: bool) -> dict:
    """What the dashboard and the PDF show: the figures, each chart with its table."""
    shown = charts.report_charts(figures)
    return {
        "report": figures,
        "figures": [
            {"table": table, "chart": shown.get(table.name)}
            for table in report.tables(figures)
            if table.name != "overdue-actions"  # its own table: action texts are clinical
        ],
        "overdue": figures.overdue,
        "with_action_text": with_action_text,
        "headline_text": report.share_text(figures.headline),
        "discordant_text": ", ".join(
            f"{short} {share.part}"
            for short, share in zip(SHORT_GROUPS, figures.discordant_by_group, strict=True)
        ),
        "not_relevant_text": report.share_text(figures.not_relevant),
        "pending_text": report.share_text(figures.with_pending),
        "pathway_text": report.share_text(figures.pathway),
        "concordance_text": report.share_text(figures.concordance),
        "quorum_text": report.share_text(figures.quorate),
        "completeness_text": report.share_text(figures.completeness),
    }
