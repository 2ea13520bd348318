"""`manage.py backup`: a consistent backup of the whole database, with a manifest."""

from __future__ import annotations

import datetime
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from config import backup


class Command(BaseCommand):
    help = (
        "Back up the whole database (pg_dump custom format, one consistent snapshot) and "
        "write a manifest beside it with its SHA-256 checksum and the app's version."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--output",
            help="The backup file (default: backups/tumorboard-<UTC time>.dump).",
        )

    def handle(self, *args, output=None, **options):
        stamp = datetime.datetime.now(datetime.UTC).strftime("%Y%m%dT%H%M%SZ")
        path = Path(output or f"backups/tumorboard-{stamp}.dump")
        try:
            manifest = backup.backup(path)
        except backup.BackupError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(
            f"Backed up {manifest['database']} to {path} ({manifest['size']:,} bytes, "
            f"sha256 {manifest['sha256'][:12]}…, app {manifest['app_version']}); "
            f"manifest: {backup.manifest_path(path)}"
        )
