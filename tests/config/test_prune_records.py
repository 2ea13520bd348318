"""Retention: `manage.py prune_records` removes what is old, in every app, and says so."""

from __future__ import annotations

import datetime
import io

import pytest
from django.core.management import call_command
from django.utils import timezone
from pghistory.models import Events

from accounts.models import ReadLogEntry
from cases.models import CaseSummary, PrintedSection
from meetings.models import Handout
from tests.factories import make_case, make_meeting

pytestmark = pytest.mark.django_db


def test_prune_records_keeps_the_latest_pack_and_leaves_a_trace(settings):
    settings.HANDOUT_RETENTION_DAYS = 30
    settings.READ_LOG_RETENTION_DAYS = 30
    case = make_case()
    meeting = make_meeting([case])
    long_ago = timezone.now() - datetime.timedelta(days=40)
    old_pack, latest_pack = (
        Handout.objects.create(kind="meeting_pack", meeting=meeting, status="done", content=b"x")
        for _ in range(2)
    )
    printed = {"case": case, "pdf": b"x", "page_count": 1, "fingerprint": "f"}
    old_summary = CaseSummary.objects.create(**printed)
    recent_summary = CaseSummary.objects.create(**printed)
    laid_out = {"case": case, "number": 1, "pseudonymised": False, "paper_size": "A4"}
    old_section = PrintedSection.objects.create(key="old", pdf=b"x", page_count=1, **laid_out)
    recent_section = PrintedSection.objects.create(key="new", pdf=b"x", page_count=1, **laid_out)
    PrintedSection.objects.filter(pk=old_section.pk).update(created_at=long_ago)
    Handout.objects.update(created_at=long_ago)
    CaseSummary.objects.filter(pk=old_summary.pk).update(created_at=long_ago)
    old_read = ReadLogEntry.objects.create(username="a", kind="case_page", case_id=1, path="/")
    ReadLogEntry.objects.filter(pk=old_read.pk).update(at=long_ago)
    new_read = ReadLogEntry.objects.create(username="b", kind="case_page", case_id=1, path="/")

    out = io.StringIO()
    call_command("prune_records", "--dry-run", stdout=out)
    assert out.getvalue() == (
        "Would delete 1 read-log entry older than 30 days; 1 meeting pack(s) older than 30 days; "
        "0 minutes older than 30 days; 0 outcome letter(s) older than 30 days; "
        "1 case summary older than 30 days; 1 case section(s) laid out ahead older than 30 days.\n"
    )
    assert Handout.objects.count() == 2 and CaseSummary.objects.count() == 2
    call_command("prune_records", stdout=out)
    assert list(Handout.objects.values_list("pk", flat=True)) == [latest_pack.pk]
    assert list(CaseSummary.objects.values_list("pk", flat=True)) == [recent_summary.pk]
    assert list(PrintedSection.objects.values_list("pk", flat=True)) == [recent_section.pk]
    assert list(ReadLogEntry.objects.values_list("pk", flat=True)) == [new_read.pk]
    deleted = Events.objects.filter(pgh_label="delete").values_list("pgh_model", "pgh_obj_id")
    assert set(deleted) == {
        ("meetings.HandoutEvent", str(old_pack.pk)),
        ("cases.CaseSummaryEvent", str(old_summary.pk)),
    }


def test_the_latest_pack_minutes_and_letter_of_a_meeting_are_each_kept(settings):
    """The latest finished document of each kind is kept, whichever was made last: minutes
    made after the pack do not make the pack (or a letter) old enough to go."""
    settings.HANDOUT_RETENTION_DAYS = 30
    case = make_case()
    meeting = make_meeting([case])
    item = meeting.agenda_items.get()
    done = {"meeting": meeting, "status": "done", "content": b"x"}
    old_pack = Handout.objects.create(kind="meeting_pack", **done)
    pack = Handout.objects.create(kind="meeting_pack", **done)
    letter = Handout.objects.create(kind="letter", agenda_item=item, **done)
    minutes = Handout.objects.create(kind="minutes", **done)
    failed = Handout.objects.create(kind="minutes", meeting=meeting, status="failed")
    Handout.objects.update(created_at=timezone.now() - datetime.timedelta(days=40))
    call_command("prune_records", stdout=io.StringIO())
    kept = set(Handout.objects.values_list("pk", flat=True))
    assert kept == {pack.pk, letter.pk, minutes.pk}
    assert old_pack.pk not in kept and failed.pk not in kept
