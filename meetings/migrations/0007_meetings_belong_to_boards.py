"""Every meeting belongs to a board: one board per board name used so far.

The audit history keeps naming the board of every past event: events recorded
before this migration get the board whose name they carry, before the free-text
name goes (0008).
"""

from django.db import migrations

FILL_EVENTS = """
UPDATE meetings_meetingevent AS e SET board_id = b.id
FROM meetings_board AS b WHERE b.name = e.board_name AND e.board_id IS NULL
"""


def boards_from_names(apps, schema_editor):
    Board = apps.get_model("meetings", "Board")
    Meeting = apps.get_model("meetings", "Meeting")
    MeetingEvent = apps.get_model("meetings", "MeetingEvent")
    names = set(Meeting.objects.values_list("board_name", flat=True))
    names |= set(MeetingEvent.objects.values_list("board_name", flat=True))
    for name in sorted(names):
        board, _ = Board.objects.get_or_create(name=name)
        Meeting.objects.filter(board_name=name, board__isnull=True).update(board=board)
    schema_editor.execute(FILL_EVENTS)


def names_from_boards(apps, schema_editor):
    Meeting = apps.get_model("meetings", "Meeting")
    for meeting in Meeting.objects.select_related("board"):
        Meeting.objects.filter(pk=meeting.pk).update(board_name=meeting.board.name)


class Migration(migrations.Migration):
    dependencies = [("meetings", "0006_boards")]

    operations = [migrations.RunPython(boards_from_names, names_from_boards)]
