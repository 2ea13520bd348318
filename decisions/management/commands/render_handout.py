from pathlib import Path

import pghistory
from django.core.management.base import BaseCommand, CommandError

from cases import summary
from cases.models import Case
from decisions import documents
from decisions.models import Decision
from meetings import handouts
from meetings.models import Handout, HandoutKind, Meeting


class Command(BaseCommand):
    help = (
        "Render a meeting pack (--meeting ID), a case summary (--case ID), the minutes of a "
        "meeting (--minutes ID) or the outcome letter of a signed decision (--letter ID) "
        "to a PDF file."
    )

    def add_arguments(self, parser):
        target = parser.add_mutually_exclusive_group(required=True)
        target.add_argument("--meeting", type=int, help="The meeting whose pack to render.")
        target.add_argument("--case", type=int, help="The case whose summary to render.")
        target.add_argument("--minutes", type=int, help="The meeting whose minutes to render.")
        target.add_argument("--letter", type=int, help="The signed decision to write up.")
        parser.add_argument("--output", "-o", required=True, help="The PDF file to write.")

    def handle(self, *args, meeting, case, minutes, letter, output, **options):
        path = Path(output)
        if not path.parent.is_dir():
            raise CommandError(f"cannot write {output}: no directory {path.parent}")
        with pghistory.context(command="render_handout"):
            rendered, record = self._render(meeting, case, minutes, letter)
            try:
                path.write_bytes(rendered.pdf)
            except OSError as error:
                raise CommandError(f"cannot write {output}: {error.strerror}") from None
            record(rendered)  # recorded as printed once the file is written
        self.stdout.write(f"Wrote {output} ({rendered.page_count} pages).")

    def _render(self, meeting, case, minutes, letter):
        if case is not None:
            subject = Case.objects.select_related("patient").filter(pk=case).first()
            if subject is None:
                raise CommandError(f"there is no case with id {case}")
            rendered = summary.render_case_summary(subject)
            return rendered, lambda done: summary.record(subject, done, user=None)
        if letter is not None:
            return self._letter(letter)
        number = meeting if meeting is not None else minutes
        subject = Meeting.objects.select_related("board").filter(pk=number).first()
        if subject is None:
            raise CommandError(f"there is no meeting with id {number}")
        if meeting is not None:
            rendered = handouts.render_meeting_handout(subject)
            return rendered, lambda done: Handout.objects.record_pack(subject, done)
        rendered = documents.render_minutes(subject)
        return rendered, lambda done: Handout.objects.record_pack(
            subject, done, kind=HandoutKind.MINUTES
        )

    def _letter(self, number: int):
        decision = (
            Decision.objects.select_related("agenda_item__meeting__board", "agenda_item__case")
            .filter(pk=number)
            .first()
        )
        if decision is None:
            raise CommandError(f"there is no decision with id {number}")
        if not decision.is_signed:
            raise CommandError(f"decision {number} is not signed: a letter states a signed one")
        newer = (
            Decision.objects.filter(agenda_item=decision.agenda_item, pk__gt=decision.pk)
            .filter(status="signed")
            .order_by("-pk")
            .first()
        )
        if newer is not None:
            raise CommandError(
                f"decision {number} was amended: the signed version in force is {newer.pk}"
            )
        item = decision.agenda_item
        rendered = documents.render_letter(item)
        return rendered, lambda done: Handout.objects.record_pack(
            item.meeting, done, kind=HandoutKind.LETTER, item=item
        )
