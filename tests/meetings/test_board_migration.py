"""Meetings named by free text belong to boards after the migration, history included."""

from __future__ import annotations

import pytest
from django.db import connection

from meetings.models import Board, Meeting, MeetingEvent
from tests.helpers import migrate_to

BEFORE = [("meetings", "0005_case_summaries_move_to_cases")]


@pytest.mark.slow
def test_each_board_name_becomes_a_board_and_past_events_name_it(transactional_db):
    migrate_to(BEFORE)
    try:
        with connection.cursor() as cursor:
            for name in ("Liver board", "Liver board", "Upper GI board"):
                cursor.execute(
                    "INSERT INTO meetings_meeting (board_name, starts_at, place, video_link, "
                    "chair, pseudonymise, created_at, updated_at) VALUES (%s, now(), 'Room 1', "
                    "'', '', false, now(), now())",
                    [name],
                )
            # A meeting renamed before boards existed: its history holds both names.
            cursor.execute(
                "UPDATE meetings_meeting SET board_name = 'Upper GI board' WHERE id = "
                "(SELECT min(id) FROM meetings_meeting)"
            )
    finally:
        migrate_to()
    assert sorted(Board.objects.values_list("name", flat=True)) == ["Liver board", "Upper GI board"]
    assert [m.board.name for m in Meeting.objects.order_by("pk")] == [
        "Upper GI board",
        "Liver board",
        "Upper GI board",
    ]
    first = Meeting.objects.order_by("pk").first()
    history = MeetingEvent.objects.filter(pgh_obj=first).order_by("pgh_id")
    assert [event.board.name for event in history][:2] == ["Liver board", "Upper GI board"]
    assert not MeetingEvent.objects.filter(board__isnull=True).exists()
