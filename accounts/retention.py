"""Retention of this app's records (``manage.py prune_records``): the read log."""

from __future__ import annotations

import datetime

from django.conf import settings

from accounts.models import ReadLogEntry


def prune(now: datetime.datetime, *, dry_run: bool) -> str:
    days = settings.READ_LOG_RETENTION_DAYS
    entries = ReadLogEntry.objects.filter(at__lt=now - datetime.timedelta(days=days))
    count = entries.count()
    if not dry_run:
        entries.delete()
    return f"{count} read-log entr{'y' if count == 1 else 'ies'} older than {days} days"
