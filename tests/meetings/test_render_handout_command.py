"""`manage.py render_handout`, for operations and tests."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command

from meetings.models import Handout

pytestmark = [pytest.mark.django_db, pytest.mark.slow]


def test_renders_a_meeting_pack_to_a_file(meeting, tmp_path):
    out = io.StringIO()
    target = tmp_path / "pack.pdf"
    call_command(
        "render_handout", "--meeting", str(meeting.pk), "--output", str(target), stdout=out
    )
    assert target.read_bytes().startswith(b"%PDF-")
    assert "pages)" in out.getvalue()
    assert Handout.objects.get().kind == "meeting_pack"


def test_renders_a_case_summary_to_a_file(agenda_cases, tmp_path):
    target = tmp_path / "case.pdf"
    call_command(
        "render_handout", "--case", str(agenda_cases[0].pk), "-o", str(target), stdout=io.StringIO()
    )
    assert target.read_bytes().startswith(b"%PDF-")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--meeting", "999999", "-o", "{tmp}/x.pdf"], "there is no meeting with id 999999"),
        (["--case", "999999", "-o", "{tmp}/x.pdf"], "there is no case with id 999999"),
        (
            ["--case", "1", "-o", "/nonexistent/dir/x.pdf"],
            "cannot write /nonexistent/dir/x.pdf: no directory",
        ),
    ],
)
def test_bad_arguments_name_the_problem(db, tmp_path, args, message):
    with pytest.raises(CommandError, match=message):
        call_command(
            "render_handout", *[a.format(tmp=tmp_path) for a in args], stdout=io.StringIO()
        )
