"""`manage.py restore FILE`: restore a checked backup into an empty database."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from config import backup
from config.owner import act_as_owner


class Command(BaseCommand):
    help = (
        "Restore a backup made by `manage.py backup` into an empty database, after checking "
        "its manifest's signature and its checksum; all or nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="The backup file (its manifest, FILE.json, beside it).")
        parser.add_argument(
            "--database-url",
            help="Restore into this database instead of the app's own (DATABASE_URL).",
        )
        parser.add_argument(
            "--verify-only", action="store_true", help="Only check the file against its manifest."
        )
        parser.add_argument(
            "--accept-unsigned",
            action="store_true",
            help="Accept a backup made before manifests were signed (only one you know).",
        )

    def handle(
        self, *args, file, database_url=None, verify_only=False, accept_unsigned=False, **options
    ):
        path = Path(file)
        try:
            if verify_only:
                manifest = backup.verify(path, accept_unsigned=accept_unsigned)
                self.stdout.write(f"{path} is intact (made {manifest['created_at']}).")
                return
            if not database_url:
                act_as_owner()  # the restored tables belong to the owner, as migrated ones
            manifest = backup.restore(path, database_url, accept_unsigned=accept_unsigned)
        except backup.BackupError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(
            f"Restored {path} (made {manifest['created_at']} by app {manifest['app_version']}). "
            "Run `manage.py migrate` if this version of the app is newer."
        )
