import json
import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from guidelines import scores, snapshot
from guidelines.derived import with_given_values
from guidelines.facts import FactValueError, coerce_facts

LESION_KEYS = {"segments", "diameter_mm", "vessel"}


class Command(BaseCommand):
    help = (
        "Match a case's facts (a JSON object; an absent key or null means not known) against "
        "the published recommendations of one disease area and print the results as JSON, "
        "with the derived facts used (`derived`). The input may hold the case's lesion rows "
        "under `lesions` (each with `segments`, `diameter_mm`, `vessel` and the area's own "
        "per-lesion fields): the facts they give replace typed ones, as on the case page. "
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
        rows = self._lesions(data.pop("lesions", None), content)
        try:
            facts = coerce_facts(data, content.catalogue)
        except FactValueError as error:
            raise CommandError(str(error), returncode=2) from None
        if rows:
            facts = with_given_values(facts, scores.lesion_values(rows, content.catalogue))
        output = snapshot.matches_json(facts, content)
        self.stdout.write(json.dumps(output, indent=2, ensure_ascii=False))

    def _lesions(self, rows, content: snapshot.AreaContent) -> list[scores.Lesion]:
        """The lesion rows of the input, checked like the lesion form checks them."""
        if rows is None:
            return []
        area = content.area
        if not area.lesion_module:
            raise CommandError(f"lesions: the {area.slug} area has no lesion table", returncode=2)
        if not isinstance(rows, list):
            raise CommandError("lesions must be a list of lesion rows", returncode=2)
        allowed = LESION_KEYS | set(area.lesion_fields)
        found = []
        for number, row in enumerate(rows, start=1):
            where = f"lesions[{number}]"
            if not isinstance(row, dict):
                raise CommandError(f"{where} must be an object", returncode=2)
            unknown = sorted(set(row) - allowed)
            if unknown:
                raise CommandError(
                    f"{where}: unknown key(s) {', '.join(unknown)} "
                    f"(the {area.slug} area's rows have {', '.join(sorted(allowed))})",
                    returncode=2,
                )
            segments = row.get("segments")
            known = set(scores.SEGMENTS) | set(scores.PARTS)
            if (
                not isinstance(segments, list)
                or not segments
                or not all(isinstance(s, str) and s in known for s in segments)
            ):
                raise CommandError(
                    f"{where}: segments must be a list of Couinaud segments "
                    f"({', '.join(sorted(known))})",
                    returncode=2,
                )
            diameter = self._mm(row.get("diameter_mm"), f"{where}.diameter_mm", least=1)
            viable = self._mm(row.get("viable_diameter_mm"), f"{where}.viable_diameter_mm")
            vessel = row.get("vessel") or ""
            if vessel and vessel not in scores.VESSEL_RELATIONS:
                raise CommandError(
                    f"{where}.vessel must be one of {', '.join(scores.VESSEL_RELATIONS)}",
                    returncode=2,
                )
            duct = row.get("bile_duct_contact")
            if duct is not None and not isinstance(duct, bool):
                raise CommandError(f"{where}.bile_duct_contact must be true, false or null",
                                   returncode=2)  # fmt: skip
            found.append(
                scores.Lesion(tuple(segments), diameter, None, number, vessel, viable, duct)
            )
        return found

    def _mm(self, value, where: str, *, least: int = 0) -> int | None:
        if value is None:
            return None
        if (
            isinstance(value, bool)
            or not isinstance(value, int)
            or not (least <= value <= scores.MAX_DIAMETER_MM)
        ):
            raise CommandError(
                f"{where} must be a whole number of mm, {least}–{scores.MAX_DIAMETER_MM}",
                returncode=2,
            )
        return value

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
