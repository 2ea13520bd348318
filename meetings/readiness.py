"""Cases on the agendas of the coming meetings that are not ready (``cases.readiness``), for
the coordinator's list and the notices to the clinicians who present them."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.utils import timezone

from cases import readiness
from guidelines import snapshot
from meetings.models import AgendaItem, Meeting


@dataclass(frozen=True)
class Listed:
    item: AgendaItem
    readiness: object  # guidelines.readiness.Readiness


def coming(days: int | None = None, now: datetime.datetime | None = None) -> list[Meeting]:
    """Meetings that have not started and start within ``days`` (READINESS_NOTICE_DAYS)."""
    now = now or timezone.now()
    days = settings.READINESS_NOTICE_DAYS if days is None else days
    return list(
        Meeting.objects.filter(
            starts_at__gte=now, starts_at__lt=now + datetime.timedelta(days=days)
        )
        .select_related("board")
        .order_by("starts_at")
    )


def not_ready(
    meetings: list[Meeting], *, warnings: bool = True
) -> list[tuple[Meeting, list[Listed]]]:
    """Each meeting with its cases that are not ready (and, with ``warnings``, those ready
    with warnings), in agenda order; meetings with none are left out."""
    items = (
        AgendaItem.objects.filter(meeting__in=meetings)
        .select_related("case__patient", "presenter")
        .prefetch_related(*readiness.relations("case__"))
        .order_by("meeting__starts_at", "position")
    )
    content = snapshot.current()
    found: dict[int, list[Listed]] = {}
    days = {meeting.pk: readiness.meeting_day(meeting.starts_at) for meeting in meetings}
    for item in items:
        state = readiness.readiness_of(item.case, days[item.meeting_id], content=content)
        if state is None or state.state == "ready" or (state.state == "warnings" and not warnings):
            continue
        found.setdefault(item.meeting_id, []).append(Listed(item, state))
    return [(meeting, found[meeting.pk]) for meeting in meetings if meeting.pk in found]
