"""Whether a case is ready for its meeting: the area's checklist (``guidelines.readiness``)
against the case's facts and the readiness facts, as of the meeting's date.

The readiness facts follow from the record: the days from the patient's latest CT or MRI
and latest dated value to the meeting (only what was there by that day counts), the
reports attached to the case, and whether any recommendation of the area still waits for
a fact that is not known.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.db.models import OuterRef, Prefetch, prefetch_related_objects
from django.utils import timezone

from cases import course
from cases.models import Attachment, AttachmentKind, Case, Modality
from guidelines import matching, readiness, snapshot
from guidelines.readiness import Readiness

CROSS_SECTIONAL = (Modality.CT, Modality.MRI)
# A meeting that started less than this long ago is still a case's next one (its pack is
# still made, its sections laid out ahead).
STILL_UPCOMING = datetime.timedelta(hours=12)


def upcoming_listings(now: datetime.datetime | None = None):
    """The agenda items of meetings still to come (or under way), soonest first."""
    since = (now or timezone.now()) - STILL_UPCOMING
    return Case.meetings.through.objects.filter(meeting__starts_at__gte=since).order_by(
        "meeting__starts_at"
    )


def next_listing(now: datetime.datetime | None = None):
    """For a subquery on cases: each case's listings still to come, soonest first."""
    return upcoming_listings(now).filter(case=OuterRef("pk"))


def next_meeting(case: Case):
    """The first meeting whose agenda lists the case and that is still to come (or under
    way), or None."""
    found = upcoming_listings().filter(case=case).select_related("meeting").first()
    return found.meeting if found else None


def relations(prefix: str = "") -> list:
    """What to prefetch with cases whose readiness is shown (``prefix``: e.g. "case__");
    the attachments with their imaging, as the case page lists them."""
    attachments = Attachment.objects.select_related("timepoint")
    return [*course.relations(prefix), Prefetch(f"{prefix}attachments", queryset=attachments)]


def _days(latest: datetime.date | None, as_of: datetime.date) -> int | None:
    return (as_of - latest).days if latest else None


def readiness_facts(
    case: Case, catalogue, as_of: datetime.date, deciding: Iterable
) -> dict[str, object]:
    """The readiness facts of the case as of that day (reads prefetched ``relations``)."""
    patient = case.patient
    imaging = [t.day for t in patient.timepoints.all()
               if t.modality in CROSS_SECTIONAL and t.day <= as_of]  # fmt: skip
    over_time = {name for name, spec in catalogue.items() if spec.over_time}
    values = [v.day for v in patient.dated_values.all() if v.fact in over_time and v.day <= as_of]
    kinds = {a.kind for a in case.attachments.all()}
    found = {
        "days_since_ct_or_mri": _days(max(imaging, default=None), as_of),
        "days_since_values": _days(max(values, default=None), as_of),
        "radiology_report_attached": AttachmentKind.RADIOLOGY_REPORT in kinds,
        "pathology_report_attached": AttachmentKind.PATHOLOGY_REPORT in kinds,
        "decisive_facts_known": not list(deciding),
    }
    return {name: value for name, value in found.items() if value is not None}


def readiness_of(
    case: Case,
    as_of: datetime.date | None = None,
    *,
    content: snapshot.Snapshot | None = None,
    seen=None,
) -> Readiness | None:
    """The case's readiness as of that day (today when none), or None when its area has no
    checklist. ``seen``: the case's overview when the page has it (its values and matches
    are used rather than worked out again)."""
    if seen is not None:  # (its content: no second look at the content's version)
        items, catalogue = seen.checklist, seen.catalogue
    else:
        area = (content or snapshot.current()).of(case.area_id)
        items, catalogue = area.readiness, area.catalogue
    if not items:
        return None
    as_of = as_of or timezone.localdate()
    prefetch_related_objects([case], *relations())
    if seen is not None:
        values, deciding = seen.values, seen.matches.deciding
    else:
        values = case.fact_values(catalogue)  # (only what decides: no panel to show)
        deciding = matching.deciding_facts(matching.match(values, area.rules, catalogue))
    values = {**values, **readiness_facts(case, catalogue, as_of, deciding)}
    return readiness.evaluate(items, values, catalogue, as_of)


def meeting_day(starts_at: datetime.datetime) -> datetime.date:
    return timezone.localtime(starts_at).date()
