"""Retention of this app's records (``manage.py prune_records``): meeting packs.

The latest finished pack of every meeting is kept, however old; deleted packs stay
named in the audit trail.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db.models import Max

from meetings.models import Handout, HandoutStatus


def prune(now: datetime.datetime, *, dry_run: bool) -> str:
    days = settings.HANDOUT_RETENTION_DAYS
    latest = (
        Handout.objects.filter(status=HandoutStatus.DONE)
        .values("meeting")
        .annotate(latest=Max("pk"))
        .values("latest")
    )
    packs = Handout.objects.filter(created_at__lt=now - datetime.timedelta(days=days)).exclude(
        pk__in=latest
    )
    count = packs.count()
    if not dry_run:
        packs.defer("pdf").delete()
    return f"{count} meeting pack(s) older than {days} days"
