"""Case sections laid out ahead of need: whenever a section that an upcoming meeting's
pack would print may have changed -- a case put on an agenda or moved on it, a case,
its lesions or its patient edited, pseudonymisation switched, the guideline content
edited -- a task looks at those meetings' sections and queues one small task per
section that is not stored (``cases.tasks.lay_out_section``), so that every worker
can take a share. Making the pack then only merges them.

What is needed soonest is laid out first: the look goes through the meetings from the
nearest, and each section's task gets a priority by how soon its meeting is (the day's
meeting before next week's, whatever was queued first). A burst of edits makes one
pass: a look already waiting is not queued twice, and a section whose task is already
waiting is not queued again (the task lays out the section as it is when it runs).

A decision is not part of the case section (the pack leaves a box for the board's
notes), so recording one changes no section.
"""

from __future__ import annotations

from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.utils import timezone
from django_tasks import task
from django_tasks_db.models import DBTaskResult

from cases import sections as printed
from cases.readiness import STILL_UPCOMING
from cases.signals import section_changed
from cases.tasks import lay_out_section
from guidelines.signals import content_changed
from meetings import handouts
from meetings.models import AgendaItem, Meeting

AHEAD_PRIORITY = -10  # below a pack being made now and the sections it offers
LATEST_PRIORITY = -90  # a meeting this many days away or more is laid out last


def priority_for(meeting: Meeting, now=None) -> int:
    """How soon a meeting's sections are laid out: AHEAD_PRIORITY for today's, one
    less a day until the meeting, never below LATEST_PRIORITY."""
    days = max(0, (meeting.starts_at - (now or timezone.now())).days)
    return max(LATEST_PRIORITY, AHEAD_PRIORITY - days)


def task_args(prepared: printed.Prepared) -> tuple:
    """What ``lay_out_section`` needs to lay the section out as it was prepared."""
    section = prepared.section
    images = [image.pk for image in section.key_images]
    return prepared.case_id, section.number, prepared.pseudonymised, images


def offer(missing: list[printed.Prepared]) -> None:
    """Queue the sections a pack being made needs, for the other workers to share."""
    for prepared in missing:
        lay_out_section.enqueue(*task_args(prepared))


@task(priority=AHEAD_PRIORITY)
def prepare_upcoming(case_ids: list[int] | None = None, meeting_id: int | None = None) -> int:
    """Queue a task for each section of an upcoming meeting (only of those cases, or of
    that meeting) that is neither stored nor being laid out; how many were queued."""
    meetings = Meeting.objects.filter(starts_at__gte=timezone.now() - STILL_UPCOMING)
    if meeting_id is not None:
        meetings = meetings.filter(pk=meeting_id)
    if case_ids is not None:
        meetings = meetings.filter(agenda_items__case_id__in=case_ids).distinct()
    waiting = {
        _hashable(row["args"])
        for row in DBTaskResult.objects.filter(
            status="READY", task_path=lay_out_section.module_path
        ).values_list("args_kwargs", flat=True)
    }  # one query: tasks queued by an earlier look (or pack) and not started yet
    queued = 0
    now = timezone.now()
    for meeting in meetings.select_related("board").order_by("starts_at", "pk"):
        wanted = [printed.prepare(s) for s in handouts.meeting_sections(meeting, only=case_ids)]
        task_for_meeting = lay_out_section.using(priority=priority_for(meeting, now))
        for prepared in printed.absent(wanted):
            args = task_args(prepared)
            if _hashable(list(args)) in waiting:
                continue
            task_for_meeting.enqueue(*args)
            waiting.add(_hashable(list(args)))
            queued += 1
    return queued


def _hashable(args: list) -> tuple:
    return tuple(tuple(a) if isinstance(a, list) else a for a in args)


def ahead(*, case_ids: list[int] | None = None, meeting_id: int | None = None) -> None:
    """Once the transaction commits, look for sections to lay out ahead (see above):
    those of these cases, of that meeting, or (neither given) of every upcoming one.
    A look already waiting for the same is not queued twice."""
    args = {"case_ids": sorted(set(case_ids)) if case_ids is not None else None,
            "meeting_id": meeting_id}  # fmt: skip

    def queue() -> None:
        waiting = DBTaskResult.objects.filter(
            status="READY",
            task_path=prepare_upcoming.module_path,
            args_kwargs={"args": [], "kwargs": args},
        )
        if not waiting.exists():
            prepare_upcoming.enqueue(**args)

    transaction.on_commit(queue)


def _section_changed(sender, case_ids, **kwargs) -> None:
    ahead(case_ids=case_ids)


def _agenda_changed(sender, instance, **kwargs) -> None:
    ahead(meeting_id=instance.meeting_id)


def _meeting_changed(sender, instance, created=False, **kwargs) -> None:
    if not created:
        ahead(meeting_id=instance.pk)


def _content_changed(sender, **kwargs) -> None:
    ahead()


def connect() -> None:
    """Listen for the changes above (``MeetingsConfig.ready``): the apps below say what
    changed in their words (``cases.signals``, ``guidelines.signals``); this app's own
    agenda and meetings are watched here."""
    section_changed.connect(_section_changed, dispatch_uid="prerender-sections")
    content_changed.connect(_content_changed, dispatch_uid="prerender-content")
    for model, receiver in ((AgendaItem, _agenda_changed), (Meeting, _meeting_changed)):
        post_save.connect(receiver, sender=model, dispatch_uid=f"prerender-{model._meta.label}")
        post_delete.connect(receiver, sender=model, dispatch_uid=f"prerender-{model._meta.label}")
