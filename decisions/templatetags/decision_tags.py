"""The decisions on a patient, for pages of lower apps (the case page) to include
without importing this app."""

from __future__ import annotations

from django import template

from decisions.models import Decision
from decisions.views import document_box
from meetings.models import HandoutKind

register = template.Library()


@register.inclusion_tag("decisions/_patient_decisions.html", takes_context=True)
def patient_decisions(context, case, before_item=None):
    """Every decision on the case's patient, across meetings, newest meeting first (the
    version in force of each; its page lists the versions it amends). With
    ``before_item`` (meeting mode), the earlier ones: not that item's own record."""
    user = context["request"].user
    if not user.has_perm("decisions.view_decision"):
        return {"decisions": None}
    decisions = (
        Decision.objects.filter(
            agenda_item__case__patient_id=case.patient_id, amendment__isnull=True
        )
        .select_related("agenda_item__meeting__board", "agenda_item__case")
        .prefetch_related("concordance__reason")
        .order_by("-agenda_item__meeting__starts_at")
    )
    if before_item is not None:
        decisions = decisions.exclude(agenda_item=before_item)
    heading = (
        "Previous decisions on this patient" if before_item else "Board decisions on this patient"
    )
    return {"decisions": list(decisions), "case": case, "heading": heading}


@register.inclusion_tag("decisions/_document_status.html", takes_context=True)
def meeting_minutes(context, meeting):
    """The minutes box of the meeting page."""
    return document_box(context["request"], meeting, HandoutKind.MINUTES)
