from pathlib import Path

import pghistory
from django.core.management.base import BaseCommand, CommandError

from cases import summary
from cases.models import Case
from meetings import handouts
from meetings.models import Handout, Meeting


class Command(BaseCommand):
    help = "Render a meeting pack (--meeting ID) or a case summary (--case ID) to a PDF file."

    def add_arguments(self, parser):
        target = parser.add_mutually_exclusive_group(required=True)
        target.add_argument("--meeting", type=int, help="The meeting whose pack to render.")
        target.add_argument("--case", type=int, help="The case whose summary to render.")
        parser.add_argument("--output", "-o", required=True, help="The PDF file to write.")

    def handle(self, *args, meeting, case, output, **options):
        path = Path(output)
        if not path.parent.is_dir():
            raise CommandError(f"cannot write {output}: no directory {path.parent}")
        with pghistory.context(command="render_handout"):
            if meeting is not None:
                subject = Meeting.objects.filter(pk=meeting).first()
                if subject is None:
                    raise CommandError(f"there is no meeting with id {meeting}")
                rendered = handouts.render_meeting_handout(subject)
            else:
                subject = Case.objects.select_related("patient").filter(pk=case).first()
                if subject is None:
                    raise CommandError(f"there is no case with id {case}")
                rendered = summary.render_case_summary(subject)
            try:
                path.write_bytes(rendered.pdf)
            except OSError as error:
                raise CommandError(f"cannot write {output}: {error.strerror}") from None
            # Recorded as printed once the file is written.
            if meeting is not None:
                Handout.objects.record_pack(subject, rendered)
            else:
                summary.record(subject, rendered, user=None)
        self.stdout.write(f"Wrote {output} ({rendered.page_count} pages).")
