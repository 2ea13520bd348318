"""The liver's lesion table (liver domain fact sheet §1): one row per liver metastasis,
with its Couinaud segments, diameter, imaging and relation to vessels.

The liver lesion module (``cases.lesion_modules``) that an area chooses by name. Its
rows are kept in the cases app's tables (``app_label = "cases"``), beside the cases they
belong to, as they were before areas chose their lesion tables: the code is the liver's,
the storage (and its audit history) did not move.
"""

from __future__ import annotations

from functools import cached_property

from django.contrib.postgres.fields import ArrayField
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from accounts.audit import audited
from cases.models import Case, ImagingTimepoint, Modality
from guidelines import recist, scores


class VesselRelation(models.TextChoices):
    NONE = "none", "None"
    HEPATIC_VEIN = "hepatic_vein", "Contact with a hepatic vein"
    PORTAL_PEDICLE = "portal_pedicle", "Contact with a portal pedicle"
    IVC = "ivc", "Contact with the inferior vena cava"
    HILAR_PLATE = "hilar_plate", "Contact with the hilar plate"


class LocalTreatment(models.TextChoices):
    NONE_DECIDED = "none_decided", "None decided"
    RESECTION = "resection", "Resection"
    ABLATION = "ablation", "Ablation"


# Couinaud segments (liver domain fact sheet §1); "IV" when IVa or IVb is not known.
SEGMENT_CHOICES = [(segment, segment) for segment in ("I", "II", "III", "IV", "IVa", "IVb",
                                                      "V", "VI", "VII", "VIII")]  # fmt: skip


@audited
class Lesion(models.Model):
    """One liver metastasis of a case (liver domain fact sheet §1)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="lesions")
    number = models.PositiveSmallIntegerField(help_text="As numbered on the liver map.")
    segments = ArrayField(models.CharField(max_length=4, choices=SEGMENT_CHOICES))
    target = models.BooleanField(
        "RECIST target lesion", default=False,
        help_text="Chosen at baseline: measurable (at least 10 mm), at most 2 in the liver.",
    )  # fmt: skip
    vessels = models.CharField(
        "relation to major vessels", max_length=16, choices=VesselRelation.choices, blank=True
    )
    disappeared = models.BooleanField(
        "no longer visible after neoadjuvant therapy", null=True, blank=True
    )
    planned_treatment = models.CharField(
        "planned local treatment", max_length=16, choices=LocalTreatment.choices,
        default=LocalTreatment.NONE_DECIDED,
    )  # fmt: skip
    # Per-lesion fields an area may choose (``DiseaseArea.lesion_fields``; HCC fact sheet
    # §3.1): asked only on the cases of an area that chose them.
    viable_diameter_mm = models.PositiveSmallIntegerField(
        "viable diameter (mm)", null=True, blank=True,
        validators=[MaxValueValidator(scores.MAX_DIAMETER_MM)],
        help_text="After locoregional treatment: the enhancing (viable) diameter, necrosis "
        "excluded; 0 = no viable tumour; empty = not treated or not measured.",
    )  # fmt: skip
    bile_duct_contact = models.BooleanField("contact with a major bile duct", null=True, blank=True)
    # Optimistic locking, as for the case: an edit names the version it started from.
    version = models.PositiveIntegerField(default=1)

    class Meta:
        app_label = "cases"  # (stored with the cases; see above)
        ordering = ["case", "number"]
        constraints = [
            models.UniqueConstraint(fields=["case", "number"], name="lesion_number_once_per_case"),
            models.CheckConstraint(
                condition=~models.Q(segments=[]), name="lesion_in_at_least_one_segment"
            ),
        ]

    def __str__(self) -> str:
        size = f", {self.diameter_mm} mm" if self.diameter_mm else ""
        return f"Lesion {self.number} ({', '.join(self.segments)}{size})"

    # The lesion at its latest imaging: the table shows it and the scores read it. Reads
    # the measurements prefetched with their timepoints (``cases.lesion_modules``).
    @cached_property
    def course(self) -> list[Measurement]:
        """Its measurements, the earliest first (read once per row: a page asks often)."""
        return sorted(self.measurements.all(), key=lambda m: (m.timepoint.day, m.timepoint.pk))

    @property
    def latest(self) -> Measurement | None:
        course = self.course
        return course[-1] if course else None

    @property
    def diameter_mm(self) -> int | None:
        """The longest diameter at the latest imaging (None: not seen, too small to
        measure, or not measured)."""
        latest = self.latest
        return latest.diameter_mm if latest else None

    @property
    def imaging(self) -> str:
        latest = self.latest
        return latest.timepoint.modality if latest else ""

    @property
    def imaging_date(self):
        latest = self.latest
        return latest.timepoint.day if latest else None

    def get_imaging_display(self) -> str:
        return Modality(self.imaging).label if self.imaging else ""

    @property
    def no_longer_visible(self) -> bool | None:
        """No longer visible: from the timepoints where they decide it (seen with a size
        before, not seen at the latest: yes; a size at the latest: no), else as typed."""
        course = self.course
        if course and course[-1].state == MeasurementState.NOT_SEEN:
            if any(m.state != MeasurementState.NOT_SEEN for m in course[:-1]):
                return True
        elif course and course[-1].state == MeasurementState.MEASURED and len(course) > 1:
            return False
        return self.disappeared

    def for_scores(self) -> scores.Lesion:
        return scores.Lesion(
            tuple(self.segments), self.diameter_mm, self.no_longer_visible, self.number,
            self.vessels, self.viable_diameter_mm, self.bile_duct_contact,
        )  # fmt: skip

    def for_recist(self) -> recist.Lesion:
        return recist.Lesion(str(self.pk), "liver", f"lesion {self.number}")


class MeasurementState(models.TextChoices):
    MEASURED = "measured", "Measured"
    NOT_SEEN = recist.NOT_SEEN, "Not seen"
    TOO_SMALL = recist.TOO_SMALL, "Too small to measure"


@audited
class Measurement(models.Model):
    """A lesion at one imaging timepoint: its longest diameter, or not seen, or too small to
    measure (liver domain fact sheet §7). A lesion first measured after the case's baseline
    is a new lesion at that timepoint."""

    lesion = models.ForeignKey(Lesion, on_delete=models.CASCADE, related_name="measurements")
    timepoint = models.ForeignKey(
        ImagingTimepoint, on_delete=models.CASCADE, related_name="measurements"
    )
    state = models.CharField(
        max_length=12, choices=MeasurementState.choices, default=MeasurementState.MEASURED
    )
    diameter_mm = models.PositiveSmallIntegerField(
        "longest diameter (mm)", null=True, blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(scores.MAX_DIAMETER_MM)],
    )  # fmt: skip

    class Meta:
        app_label = "cases"  # (stored with the cases, as the lesions)
        constraints = [
            models.UniqueConstraint(fields=["lesion", "timepoint"], name="measurement_once"),
            models.CheckConstraint(
                condition=models.Q(state="measured", diameter_mm__gte=1, diameter_mm__lte=300)
                | (~models.Q(state="measured") & models.Q(diameter_mm__isnull=True)),
                name="measurement_size_when_measured",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.lesion} at {self.timepoint}: {self.words}"

    @property
    def words(self) -> str:
        if self.state == MeasurementState.MEASURED:
            return f"{self.diameter_mm} mm"
        return self.get_state_display().lower()

    @property
    def for_recist(self) -> recist.Measurement:
        return self.diameter_mm if self.state == MeasurementState.MEASURED else self.state
