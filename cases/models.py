"""Patients and their cases: what a tumor board discusses."""

from __future__ import annotations

import datetime

import pghistory
from django.conf import settings
from django.db import models
from django.db.models.fields.json import KeyTransform
from django.db.models.functions import Upper
from django.urls import reverse
from django.utils import timezone

from accounts.audit import Authored, audited
from cases import lesion_modules
from guidelines import scores
from guidelines.derived import with_derived
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
        when the catalogue has those facts and the record has a usable value, plus
        the facts that follow from those (``guidelines.derived``).
        """
        values = {name: value for name, value in self.facts.items() if name in catalogue}
        values.update(
            patient_facts(
                catalogue, self.patient.sex, self.patient.date_of_birth, self.referral_date
            )
        )
        return with_derived(with_lesion_values(values, self.lesion_values(catalogue)), catalogue)

    def lesion_values(self, catalogue: Catalogue) -> dict[str, object]:
        """The facts the lesion table gives (``guidelines.scores.lesion_facts``), once it has
        rows: each a value, or None where the rows cannot decide it (then not known, never
        the value typed before). Reads prefetched rows (``cases.lesion_modules``)."""
        rows = [row.for_scores() for row in lesion_modules.rows(self)]
        return {
            name: value
            for name, value in scores.lesion_facts(rows).items()
            if name in catalogue
            or (name == scores.LARGEST_AT_LEAST and "largest_lesion_mm" in catalogue)
        }


def with_lesion_values(values: dict[str, object], lesions: dict[str, object]) -> dict[str, object]:
    """``values`` with what the lesion table gives in place of what was typed: a fact the
    rows cannot decide (None) is not known."""
    values = {name: value for name, value in values.items() if name not in lesions}
    values.update((name, value) for name, value in lesions.items() if value is not None)
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
