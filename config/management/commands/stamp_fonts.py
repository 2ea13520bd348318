"""Write the Inter subsets the pack's page headers are drawn with (``printing.stamp``):
``static/fonts/stamp/Inter-{Regular,Bold}-stamp.otf``, cut to the base characters.
Run after a change of the font files or of ``printing.stamp.BASE_CHARACTERS``; a test
checks that the shipped files are what this writes."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand

from printing import stamp


class Command(BaseCommand):
    help = "Write the font subsets the meeting pack's page headers are drawn with."

    def handle(self, *args, **options) -> None:
        for weight in (stamp.REGULAR, stamp.BOLD):
            path = Path(settings.BASE_DIR) / "static" / stamp.SHIPPED.format(weight=weight)
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(stamp.cut(weight, stamp.BASE_CHARACTERS))
            self.stdout.write(f"wrote {path.relative_to(settings.BASE_DIR)}")
