import contextlib
from pathlib import Path

import pghistory
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from guidelines import content_pack
from guidelines.models import Recommendation

KEYED = (("facts", "name"), ("sources", "code"), ("recommendations", "id"))


class Command(BaseCommand):
    help = (
        "Make the guideline library match a content pack (one disease area; without a path, "
        "every pack shipped with the app): create missing items and update "
        "changed ones (matched by their stable keys). Items not in the pack are left alone, "
        "and so are items a person changed since they were loaded, and unpublished items "
        "the pack would publish, unless named with --take. Every change is recorded in the "
        "audit history."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "path", nargs="?", help="The pack file (YAML); every shipped pack when omitted."
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="Show what would change and change nothing."
        )
        parser.add_argument(
            "--take",
            action="append",
            default=[],
            metavar="ID",
            help="Overwrite this item with the pack's version even if it was changed here, or "
            "publish it if the pack does (a recommendation id, fact name or source code; repeat "
            "for more).",
        )
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="Load a pack only when its area has no recommendations yet; otherwise just say "
            "whether the pack differs (used by the set-up, so that it never overwrites editors' "
            "work).",
        )

    def handle(self, *args, path, dry_run, if_empty, take, **options):
        paths = [Path(path)] if path else content_pack.shipped_packs()
        try:
            packs = content_pack.in_area_order(
                [(path, content_pack.read_pack(path)) for path in paths]
            )
            known = {
                item.get(key) for _, data in packs for kind, key in KEYED for item in data[kind]
            }
            unknown = sorted(set(take) - known)
            if unknown:
                names = ", ".join(path.name for path, _ in packs)
                raise CommandError(f"--take {', '.join(unknown)}: not in {names}")
        except content_pack.PackError as error:
            raise CommandError(str(error)) from None
        # Each pack in its own transaction. A dry run applies them all in one, undone at
        # the end: a pack reads what an earlier one would make (HCC reads the facts the
        # liver pack shares), as the real load would.
        with transaction.atomic() if dry_run else contextlib.nullcontext():
            for path, data in packs:
                try:
                    self._load(path, data, dry_run=dry_run, if_empty=if_empty, take=frozenset(take))
                except content_pack.PackError as error:
                    raise CommandError(
                        f"{path.name}: {error} (nothing of it was applied)"
                    ) from None
            if dry_run:
                transaction.set_rollback(True)

    def _load(self, path, data, *, dry_run, if_empty, take):
        area = data["area"]["slug"]
        if (
            if_empty
            and Recommendation.objects.filter(subsection__section__area__slug=area).exists()
        ):
            report = content_pack.apply_pack(data, dry_run=True)
            if report.changed:
                self.stdout.write(
                    f"Guideline content of the {area} area is already loaded; {path.name} differs "
                    f"in {len(report.changes)} item(s). Run `manage.py load_content {path} "
                    f"--dry-run` to see them and `manage.py load_content {path}` to apply them."
                )
            return
        with pghistory.context(command="load_content", pack=str(path.name)):
            # (a dry run is undone by the transaction around every pack: see ``handle``)
            report = content_pack.apply_pack(data, take=take)
        self._print(report, path, dry_run)

    def _print(self, report, path, dry_run):
        counts = ", ".join(f"{n} {kind}" for kind, n in report.counts.items())
        if not report.changed and not report.skipped:
            self.stdout.write(f"No changes: the database already matches {path.name} ({counts}).")
        elif report.changed:
            verb = "Would apply" if dry_run else "Applied"
            for change in report.changes:
                self.stdout.write(f"  {'would ' if dry_run else ''}{change}")
                if dry_run:  # exactly what would change
                    for name, before, after in change.differences:
                        self.stdout.write(f"      {name} now: {_shown(before)}")
                        self.stdout.write(f"      {name} would be: {_shown(after)}")
            created = sum(1 for c in report.changes if c.action == "create")
            updated = len(report.changes) - created
            self.stdout.write(
                self.style.SUCCESS(
                    f"{verb} {path.name}: {created} created, {updated} updated ({counts})."
                )
            )
        for skip in report.skipped:
            self.stdout.write(self.style.WARNING(f"  {skip}; `--take {skip.key}` to overwrite it"))
            for name, here, pack in skip.differences:
                self.stdout.write(f"      {name} here: {_shown(here)}")
                self.stdout.write(f"      {name} in the pack: {_shown(pack)}")
        if report.skipped:
            self.stdout.write(f"Left {len(report.skipped)} item(s) as they are here (see above).")
        for kind, n in report.untouched.items():
            self.stdout.write(
                f"{n} {kind} in the database are not in the pack and were left as they are."
            )


def _shown(value) -> str:
    if value in ("", None):
        return "(empty)"
    return str(getattr(value, "pk", value) if hasattr(value, "_meta") else value)
