"""System checks over guideline content (run with ``manage.py check --database default``)."""

from __future__ import annotations

from django.core import checks
from django.db import DatabaseError


@checks.register(checks.Tags.database)
def published_conditions_are_valid(app_configs=None, databases=None, **kwargs):
    """guidelines.E001: a published condition no longer validates against the catalogue.

    The admin and load_content refuse such conditions, but raw SQL or a restored
    backup could bring one in; matching would then skip a recommendation silently.
    """
    if not databases:
        return []
    from guidelines import conditions
    from guidelines.models import Fact, Recommendation

    try:
        recommendations = list(
            Recommendation.objects.published()
            .select_related("subsection__section")
            .only("slug", "condition", "subsection__section__area")
        )
        catalogues = {}  # each condition read with its own area's facts
        for area_id in {rec.area_id for rec in recommendations}:
            catalogues[area_id] = Fact.objects.for_area(area_id).catalogue()
    except DatabaseError:
        return []  # not migrated yet; migrate reports that itself
    return [
        checks.Error(
            f"The condition of published recommendation {rec.slug} is invalid: {problem}",
            hint="Correct it in the admin, or unpublish it.",
            id="guidelines.E001",
        )
        for rec in recommendations
        for problem in conditions.validate(rec.condition, catalogues[rec.area_id])
    ]
