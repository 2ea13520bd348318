"""The guideline library as clinicians read it: by source, section and subsection."""

from __future__ import annotations

from itertools import groupby

from django.contrib.auth.decorators import permission_required
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_http_methods

from guidelines import conditions, models, snapshot
from guidelines.models import (
    DecisionScope,
    GuidelineSource,
    Recommendation,
    VerificationLevel,
    by_section,
    modalities_in_words,
)

READ_PERMISSION = "guidelines.view_recommendation"


@require_http_methods(["GET"])
@permission_required(READ_PERMISSION, raise_exception=True)
def library(request: HttpRequest) -> HttpResponse:
    """Published recommendations grouped by section and subsection, filterable."""
    recommendations = Recommendation.objects.in_library()
    content = snapshot.current()
    areas = [area.area for area in content.areas.values()]
    selected_area = next((a for a in areas if a.slug == request.GET.get("area")), None)
    if selected_area:
        recommendations = recommendations.in_area(selected_area.pk)
    source_code = request.GET.get("source", "")
    status = request.GET.get("status", "")
    query = request.GET.get("q", "").strip()[:200]
    sources = GuidelineSource.objects.in_library()
    source = next((s for s in sources if s.code == source_code), None)
    if source:
        recommendations = recommendations.filter(source=source)
    if status in VerificationLevel.values:
        recommendations = recommendations.filter(verification=status)
    scope = request.GET.get("scope", "")
    if scope in DecisionScope.values:
        recommendations = recommendations.filter(decision_scope=scope)
    if query:
        recommendations = recommendations.filter(
            Q(statement__icontains=query) | Q(slug__icontains=query) | Q(notes__icontains=query)
        )
    catalogue = content.facts
    rows = list(recommendations)
    names = _modality_names()
    for rec in rows:
        rec.condition_text = conditions.in_words(rec.condition, catalogue)
        _describe_decision_fields(rec, catalogue, names)
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
            "scopes": DecisionScope.choices,
            "selected_scope": scope,
            "query": query,
            # The area is a filter and a heading only once there is more than one.
            "areas": areas if len(areas) > 1 else [],
            "only_area": areas[0] if len(areas) == 1 else None,
            "selected_area": selected_area,
            "filtered": bool(
                source
                or status in VerificationLevel.values
                or scope in DecisionScope.values
                or query
                or selected_area
            ),
        },
    )


@require_http_methods(["GET"])
@permission_required(READ_PERMISSION, raise_exception=True)
def recommendation_detail(request: HttpRequest, slug: str) -> HttpResponse:
    """One recommendation with its provenance and its condition in words."""
    queryset = Recommendation.objects.with_provenance().prefetch_related("cautions")
    if not request.user.has_perm("guidelines.change_recommendation"):
        queryset = queryset.published()  # drafts are for editors only
    rec = get_object_or_404(queryset, slug=slug)
    catalogue = snapshot.catalogue()
    try:
        tree = conditions.parse(rec.condition)
    except conditions.ConditionError:
        comparisons, condition_text = [], rec.condition
    else:
        comparisons = [
            conditions.describe_comparison(c, catalogue) for c in conditions.comparisons(tree)
        ]
        condition_text = conditions.describe(tree, catalogue)
    _describe_decision_fields(rec, catalogue, _modality_names())
    return render(
        request,
        "guidelines/recommendation_detail.html",
        {"rec": rec, "condition_text": condition_text, "comparisons": comparisons},
    )


def _modality_names() -> dict[str, str]:
    return models.modality_names() if models.modality_names is not None else {}


def _describe_decision_fields(rec: Recommendation, catalogue, names: dict[str, str]) -> None:
    """What a card says of how the item takes part in the board's decision, in words:
    the plan's modalities that carry it out or go against it, and each caution's when."""
    rec.plan_words = modalities_in_words(rec.plan_modalities, names)
    rec.contradicted_words = modalities_in_words(rec.contradicted_by, names)
    rec.caution_rows = [
        (conditions.in_words(caution.condition, catalogue) if caution.condition else "always",
         caution.text)
        for caution in rec.cautions.all()
    ]  # fmt: skip


@require_http_methods(["GET"])
@permission_required(READ_PERMISSION, raise_exception=True)
def source_list(request: HttpRequest) -> HttpResponse:
    sources = GuidelineSource.objects.in_library()
    return render(request, "guidelines/guidelinesource_list.html", {"sources": sources})


@require_http_methods(["GET"])
@permission_required(READ_PERMISSION, raise_exception=True)
def fact_list(request: HttpRequest) -> HttpResponse:
    """The fact catalogue, by form section: what a case can record; with several disease
    areas, the shared facts first, then each area's own."""
    content = snapshot.current()
    facts = content.facts.values()
    if len(content.areas) > 1:
        groups = [
            ("Shared by every area", by_section(s for s in facts if s.name in content.shared))
        ]
        groups += [
            (
                area.area.name,
                by_section(s for s in area.catalogue.values() if s.name not in content.shared),
            )
            for area in content.areas.values()
        ]
    else:
        groups = [("", by_section(facts))]
    return render(
        request, "guidelines/fact_list.html", {"groups": groups, "fact_count": len(content.facts)}
    )
