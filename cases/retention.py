"""Retention of this app's records (``manage.py prune_records``): printed case summaries
and the case sections laid out ahead for packs and summaries (``cases.sections``).

A deleted summary stays named in the audit trail; printing the case again makes a
new one from the case as it is then. A section is a cache: one that is needed again
is laid out again.
"""

from __future__ import annotations

import datetime

from django.conf import settings

from cases.models import CaseSummary, PrintedSection


def prune(now: datetime.datetime, *, dry_run: bool) -> str:
    days = settings.HANDOUT_RETENTION_DAYS
    cutoff = now - datetime.timedelta(days=days)
    summaries = CaseSummary.objects.filter(created_at__lt=cutoff)
    sections = PrintedSection.objects.filter(created_at__lt=cutoff)
    count, laid_out = summaries.count(), sections.count()
    if not dry_run:
        summaries.defer("pdf").delete()
        sections.defer("pdf").delete()
    return (
        f"{count} case summar{'y' if count == 1 else 'ies'} older than {days} days; "
        f"{laid_out} case section(s) laid out ahead older than {days} days"
    )
