"""Recording who read which patient's data (the read log)."""

from __future__ import annotations

from collections.abc import Iterable

from django.http import HttpRequest

from accounts.client_ip import client_ip
from accounts.models import ReadKind, ReadLogEntry


def record_read(
    request: HttpRequest,
    kind: ReadKind,
    cases: Iterable,
    *,
    meeting_id: int | None = None,
    handout_id: int | None = None,
) -> None:
    """One entry per case read (a meeting pack reads every case on its agenda)."""
    common = {
        "user": request.user,
        "username": request.user.get_username(),
        "kind": kind,
        "meeting_id": meeting_id,
        "handout_id": handout_id,
        "path": request.get_full_path()[:500],
        "address": client_ip(request),
    }
    ReadLogEntry.objects.bulk_create(
        ReadLogEntry(case_id=case.pk, patient_id=case.patient_id, **common) for case in cases
    )
