"""Agenda changes: the workflows that touch several agenda items at once."""

from __future__ import annotations

from django.db import transaction
from django.db.models import Max

from cases.models import Case, CaseStatus
from cases.services import move_status
from meetings.models import AgendaItem, Meeting

# A case waiting for a meeting moves to "on a meeting's agenda" when it is listed.
WAITING = [CaseStatus.DRAFT, CaseStatus.READY]


def add_case(meeting: Meeting, case: Case, user=None, presenter=None) -> AgendaItem:
    """Put a case at the end of the agenda (once), presented by ``presenter``."""
    with transaction.atomic():
        Meeting.objects.select_for_update().get(pk=meeting.pk)  # one agenda change at a time
        last = meeting.agenda_items.aggregate(last=Max("position"))["last"] or 0
        item, new = AgendaItem.objects.get_or_create(
            meeting=meeting, case=case, defaults={"position": last + 1, "presenter": presenter}
        )
        if new:
            move_status(case.pk, CaseStatus.ON_AGENDA, user, only_from=WAITING)
    return item


def move(item: AgendaItem, direction: str) -> bool:
    """Swap an item with its neighbour ('up' or 'down'); False at either end."""
    with transaction.atomic():
        Meeting.objects.select_for_update().get(pk=item.meeting_id)
        item.refresh_from_db()
        siblings = item.meeting.agenda_items
        neighbour = (
            siblings.filter(position__lt=item.position).order_by("-position").first()
            if direction == "up"
            else siblings.filter(position__gt=item.position).order_by("position").first()
        )
        if neighbour is None:
            return False
        item.position, neighbour.position = neighbour.position, item.position
        item.save(update_fields=["position"])  # the unique position is checked at commit
        neighbour.save(update_fields=["position"])
    return True


def remove(item: AgendaItem, user=None) -> None:
    """Take a case off the agenda and close the gap in numbering."""
    with transaction.atomic():
        meeting = Meeting.objects.select_for_update().get(pk=item.meeting_id)
        item.delete()
        if not AgendaItem.objects.filter(case_id=item.case_id, decisions__isnull=True).exists():
            move_status(item.case_id, CaseStatus.READY, user, only_from=[CaseStatus.ON_AGENDA])
        for position, remaining in enumerate(meeting.agenda_items.order_by("position"), start=1):
            if remaining.position != position:
                remaining.position = position
                remaining.save(update_fields=["position"])
