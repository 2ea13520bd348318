import datetime

from django.core.management.base import BaseCommand, CommandError

from common.commands import write_text
from guidelines import content_pack, snapshot


class Command(BaseCommand):
    help = (
        "Write one disease area's guideline library as a content pack (the format "
        "load_content reads)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--area", help="The disease area (its slug); needed only when there are several."
        )
        parser.add_argument("--output", "-o", help="File to write; standard output when omitted.")
        parser.add_argument("--name", default="exported", help="The pack's name.")
        parser.add_argument("--title", default="Exported guideline content")
        parser.add_argument("--pack-version", default=datetime.date.today().isoformat())

    def handle(self, *args, area, output, name, title, pack_version, **options):
        try:
            slug = snapshot.named_area(area).area.slug
            data = content_pack.export_pack(area=slug, name=name, title=title, version=pack_version)
        except (LookupError, content_pack.PackError) as error:
            raise CommandError(str(error)) from None
        if write_text(content_pack.dump(data), output):
            self.stdout.write(f"Wrote {output}.")
