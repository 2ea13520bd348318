"""What happens when a case is entered: whose case it is, and saving it.

The case form (``cases/forms.py``) only holds fields and their errors. Deciding
which patient a new case belongs to, and saving patient and case together under
their versions, are functions here, so that other entry points (imports, an API)
follow the same rules.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from django.db import models, transaction
from django.db.models import F
from django.utils import timezone

from cases.models import Case, Patient, Sex

# Form data keys and the patient record's fields they fill.
PATIENT_FIELDS = {
    "mrn": "mrn",
    "patient_name": "name",
    "date_of_birth": "date_of_birth",
    "sex": "sex",
}


class ConflictError(Exception):
    """The case, or its patient's record, was saved by someone else since this form was opened.

    ``patient`` is set when it was the patient record (through another of their cases).
    """

    def __init__(self, current: Case, patient: Patient | None = None):
        super().__init__(f"case {current.pk} is at version {current.version}")
        self.current = current
        self.patient = patient


@dataclass
class Identity:
    """Which patient typed details name, and what stands in the way of saving them."""

    existing: Patient | None = None  # the recorded patient a new case joins
    namesake: Patient | None = None  # same name and birth date, another MRN
    errors: list[tuple[str, str]] = field(default_factory=list)  # (form field, message)


def check_identity(data: Mapping[str, object], own: Patient | None) -> Identity:
    """Match typed patient details with the records, in one query.

    ``data`` holds ``mrn``, ``patient_name``, ``date_of_birth``, ``sex`` and the two
    confirmations (``use_existing_patient``, ``confirm_new_patient``); ``own`` is the
    patient of the case being edited (None for a new case).
    """
    identity = Identity()
    mrn, name, born = data["mrn"], data.get("patient_name"), data.get("date_of_birth")
    candidates = list(
        Patient.objects.filter(
            models.Q(mrn__iexact=mrn) | models.Q(name__iexact=name or "", date_of_birth=born)
        )[:10]
    )
    existing = next((p for p in candidates if p.mrn.upper() == str(mrn).upper()), None)
    if existing is None and own is None:
        _check_namesake(identity, candidates, data)
    if existing is None or existing == own:
        return identity
    if own is not None:
        identity.errors.append(
            ("mrn", f"MRN {existing.mrn} belongs to another patient, {existing.name}.")
        )
    elif not data.get("use_existing_patient"):
        identity.errors.append(
            (
                "mrn",
                f"A patient with MRN {existing.mrn} already exists: {existing.name}, born "
                f"{existing.date_of_birth:%d %b %Y}. Tick the box below to add this case to them.",
            )
        )
    else:
        mismatches = _mismatches(existing, data)
        identity.errors.extend(mismatches)
        if not mismatches:
            identity.existing = existing
    return identity


def _check_namesake(identity: Identity, candidates: list[Patient], data: Mapping) -> None:
    """A new MRN for a name and birth date already on record is often a second record
    of the same person: ask before creating it."""
    born = data.get("date_of_birth")
    if not candidates or not born or data.get("confirm_new_patient"):
        return
    identity.namesake = candidates[0]
    identity.errors.append(
        (
            "mrn",
            f"{identity.namesake.name}, born {born:%d %b %Y}, is already recorded with MRN "
            f"{identity.namesake.mrn}. If this is the same person, use that MRN; if not, tick "
            "the box below to create a new patient.",
        )
    )


def _mismatches(patient: Patient, data: Mapping) -> list[tuple[str, str]]:
    """A second identifier must agree before a case joins an existing patient.

    A mistyped MRN must not file a case under somebody else: the name, date of
    birth and sex typed must match the record (the record itself is corrected by
    editing one of the patient's cases). A sex not known on either side agrees.
    """
    found = []
    name, born, sex = (data.get(key) for key in ("patient_name", "date_of_birth", "sex"))
    if name and " ".join(name.split()).casefold() != " ".join(patient.name.split()).casefold():
        found.append(("patient_name", f"is {patient.name}"))
    if born and born != patient.date_of_birth:
        found.append(("date_of_birth", f"was born {patient.date_of_birth:%d %b %Y}"))
    if sex and sex != patient.sex and Sex.UNKNOWN not in (sex, patient.sex):
        found.append(("sex", f"is recorded as {patient.get_sex_display().lower()}"))
    return [
        (
            key,
            f"The patient with MRN {patient.mrn} {fact}. Check the MRN; to correct the "
            "record, edit one of this patient's cases.",
        )
        for key, fact in found
    ]


@dataclass(frozen=True)
class CaseEntry:
    """A validated case form: its data, facts, and which patient it joins."""

    data: Mapping[str, object]  # referral fields and patient fields, by form key
    facts: dict[str, object]
    entered_as: dict[str, list]  # {fact: [value, unit]} typed in another unit
    area_id: int  # the disease area whose facts these are (a new case's area)
    existing_patient: Patient | None = None
    version: int | None = None  # the case version the form started from
    patient_version: int | None = None
    course: Mapping[str, list] = field(default_factory=dict)  # imported with a new case


CASE_FIELDS = ("referral_date", "referring_clinician", "question", "clinical_summary", "status")


def save_case(case: Case | None, entry: CaseEntry, user) -> Case:
    """Save patient and case in one transaction; raise ConflictError on a stale version.

    An edit writes the patient record only when one of its fields changed, and
    refuses when the record moved on since the form was opened.
    """
    data = entry.data
    with transaction.atomic():
        if case is not None:
            current = Case.objects.select_for_update().get(pk=case.pk)
            if current.version != entry.version:
                raise ConflictError(current)
            patient = Patient.objects.select_for_update().get(pk=current.patient_id)
            changed = [
                model
                for key, model in PATIENT_FIELDS.items()
                if data[key] != getattr(patient, model)
            ]
            if changed and patient.version != entry.patient_version:
                # Corrected through another of the patient's cases meanwhile: what
                # this form holds would revert that correction.
                raise ConflictError(current, patient)
            case.version = current.version + 1
        else:
            patient = entry.existing_patient or Patient(mrn=data["mrn"])
            changed = [] if entry.existing_patient else list(PATIENT_FIELDS.values())
            case = Case(created_by=user, area_id=entry.area_id)
        if changed:
            for key, model in PATIENT_FIELDS.items():
                setattr(patient, model, data[key])
            if patient.pk:
                patient.version += 1
            patient.updated_by = user
            patient.save()
        for name in CASE_FIELDS:
            setattr(case, name, data[name])
        case.patient = patient
        case.facts = entry.facts
        case.entered_as = {k: v for k, v in entry.entered_as.items() if k in entry.facts}
        case.updated_by = user
        new = case.pk is None
        case.save()
        if new and entry.course:
            from cases.course_forms import record_course  # (it reads this module's callers)

            record_course(case, entry.course, user)
    return case


def move_status(case_id: int, status: str, user, *, only_from=None) -> bool:
    """Move a case to ``status`` (from one of ``only_from``, when given) with a new case
    version, so that a case form opened before refuses to put the old status back.
    Whether it moved."""
    cases = Case.objects.filter(pk=case_id)
    if only_from is not None:
        cases = cases.filter(status__in=only_from)
    return bool(
        cases.exclude(status=status).update(
            status=status, version=F("version") + 1, updated_by=user, updated_at=timezone.now()
        )
    )
