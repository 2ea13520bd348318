"""The decisions on a patient, for pages of lower apps (the case page) to include
without importing this app."""

from __future__ import annotations

from dataclasses import dataclass
from itertools import groupby
from operator import attrgetter

from django import template

from decisions.documents import document_box
from decisions.models import Decision, draft_in_progress, record_in_force
from meetings.models import HandoutKind

register = template.Library()


@dataclass(frozen=True)
class PatientDecision:
    """One agenda item's decision as readers see it: the record in force (None while
    nothing is signed) and a draft in progress (a first draft, or an amendment)."""

    record: Decision | None
    draft: Decision | None

    @property
    def shown(self) -> Decision:
        return self.record or self.draft


@register.inclusion_tag("decisions/_patient_decisions.html", takes_context=True)
def patient_decisions(context, case, before_item=None):
    """The board's decisions on the case's patient, across meetings, newest meeting first:
    each item's record in force (``record_in_force``), with a draft in progress beside it
    (the case page says it is not the board's decision). With ``before_item`` (meeting
    mode's previous decisions): the signed records of the other items only."""
    user = context["request"].user
    if not user.has_perm("decisions.view_decision"):
        return {"decisions": None}
    versions = (
        Decision.objects.filter(agenda_item__case__patient_id=case.patient_id)
        .select_related("agenda_item__meeting__board", "agenda_item__case", "classification")
        .prefetch_related("concordance__reason", "modalities")
        .order_by("-agenda_item__meeting__starts_at", "agenda_item_id", "pk")
    )
    if before_item is not None:
        versions = versions.exclude(agenda_item=before_item)
    found = []
    for _, item_versions in groupby(versions, key=attrgetter("agenda_item_id")):
        item_versions = list(item_versions)
        record = record_in_force(item_versions)
        # (previous decisions, in meeting mode: what the board signed)
        draft = draft_in_progress(item_versions) if before_item is None else None
        if record or draft:
            found.append(PatientDecision(record, draft))
    heading = (
        "Previous decisions on this patient" if before_item else "Board decisions on this patient"
    )
    return {"decisions": found, "case": case, "heading": heading}


@register.simple_tag
def agenda_decision(item) -> PatientDecision:
    """An agenda item's record in force and draft, from its prefetched ``decisions``."""
    versions = list(item.decisions.all())
    return PatientDecision(record_in_force(versions), draft_in_progress(versions))


@register.inclusion_tag("decisions/_document_status.html", takes_context=True)
def meeting_minutes(context, meeting):
    """The minutes box of the meeting page."""
    return document_box(context["request"], meeting, HandoutKind.MINUTES)
