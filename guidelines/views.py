"""The guideline library as clinicians read it: by source, section and subsection."""

from __future__ import annotations

from itertools import groupby

from django.contrib.auth.decorators import permission_required
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_http_methods

from guidelines import conditions
from guidelines.facts import load_catalogue
from guidelines.models import FactSection, GuidelineSource, Recommendation, VerificationLevel

READ_PERMISSION = "guidelines.view_recommendation"


def _published_recommendations():
    return (
        Recommendation.objects.published()
        .select_related("subsection__section", "source")
        .in_digest_order()
    )


def _with_condition_text(recommendations, catalogue):
    """Attach the condition in words; a broken condition reads as its raw text."""
    for rec in recommendations:
        try:
            rec.condition_text = conditions.describe(conditions.parse(rec.condition), catalogue)
        except conditions.ConditionError:
            rec.condition_text = rec.condition
        yield rec


@require_http_methods(["GET"])
@permission_required(READ_PERMISSION, raise_exception=True)
def library(request: HttpRequest) -> HttpResponse:
    """Published recommendations grouped by section and subsection, filterable."""
    recommendations = _published_recommendations()
    source_code = request.GET.get("source", "")
    status = request.GET.get("status", "")
    query = request.GET.get("q", "").strip()[:200]
    sources = GuidelineSource.objects.filter(is_published=True).annotate(
        published_count=Count("recommendations", filter=Q(recommendations__is_published=True))
    )
    source = next((s for s in sources if s.code == source_code), None)
    if source:
        recommendations = recommendations.filter(source=source)
    if status in VerificationLevel.values:
        recommendations = recommendations.filter(verification=status)
    if query:
        recommendations = recommendations.filter(
            Q(statement__icontains=query) | Q(slug__icontains=query) | Q(notes__icontains=query)
        )
    catalogue = load_catalogue()
    rows = list(_with_condition_text(recommendations, catalogue))
    sections = [
        (section, [(sub, list(recs)) for sub, recs in groupby(items, key=lambda r: r.subsection)])
        for section, items in groupby(rows, key=lambda r: r.subsection.section)
    ]
    return render(
        request,
        "guidelines/recommendation_list.html",
        {
            "sections": sections,
            "count": len(rows),
            "sources": [s for s in sources if s.published_count],
            "selected_source": source,
            "statuses": [c for c in VerificationLevel.choices if c[0] != VerificationLevel.NONE],
            "selected_status": status,
            "query": query,
            "filtered": bool(source or status in VerificationLevel.values or query),
        },
    )


@require_http_methods(["GET"])
@permission_required(READ_PERMISSION, raise_exception=True)
def recommendation_detail(request: HttpRequest, slug: str) -> HttpResponse:
    """One recommendation with its provenance and its condition in words."""
    queryset = Recommendation.objects.select_related("subsection__section", "source")
    if not request.user.has_perm("guidelines.change_recommendation"):
        queryset = queryset.published()  # drafts are for editors only
    rec = get_object_or_404(queryset, slug=slug)
    catalogue = load_catalogue()
    try:
        tree = conditions.parse(rec.condition)
        comparisons = [
            conditions.describe_comparison(c, catalogue) for c in conditions.comparisons(tree)
        ]
        condition_text = conditions.describe(tree, catalogue)
    except conditions.ConditionError:
        comparisons, condition_text = [], rec.condition
    return render(
        request,
        "guidelines/recommendation_detail.html",
        {"rec": rec, "condition_text": condition_text, "comparisons": comparisons},
    )


@require_http_methods(["GET"])
@permission_required(READ_PERMISSION, raise_exception=True)
def source_list(request: HttpRequest) -> HttpResponse:
    sources = GuidelineSource.objects.filter(is_published=True).annotate(
        published_count=Count("recommendations", filter=Q(recommendations__is_published=True))
    )
    return render(request, "guidelines/guidelinesource_list.html", {"sources": sources})


@require_http_methods(["GET"])
@permission_required(READ_PERMISSION, raise_exception=True)
def fact_list(request: HttpRequest) -> HttpResponse:
    """The fact catalogue, by form section: what a case can record."""
    catalogue = load_catalogue()
    labels = dict(FactSection.choices)
    sections = [
        (labels.get(section, section), list(specs))
        for section, specs in groupby(catalogue.values(), key=lambda spec: spec.section)
    ]
    return render(
        request, "guidelines/fact_list.html", {"sections": sections, "fact_count": len(catalogue)}
    )
