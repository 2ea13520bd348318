import datetime
import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from guidelines import content_pack


class Command(BaseCommand):
    help = "Write the whole guideline library as a content pack (the format load_content reads)."

    def add_arguments(self, parser):
        parser.add_argument("--output", "-o", help="File to write; standard output when omitted.")
        parser.add_argument("--name", default="exported", help="The pack's name.")
        parser.add_argument("--title", default="Exported guideline content")
        parser.add_argument("--pack-version", default=datetime.date.today().isoformat())

    def handle(self, *args, output, name, title, pack_version, **options):
        text = content_pack.dump(
            content_pack.export_pack(name=name, title=title, version=pack_version)
        )
        if not output:
            sys.stdout.write(text)
            return
        try:
            Path(output).write_text(text, encoding="utf-8")
        except OSError as error:
            raise CommandError(f"cannot write {output}: {error.strerror}") from None
        self.stdout.write(f"Wrote {output}.")
