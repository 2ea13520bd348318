"""Case summaries stored as meeting handouts move to cases.CaseSummary without loss."""

from __future__ import annotations

import pytest
from django.db import connection

from cases.models import CaseSummary
from tests.factories import make_case
from tests.helpers import migrate_to

BEFORE = [("cases", "0005_case_summary"), ("meetings", "0004_meeting_date_range")]


@pytest.mark.slow
def test_stored_summaries_keep_their_ids_pdfs_and_content_versions(committed_content):
    case = make_case()
    migrate_to(BEFORE)
    try:
        with connection.cursor() as cursor:
            cursor.execute(
                "INSERT INTO meetings_handout (id, kind, case_id, status, stage, cases_done, "
                "cases_total, pages_done, error, pdf, page_count, pseudonymised, paper_size, "
                "content_versions, created_at, task_id, fingerprint) VALUES (4242, "
                "'case_summary', %s, 'done', '', 1, 1, 0, '', %s, 2, false, 'A4', %s, now(), "
                "'', 'abc')",
                [case.pk, b"%PDF-1.7 x", '{"cases": {"1": 3}}'],
            )
    finally:
        migrate_to()
    moved = CaseSummary.objects.get()
    assert (moved.pk, moved.case_id, moved.page_count, moved.fingerprint) == (
        4242,
        case.pk,
        2,
        "abc",
    )
    assert bytes(moved.pdf) == b"%PDF-1.7 x"
    assert moved.content_versions == {"cases": {"1": 3}}
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM meetings_handout")
        assert cursor.fetchone() == (0,)
    # Ids go on from the moved ones: the next summary does not collide.
    assert CaseSummary.objects.create(case=case, pdf=b"x", page_count=1, fingerprint="f").pk > 4242
