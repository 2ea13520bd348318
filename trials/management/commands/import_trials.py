"""`manage.py import_trials FILE [FILE ...] --area SLUG`: add trials from records saved from
ClinicalTrials.gov (JSON, API v2), or bring them up to a newer record."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from guidelines.models import DiseaseArea
from trials import registry, services


class Command(BaseCommand):
    help = "Import trials from study records saved from ClinicalTrials.gov (JSON, API v2)."

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="+", metavar="FILE")
        parser.add_argument(
            "--area", default="liver", help="The disease area's slug (default: liver)."
        )

    def handle(self, *args, files, area, **options):
        found = DiseaseArea.objects.filter(slug=area).first()
        if found is None:
            slugs = ", ".join(DiseaseArea.objects.values_list("slug", flat=True))
            raise CommandError(f"No disease area '{area}' (there are: {slugs}).")
        records = []
        for name in files:
            try:
                records.append(registry.read(Path(name).read_bytes()))
            except OSError as error:
                raise CommandError(f"{name}: {error.strerror or error}") from None
            except registry.NotARecord as problem:
                raise CommandError(f"{name}: {problem}") from None
        reports = []
        try:
            with transaction.atomic():  # all the files, or none
                reports = [services.import_record(record, found) for record in records]
        except registry.NotARecord as problem:
            raise CommandError(str(problem)) from None
        for report in reports:
            self.stdout.write("\n".join(report.lines()))
