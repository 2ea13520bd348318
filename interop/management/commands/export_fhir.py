import json

from django.core.management.base import BaseCommand, CommandError

from cases.models import Case
from common.commands import write_text
from interop import fhir
from meetings.models import Meeting


class Command(BaseCommand):
    help = (
        "Write a case (identified) or every case of a meeting (pseudonymised when the "
        "meeting is) with their signed decisions as a FHIR R4 Bundle in JSON."
    )

    def add_arguments(self, parser):
        which = parser.add_mutually_exclusive_group(required=True)
        which.add_argument("--case", type=int, metavar="ID")
        which.add_argument("--meeting", type=int, metavar="ID")
        parser.add_argument("--output", "-o", help="File to write; standard output when omitted.")

    def handle(self, *args, case, meeting, output, **options):
        if case is not None:
            found = Case.objects.select_related("patient").filter(pk=case).first()
            if found is None:
                raise CommandError(f"There is no case {case}.")
            data = fhir.case_bundle(found)
        else:
            found = Meeting.objects.filter(pk=meeting).first()
            if found is None:
                raise CommandError(f"There is no meeting {meeting}.")
            data = fhir.meeting_bundle(found)
        if write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n", output):
            self.stdout.write(f"Wrote {output} ({len(data.get('entry', []))} resources).")
