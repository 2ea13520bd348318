"""`manage.py prune_records`: remove old printed documents and read-log entries."""

from __future__ import annotations

from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from config.discovery import project_modules


class Command(BaseCommand):
    help = (
        "Delete printed case summaries and meeting packs older than HANDOUT_RETENTION_DAYS "
        "(keeping the latest finished pack of every meeting) and read-log entries older "
        "than READ_LOG_RETENTION_DAYS. Deleted documents stay named in the audit trail. "
        "Run it daily."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="Only say what would go.")

    def handle(self, *args, dry_run: bool = False, **options):
        now = timezone.now()
        with transaction.atomic():
            # Each app's retention.prune(), lower apps first, all or nothing.
            done = [module.prune(now, dry_run=dry_run) for module in project_modules("retention")]
        verb = "Would delete" if dry_run else "Deleted"
        self.stdout.write(f"{verb} " + "; ".join(done) + ".")
