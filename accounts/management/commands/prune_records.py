"""`manage.py prune_records`: remove old handouts and read-log entries (retention policy)."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from accounts.models import ReadLogEntry
from meetings.models import Handout, HandoutKind, HandoutStatus


class Command(BaseCommand):
    help = (
        "Delete handouts older than HANDOUT_RETENTION_DAYS (keeping the latest finished "
        "pack of every meeting) and read-log entries older than READ_LOG_RETENTION_DAYS. "
        "Deleted handouts stay named in the audit trail. Run it daily."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="Only say what would go.")

    def handle(self, *args, dry_run: bool = False, **options):
        now = timezone.now()
        handout_cutoff = now - datetime.timedelta(days=settings.HANDOUT_RETENTION_DAYS)
        log_cutoff = now - datetime.timedelta(days=settings.READ_LOG_RETENTION_DAYS)
        latest_packs = (
            Handout.objects.filter(kind=HandoutKind.MEETING_PACK, status=HandoutStatus.DONE)
            .values("meeting")
            .annotate(latest=Max("pk"))
            .values("latest")
        )
        handouts = Handout.objects.filter(created_at__lt=handout_cutoff).exclude(
            pk__in=latest_packs
        )
        entries = ReadLogEntry.objects.filter(at__lt=log_cutoff)
        verb = "Would delete" if dry_run else "Deleted"
        with transaction.atomic():
            counts = (handouts.count(), entries.count())
            if not dry_run:
                handouts.defer("pdf").delete()
                entries.delete()
        self.stdout.write(
            f"{verb} {counts[0]} handout(s) older than {settings.HANDOUT_RETENTION_DAYS} days "
            f"and {counts[1]} read-log entr{'y' if counts[1] == 1 else 'ies'} older than "
            f"{settings.READ_LOG_RETENTION_DAYS} days."
        )
