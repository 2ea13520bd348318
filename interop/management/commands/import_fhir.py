from pathlib import Path

import pghistory
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from cases.course_forms import record_course
from cases.models import Case, CaseStatus, Patient
from guidelines import snapshot
from interop import fhir_import


class Command(BaseCommand):
    help = (
        "Read a FHIR R4 Bundle (one Patient with Conditions and Observations) and say what it "
        "gives: the patient and the case facts its codes say, and what was left and why. With "
        "--save, create or update the patient (by hospital number) and make a draft case with "
        "those facts; without it nothing is saved."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", help="The bundle (JSON).")
        parser.add_argument(
            "--area", help="The disease area (its slug); needed when there are several."
        )
        parser.add_argument(
            "--save", action="store_true", help="Save the patient and a draft case."
        )
        parser.add_argument(
            "--question", default="", help="The question for the board (with --save)."
        )
        parser.add_argument("--referring-clinician", default="", help="Who referred (with --save).")

    def handle(self, *args, path, area, save, question, referring_clinician, **options):
        content = self._area(area)
        try:
            raw = Path(path).read_bytes()
        except OSError as error:
            raise CommandError(f"cannot read {path}: {error.strerror}") from None
        try:
            found = fhir_import.read(raw, content.catalogue)
        except fhir_import.BundleError as error:
            raise CommandError(str(error)) from None
        self._print(found)
        if not save:
            self.stdout.write(
                "Nothing was saved (add --save to save the patient and a draft case)."
            )
            return
        missing = [name for name, value in (("a hospital number", found.mrn), ("a name", found.name),
                   ("a whole birth date", found.date_of_birth)) if not value]  # fmt: skip
        if missing or not question.strip() or not referring_clinician.strip():
            missing += [] if question.strip() else ["--question"]
            missing += [] if referring_clinician.strip() else ["--referring-clinician"]
            raise CommandError(f"Cannot save: missing {', '.join(missing)}. Nothing was saved.")
        with transaction.atomic(), pghistory.context(command="import_fhir", file=Path(path).name):
            patient = Patient.objects.filter(mrn__iexact=found.mrn).first()
            created = patient is None
            patient = patient or Patient(mrn=found.mrn)
            changed = (patient.name, patient.date_of_birth, patient.sex) != (
                found.name,
                found.date_of_birth,
                found.sex or patient.sex or "unknown",
            )
            patient.name, patient.date_of_birth = found.name, found.date_of_birth
            patient.sex = found.sex or patient.sex or "unknown"
            if changed and not created:
                patient.version += 1
            patient.save()
            case = Case.objects.create(
                patient=patient, area_id=content.area.pk, question=question.strip(),
                referring_clinician=referring_clinician.strip(), status=CaseStatus.DRAFT,
                facts=found.facts,
            )  # fmt: skip
            record_course(case, found.course, None)
        verb = "Created" if created else ("Updated" if changed else "Found")
        facts = len(found.facts)
        course = ", ".join(f"{len(items)} {name}" for name, items in found.course.items() if items)
        self.stdout.write(self.style.SUCCESS(
            f"{verb} patient {patient.mrn}; created draft case {case.pk} with {facts} fact(s)"
            + (f" and the course ({course})." if course else ".")))  # fmt: skip

    def _area(self, slug):
        try:
            return snapshot.named_area(slug)
        except LookupError as error:
            raise CommandError(str(error)) from None

    def _print(self, found):
        self.stdout.write(f"Patient: {found.name or '(no name)'}, MRN {found.mrn or '(none)'}, "
                          f"born {found.date_of_birth or '(not known)'}, sex {found.sex or '(not known)'}")  # fmt: skip
        self.stdout.write(f"Taken ({len(found.taken)}):")
        for item in found.taken:
            self.stdout.write(f"  {item.label}: {item.value}  ({item.source})")
        self.stdout.write(f"Left ({len(found.left)}):")
        for item in found.left:
            self.stdout.write(f"  {item.what}: {item.reason}")
