import json
import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from guidelines import matching, snapshot
from guidelines.facts import FactValueError, coerce_facts


class Command(BaseCommand):
    help = (
        "Match a case's facts (a JSON object; an absent key or null means not known) against "
        "the published recommendations of one disease area and print the results as JSON. "
        "Exit status 2 on bad input."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", help="A JSON file of facts, or - for standard input.")
        parser.add_argument(
            "--area", help="The disease area (its slug); needed only when there are several."
        )

    def handle(self, *args, path, area, **options):
        content = self._area(area)
        raw = self._read(path)
        try:
            data = json.loads(raw)
        except json.JSONDecodeError as error:
            raise CommandError(f"input is not valid JSON: {error}", returncode=2) from None
        if not isinstance(data, dict):
            raise CommandError(
                f"input must be a JSON object of facts, not a {type(data).__name__}", returncode=2
            )
        try:
            facts = coerce_facts(data, content.catalogue)
        except FactValueError as error:
            raise CommandError(str(error), returncode=2) from None
        results = snapshot.matches_for(facts, content).results
        self.stdout.write(json.dumps(matching.as_json(results), indent=2, ensure_ascii=False))

    def _area(self, slug: str | None) -> snapshot.AreaContent:
        try:
            return snapshot.named_area(slug)
        except LookupError as error:
            raise CommandError(str(error), returncode=2) from None

    def _read(self, path: str) -> str:
        if path == "-":
            return sys.stdin.read()
        try:
            return Path(path).read_text(encoding="utf-8")
        except OSError as error:
            raise CommandError(f"cannot read {path}: {error.strerror}", returncode=2) from None
        except UnicodeDecodeError:
            raise CommandError(f"{path} is not UTF-8 text", returncode=2) from None
