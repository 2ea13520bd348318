"""Retention of stored documents (``manage.py prune_records``), as each kind says
(``documents.kinds``): those older than its retention are deleted, except the latest
finished one of each group it keeps (the latest pack, minutes and letter of each
meeting); deleted documents stay named in the audit trail."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db.models import Max

from documents import kinds
from documents.models import Status


def prune(now: datetime.datetime, *, dry_run: bool) -> str:
    done = []
    for kind in kinds.every():
        if not (kind.in_background and kind.retention_setting):
            continue
        days = getattr(settings, kind.retention_setting)
        rows = kind.model_class.objects.all()
        if "kind" in {f.name for f in kind.model_class._meta.fields}:
            rows = rows.filter(kind=kind.key)
        latest = (
            rows.filter(status=Status.DONE)
            .values(*kind.keep_latest_of)
            .annotate(latest=Max("pk"))
            .values("latest")
        )
        old = rows.filter(created_at__lt=now - datetime.timedelta(days=days)).exclude(pk__in=latest)
        count = old.count()
        if not dry_run:
            old.defer("content").delete()
        done.append(f"{count} {kind.retention_words} older than {days} days")
    return "; ".join(done) or "no stored documents to prune"
