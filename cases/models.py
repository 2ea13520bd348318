"""Patients and their cases: what a tumor board discusses."""

from __future__ import annotations

import datetime
import uuid

import pghistory
from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models.fields.json import KeyTransform
from django.db.models.functions import Upper
from django.urls import reverse
from django.utils import timezone

from accounts.audit import Authored, audited
from cases import lesion_modules
from common import viewer
from guidelines import scores
from guidelines.derived import with_derived, with_given_values
from guidelines.facts import Catalogue

# Facts that come from the patient record rather than from the case form.
PATIENT_FACTS = ("sex", "age_years")


def patient_facts(
    catalogue: Catalogue, sex: str | None, born: datetime.date | None, on: datetime.date
) -> dict[str, object]:
    """Sex and age (on a given day) as facts, where the catalogue has them and they are known."""
    values: dict[str, object] = {}
    spec = catalogue.get("sex")
    if spec and sex in spec.values:
        values["sex"] = sex
    if "age_years" in catalogue and born:
        values["age_years"] = on.year - born.year - ((on.month, on.day) < (born.month, born.day))
    return values


class Sex(models.TextChoices):
    FEMALE = "female", "Female"
    MALE = "male", "Male"
    OTHER = "other", "Other"
    UNKNOWN = "unknown", "Not known"


@audited
class Patient(Authored):
    """A person, unique by hospital number (MRN); one patient can have many cases."""

    mrn = models.CharField("hospital number (MRN)", max_length=32)
    name = models.CharField(max_length=200)
    date_of_birth = models.DateField()
    sex = models.CharField(max_length=8, choices=Sex.choices, default=Sex.UNKNOWN)
    # Optimistic locking, as for cases: the record is edited through any of its cases.
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["name", "mrn"]
        # Searching by part of a name or a number (icontains: UPPER(…) LIKE '%…%') uses
        # trigram indexes on UPPER(name) and UPPER(mrn): migration 0011 makes them in
        # SQL (Django writes the operator class of an expression index where PostgreSQL
        # does not accept it).
        constraints = [
            models.UniqueConstraint(Upper("mrn"), name="patient_unique_mrn_ignoring_case"),
            models.CheckConstraint(condition=~models.Q(mrn=""), name="patient_mrn_not_blank"),
            models.CheckConstraint(
                condition=models.Q(date_of_birth__gte=datetime.date(1900, 1, 1)),
                name="patient_born_after_1900",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.mrn})"

    @property
    def initials(self) -> str:
        return "".join(part[0].upper() for part in self.name.split() if part[:1].isalpha())


class CaseStatus(models.TextChoices):
    """Where a case stands. Staff move it between draft and ready, and close it once
    discussed; the rest follows the agenda and the board's decisions (see
    ``cases.services.move_status``)."""

    DRAFT = "draft", "Draft"
    READY = "ready", "Ready for a meeting"
    ON_AGENDA = "on_agenda", "On a meeting's agenda"
    DISCUSSED = "discussed", "Discussed"
    ACTIONS_OPEN = "actions_open", "Discussed, actions open"
    CLOSED = "closed", "Closed"


# What a person may set on the case form, from each status; the other steps follow the
# agenda and the signed decisions. A status missing here is not editable on the form.
STATUS_CHOICES_FROM = {
    None: (CaseStatus.DRAFT, CaseStatus.READY),  # a new case
    CaseStatus.DRAFT: (CaseStatus.DRAFT, CaseStatus.READY),
    CaseStatus.READY: (CaseStatus.DRAFT, CaseStatus.READY),
    CaseStatus.DISCUSSED: (CaseStatus.DISCUSSED, CaseStatus.CLOSED),
    CaseStatus.CLOSED: (CaseStatus.CLOSED, CaseStatus.READY),
}


def parse_record_id(text: str) -> int | None:
    """A record number typed or passed in a URL, or None if the text is not one.

    Only ASCII digits count (``str.isdigit`` also accepts "²"), and no more than
    fit a database id.
    """
    if text.isascii() and text.isdigit() and len(text) <= 18:
        return int(text)
    return None


class CaseQuerySet(models.QuerySet):
    def search(self, query: str, primary_sites: list[str] | None = None):
        """Patient name or MRN containing the query, its case number, or a primary site it names."""
        match = models.Q(patient__name__icontains=query) | models.Q(patient__mrn__icontains=query)
        number = parse_record_id(query.strip().removeprefix("#"))
        if number is not None:
            match |= models.Q(pk=number)
        if primary_sites:
            match |= models.Q(facts__primary_site__in=primary_sites)
        return self.filter(match)


@audited
class Case(Authored):
    """One referral of a patient to the board, with the facts known about it."""

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="cases")
    # Chosen when the case is created: its facts, form and recommendations are the area's.
    area = models.ForeignKey(
        "guidelines.DiseaseArea", on_delete=models.PROTECT, related_name="cases"
    )
    referral_date = models.DateField(default=timezone.localdate)
    referring_clinician = models.CharField(max_length=200)
    question = models.TextField("question for the board")
    clinical_summary = models.TextField(blank=True)
    status = models.CharField(max_length=12, choices=CaseStatus.choices, default=CaseStatus.DRAFT)
    facts = models.JSONField(
        default=dict, blank=True, help_text="Known facts by catalogue name; absent means not known."
    )
    # Values typed in another unit than the catalogue's: {fact: [value, unit]}, so the
    # case shows "59.9 µmol/L (entered as 3.5 mg/dL)" and the form offers 3.5 mg/dL again.
    entered_as = models.JSONField(default=dict, blank=True)
    # Optimistic locking: a save must name the version it started from.
    version = models.PositiveIntegerField(default=1)

    objects = CaseQuerySet.as_manager()

    class Meta:
        ordering = ["-updated_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=CaseStatus.values), name="case_status_valid"
            ),
        ]
        indexes = [
            models.Index(fields=["status", "-updated_at"], name="case_status_updated"),
            # The case list's order, and the primary-site filter and search (an index on
            # the one fact, so that they do not read every case's facts).
            models.Index(fields=["-updated_at", "-id"], name="case_updated"),
            # The meeting page's case picker: the open cases, the latest first.
            models.Index(
                fields=["-updated_at"],
                condition=~models.Q(status=CaseStatus.CLOSED),
                name="case_open_updated",
            ),
            models.Index(KeyTransform("primary_site", "facts"), name="case_primary_site"),
        ]

    def __str__(self) -> str:
        return f"Case {self.pk}: {self.patient.name}"

    def get_absolute_url(self) -> str:
        return reverse("cases:case_detail", args=[self.pk])

    def fact_values(self, catalogue: Catalogue) -> dict[str, object]:
        """Everything known about the case, as the matching engine reads it.

        The stored facts, plus sex and age (at referral) from the patient record,
        when the catalogue has those facts and the record has a usable value, in place of
        what was typed the facts the lesion table and the patient's course give
        (``given_values``), plus the facts that follow from those (``guidelines.derived``).
        """
        values = {name: value for name, value in self.facts.items() if name in catalogue}
        values.update(
            patient_facts(
                catalogue, self.patient.sex, self.patient.date_of_birth, self.referral_date
            )
        )
        return with_derived(with_given_values(values, self.given_values(catalogue)), catalogue)

    def lesion_values(self, catalogue: Catalogue) -> dict[str, object]:
        """The facts the lesion table gives (``guidelines.scores.lesion_facts``), once it has
        rows: each a value, or None where the rows cannot decide it (then not known, never
        the value typed before). Reads prefetched rows (``cases.lesion_modules``)."""
        rows = [row.for_scores() for row in lesion_modules.rows(self)]
        return scores.lesion_values(rows, catalogue)

    def given_values(self, catalogue: Catalogue) -> dict[str, object]:
        """The facts the lesion table and the patient's course give (``cases.course``):
        they replace what was typed. Reads what ``cases.course.relations`` prefetches."""
        from cases import course  # (it reads these models)

        values = self.lesion_values(catalogue)
        values.update((name, value) for name, (value, _) in course.given(self, catalogue).items())
        return values


class CaseSummaryQuerySet(models.QuerySet):
    def printed_as(self, case: Case, fingerprint: str) -> CaseSummary | None:
        """The stored summary that shows exactly what a summary printed now would show."""
        return self.filter(case=case, fingerprint=fingerprint).first()

    def printed_since(self, user, since: datetime.datetime) -> int:
        return self.filter(requested_by=user, created_at__gte=since).count()


# Audited (who printed which case, when, and any deletion), without the PDF itself.
@pghistory.track(
    pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent(), exclude=["pdf"]
)
class CaseSummary(models.Model):
    """A printed one-case summary, kept as printed, with the content versions it showed.

    ``fingerprint`` says what it showed (case, patient and content versions, paper):
    the same summary asked for again is served from here instead of rendered again.
    ``content_versions`` maps each recommendation shown to its audit event id and the
    case to its version (see ``cases.summary``).
    """

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="summaries")
    pdf = models.BinaryField(editable=False)
    page_count = models.PositiveIntegerField()
    paper_size = models.CharField(max_length=8, default="A4")
    content_versions = models.JSONField(default=dict, blank=True)
    fingerprint = models.CharField(max_length=64, db_index=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = CaseSummaryQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name_plural = "case summaries"

    def __str__(self) -> str:
        return f"Summary {self.pk} of case {self.case_id}"

    def get_absolute_url(self) -> str:
        return reverse("cases:case_summary_pdf", args=[self.case_id])

    @property
    def filename(self) -> str:
        return f"case-{self.case_id}-summary.pdf"


class PrintedSectionQuerySet(models.QuerySet):
    def showing(self, case_id: int, key: str, *, pseudonymised: bool):
        """The section of that case laid out from exactly that content (done or being
        done). Pseudonymisation is part of the key and asked for again here, so that a
        pseudonymised section can never be served for an identified one or back."""
        return self.filter(case_id=case_id, key=key, pseudonymised=pseudonymised)


class PrintedSection(models.Model):
    """One case's section of a meeting pack or summary, laid out ahead of need and kept
    as a PDF without page headers or numbers (``cases.sections``). A cache of what a
    document would print: never handed out by itself, only merged into the packs and
    summaries that are handed out (and audited) under their own access rules.

    ``key`` is a digest of everything the section shows (its HTML) and of how it is
    laid out (paper, style sheet, fonts, WeasyPrint's version): a section is served
    only for the same key. While ``pdf`` is empty a worker is laying it out and renews
    ``heartbeat_at``; once that lease runs out another worker takes the section over.
    """

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="printed_sections")
    key = models.CharField(max_length=64)
    number = models.PositiveIntegerField()  # the case's number on the agenda (1 alone)
    pseudonymised = models.BooleanField()
    paper_size = models.CharField(max_length=8)
    pdf = models.BinaryField(null=True, editable=False)
    page_count = models.PositiveIntegerField(null=True)
    created_at = models.DateTimeField(auto_now_add=True)
    heartbeat_at = models.DateTimeField(null=True)
    finished_at = models.DateTimeField(null=True)

    objects = PrintedSectionQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["case", "key"], name="printed_section_once"),
            models.CheckConstraint(
                condition=models.Q(pdf__isnull=True) | models.Q(page_count__gt=0),
                name="printed_section_has_pages",
            ),
        ]

    def __str__(self) -> str:
        return f"Section {self.number} of case {self.case_id}"


# The patient's course (``cases.course``): imaging timepoints, dated values of the facts
# recorded over time, and treatments. They are the patient's, across cases; each row
# names the case it was recorded with.


class Modality(models.TextChoices):
    CT = "ct", "CT"
    MRI = "mri", "MRI"
    CEUS = "ceus", "CEUS"
    ULTRASOUND = "ultrasound", "Ultrasound"
    PET_CT = "pet_ct", "PET-CT"


class NonTarget(models.TextChoices):
    """Non-target disease at a timepoint, assessed as one item (RECIST 1.1)."""

    ABSENT = "absent", "Absent"
    PRESENT = "present", "Present"
    PROGRESSION = "progression", "Unequivocal progression"
    NOT_ASSESSED = "not_assessed", "Not assessed"


def day_in_words(day: datetime.date | None) -> str:
    """E.g. "1 Sep 2026" (as the date filter "j M Y" writes it; quicker in long tables)."""
    return f"{day.day} {day:%b %Y}" if day else ""


def _not_after_today(day: datetime.date) -> None:
    from django.core.exceptions import ValidationError

    if day > timezone.localdate():
        raise ValidationError("Enter a date that is not in the future.")


UID_VALIDATOR = RegexValidator(
    r"^[0-9]+(\.[0-9]+)*$", "A Study Instance UID is digits separated by dots (e.g. 1.2.840.1)."
)


@audited
class ImagingTimepoint(Authored):
    """One imaging study of the patient: the lesions are measured at it (the lesion module's
    measurements) and RECIST 1.1 reads the course from them (``guidelines.recist``)."""

    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="timepoints")
    case = models.ForeignKey(
        Case, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        help_text="The case it was recorded with.",
    )  # fmt: skip
    day = models.DateField("imaging date", validators=[_not_after_today])
    modality = models.CharField(max_length=12, choices=Modality.choices, blank=True)
    place = models.CharField("where it was done", max_length=200, blank=True)
    conclusion = models.TextField("the report's conclusion", blank=True)
    accession_number = models.CharField(max_length=64, blank=True)
    study_uid = models.CharField(
        "Study Instance UID", max_length=64, blank=True, validators=[UID_VALIDATOR]
    )
    non_target = models.CharField(
        "non-target disease", max_length=16, choices=NonTarget.choices, blank=True,
        help_text="RECIST 1.1: the lesions that are not target lesions, as one item.",
    )  # fmt: skip
    new_lesion = models.BooleanField(
        "a new lesion outside the lesion table", default=False,
        help_text="E.g. in the lung; a new liver lesion is added to the lesion table.",
    )  # fmt: skip
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["patient", "day", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["patient", "day", "modality"], name="timepoint_once_per_day_and_modality"
            ),
        ]

    def __str__(self) -> str:
        how = f" {self.get_modality_display()}" if self.modality else ""
        return f"Imaging of {self.day:%Y-%m-%d}{how}"

    @property
    def when(self) -> str:
        return day_in_words(self.day)

    @property
    def viewer_url(self) -> str:
        """The hospital's image viewer on this study ("" without one: ``config.viewer``)."""
        return viewer.link(settings.IMAGE_VIEWER_URL, self.study_uid, self.accession_number)


@audited
class DatedValue(Authored):
    """A dated value of a fact recorded over time (``Fact.over_time``: CEA, the liver
    labs). The value a condition sees is the latest."""

    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="dated_values")
    case = models.ForeignKey(
        Case, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        help_text="The case it was recorded with.",
    )  # fmt: skip
    fact = models.CharField(max_length=64, help_text="The catalogue name, e.g. cea_ng_ml.")
    value = models.FloatField(help_text="In the fact's unit.")
    day = models.DateField("date", validators=[_not_after_today])
    # Typed in another unit than the fact's: [value, unit], shown beside it.
    entered_as = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["patient", "fact", "day"]
        constraints = [
            models.UniqueConstraint(
                fields=["patient", "fact", "day"], name="dated_value_once_per_day"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.fact} {self.value:g} on {self.day:%Y-%m-%d}"

    @property
    def when(self) -> str:
        return day_in_words(self.day)

    @property
    def number(self) -> str:
        """The value as stored, without trailing zeros (59.85, 9)."""
        return f"{self.value:g}"

    @property
    def typed(self) -> str:
        """As typed in another unit ("3.5 mg/dL"), or ""."""
        return f"{self.entered_as[0]:g} {self.entered_as[1]}" if self.entered_as else ""


class TreatmentKind(models.TextChoices):
    SYSTEMIC = "systemic", "Systemic therapy"
    LIVER_RESECTION = "liver_resection", "Liver resection"
    ABLATION = "ablation", "Ablation"
    EMBOLISATION = "embolisation", "Embolisation"
    PRIMARY_SURGERY = "primary_surgery", "Surgery of the primary"


LIVER_PROCEDURES = (TreatmentKind.LIVER_RESECTION, TreatmentKind.ABLATION,
                    TreatmentKind.EMBOLISATION)  # fmt: skip


class StopReason(models.TextChoices):
    COMPLETED = "completed", "Completed"
    PROGRESSION = "progression", "Progression"
    TOXICITY = "toxicity", "Toxicity"
    PATIENT_CHOICE = "patient_choice", "Patient's choice"


@audited
class Treatment(Authored):
    """A line of systemic therapy, a liver procedure or surgery of the primary."""

    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="treatments")
    case = models.ForeignKey(
        Case, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        help_text="The case it was recorded with.",
    )  # fmt: skip
    kind = models.CharField(max_length=16, choices=TreatmentKind.choices)
    line = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(20)],
        help_text="Systemic therapy only: 1 for the first line.",
    )  # fmt: skip
    regimen = models.CharField(
        "regimen or procedure, in words", max_length=200, blank=True,
        help_text="E.g. FOLFOX + panitumumab; right hepatectomy.",
    )  # fmt: skip
    started_on = models.DateField("start (or the date of a procedure)",
                                  validators=[_not_after_today])  # fmt: skip
    ended_on = models.DateField("end", null=True, blank=True, help_text="Empty: ongoing.")
    cycles = models.PositiveSmallIntegerField(
        "cycles given", null=True, blank=True, validators=[MaxValueValidator(200)]
    )
    stop_reason = models.CharField(
        "reason for stopping", max_length=16, choices=StopReason.choices, blank=True
    )
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["patient", "started_on", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ended_on__isnull=True)
                | models.Q(ended_on__gte=models.F("started_on")),
                name="treatment_ends_after_it_starts",
            ),
            models.CheckConstraint(
                condition=models.Q(kind="systemic", line__isnull=False)
                | (~models.Q(kind="systemic") & models.Q(line__isnull=True)),
                name="treatment_line_for_systemic_only",
            ),
        ]

    def __str__(self) -> str:
        if self.kind == TreatmentKind.SYSTEMIC:
            return f"Line {self.line}: {self.regimen or 'systemic therapy'}"
        return self.regimen or self.get_kind_display()

    @property
    def ongoing(self) -> bool:
        return self.ended_on is None and self.kind == TreatmentKind.SYSTEMIC

    @property
    def started(self) -> str:
        return day_in_words(self.started_on)

    @property
    def ended(self) -> str:
        return day_in_words(self.ended_on)


# Reports and images attached to a case (``cases.attachments``).


class AttachmentKind(models.TextChoices):
    RADIOLOGY_REPORT = "radiology_report", "Radiology report"
    PATHOLOGY_REPORT = "pathology_report", "Pathology report"
    KEY_IMAGE = "key_image", "Key image"
    LETTER = "letter", "Letter"
    OTHER = "other", "Other"


# Kinds that may name the patient (a report's or letter's header): a pseudonymised meeting
# shows them only once the coordinator releases them. A key image is uploaded with the
# statement that it shows no name, number or date of birth.
MAY_NAME_PATIENT = frozenset(
    {AttachmentKind.RADIOLOGY_REPORT, AttachmentKind.PATHOLOGY_REPORT, AttachmentKind.LETTER,
     AttachmentKind.OTHER}
)  # fmt: skip


def stored_name(instance, filename: str) -> str:
    """A fresh random name: what the uploader called the file never becomes a path."""
    return f"attachments/{uuid.uuid4().hex}"


@audited
class Attachment(Authored):
    """A report (PDF) or key image (PNG, JPEG) attached to a case, optionally to one of
    the patient's imaging timepoints. The file is kept in the storage (``STORAGES``) under
    a random name and served only by ``cases.attachment_views.attachment_file``."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="attachments")
    timepoint = models.ForeignKey(
        ImagingTimepoint, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="attachments", verbose_name="imaging",
        help_text="The imaging it belongs to, if any.",
    )  # fmt: skip
    kind = models.CharField(max_length=20, choices=AttachmentKind.choices)
    title = models.CharField(max_length=200)
    day = models.DateField("date", validators=[_not_after_today],
                           help_text="The date of the report or image.")  # fmt: skip
    file = models.FileField(upload_to=stored_name, max_length=100)
    thumbnail = models.FileField(upload_to=stored_name, max_length=100, blank=True)
    content_type = models.CharField(max_length=40)  # from the content, not the name
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    original_name = models.CharField("file name", max_length=200, blank=True)
    no_identifiers = models.BooleanField(
        "shows no name, hospital number or date of birth", default=False
    )
    scanned = models.BooleanField(default=False, help_text="Scanned by ClamAV when uploaded.")

    class Meta:
        ordering = ["case", "-day", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(kind="key_image") | models.Q(no_identifiers=True),
                name="key_image_shows_no_identifiers",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.title}"

    @property
    def is_image(self) -> bool:
        return self.content_type.startswith("image/")

    @property
    def may_name_patient(self) -> bool:
        return self.kind in MAY_NAME_PATIENT

    @property
    def when(self) -> str:
        return day_in_words(self.day)

    def get_absolute_url(self) -> str:
        return reverse("cases:attachment_file", args=[self.case_id, self.pk])
