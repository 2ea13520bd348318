"""Retention of this app's records (``manage.py prune_records``): printed case summaries.

A deleted summary stays named in the audit trail; printing the case again makes a
new one from the case as it is then.
"""

from __future__ import annotations

import datetime

from django.conf import settings

from cases.models import CaseSummary


def prune(now: datetime.datetime, *, dry_run: bool) -> str:
    days = settings.HANDOUT_RETENTION_DAYS
    summaries = CaseSummary.objects.filter(created_at__lt=now - datetime.timedelta(days=days))
    count = summaries.count()
    if not dry_run:
        summaries.defer("pdf").delete()
    return f"{count} case summar{'y' if count == 1 else 'ies'} older than {days} days"
