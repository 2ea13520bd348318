"""Board meetings as iCalendar feeds (RFC 5545), for calendar programs.

A feed says when and where a board meets and links to the meeting page (which asks for
a login): never a patient, a case or an agenda. Each meeting keeps its UID for life;
its SEQUENCE counts how often its time or place changed (read from the audit history,
so a change made anywhere counts), so that calendar programs replace the old entry.
"""

from __future__ import annotations

import datetime
from collections import defaultdict

from django.conf import settings
from django.utils import timezone

from meetings.models import Meeting, MeetingEvent

PRODUCT = "-//Tumor board//Meetings//EN"
# What a calendar shows of the past: the last quarter, and everything to come.
PAST_DAYS = 92
MOVES = ("starts_at", "place", "video_link")


def sequences(meeting_ids: list[int]) -> dict[int, int]:
    """How often each meeting's time or place changed since it was made (one query)."""
    changes: dict[int, int] = defaultdict(int)
    last: dict[int, tuple] = {}
    events = (
        MeetingEvent.objects.filter(pgh_obj_id__in=meeting_ids)
        .order_by("pgh_obj_id", "pgh_id")
        .values_list("pgh_obj_id", *MOVES)
    )
    for meeting, *where in events:
        where = tuple(where)
        if meeting in last and last[meeting] != where:
            changes[meeting] += 1
        last[meeting] = where
    return changes


def feed(meetings: list[Meeting], name: str, base_url: str) -> bytes:
    """The meetings as one calendar (``meetings`` with their boards selected)."""
    from icalendar import Calendar, Event  # imported only when a feed is asked for

    calendar = Calendar()
    calendar.add("prodid", PRODUCT)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", name)
    moved = sequences([m.pk for m in meetings])
    stamp = timezone.now()
    minutes = datetime.timedelta(minutes=settings.CALENDAR_MEETING_MINUTES)
    for meeting in meetings:
        event = Event()
        event.add("uid", f"tumorboard-meeting-{meeting.pk}@{settings.CALENDAR_UID_DOMAIN}")
        event.add("sequence", moved.get(meeting.pk, 0))
        event.add("dtstamp", stamp)
        event.add("dtstart", meeting.starts_at.astimezone(datetime.UTC))
        event.add("dtend", (meeting.starts_at + minutes).astimezone(datetime.UTC))
        event.add("summary", f"{meeting.board.name}: tumor board meeting")
        if meeting.place:
            event.add("location", meeting.place)
        link = base_url + meeting.get_absolute_url()
        event.add("url", link)
        text = "The agenda and the cases are in the app (login required): " + link
        if meeting.video_link:
            text += f"\nVideo: {meeting.video_link}"
        event.add("description", text)
        calendar.add_component(event)
    return calendar.to_ical()


def meetings_for(boards) -> list[Meeting]:
    since = timezone.now() - datetime.timedelta(days=PAST_DAYS)
    return list(
        Meeting.objects.filter(board__in=boards, starts_at__gte=since)
        .select_related("board")
        .order_by("starts_at")[:1000]
    )
