"""The liver's lesion table (liver domain fact sheet §1): one row per liver metastasis,
with its Couinaud segments, diameter, imaging and relation to vessels.

The liver lesion module (``cases.lesion_modules``) that an area chooses by name. Its
rows are kept in the cases app's tables (``app_label = "cases"``), beside the cases they
belong to, as they were before areas chose their lesion tables: the code is the liver's,
the storage (and its audit history) did not move.
"""

from __future__ import annotations

from django.contrib.postgres.fields import ArrayField
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from accounts.audit import audited
from cases.models import Case
from guidelines import scores


class Imaging(models.TextChoices):
    CT = "ct", "CT"
    MRI = "mri", "MRI"
    CEUS = "ceus", "CEUS"
    ULTRASOUND = "ultrasound", "Ultrasound"
    PET_CT = "pet_ct", "PET-CT"


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
    diameter_mm = models.PositiveSmallIntegerField(
        "largest diameter (mm)", null=True, blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(300)],
        help_text="On the latest imaging, 1–300 mm.",
    )  # fmt: skip
    imaging = models.CharField(max_length=12, choices=Imaging.choices, blank=True)
    imaging_date = models.DateField(null=True, blank=True)
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
    # Optimistic locking, as for the case: an edit names the version it started from.
    version = models.PositiveIntegerField(default=1)

    class Meta:
        app_label = "cases"  # (stored with the cases; see above)
        ordering = ["case", "number"]
        constraints = [
            models.UniqueConstraint(fields=["case", "number"], name="lesion_number_once_per_case"),
            models.CheckConstraint(
                condition=models.Q(diameter_mm__isnull=True)
                | models.Q(diameter_mm__gte=1, diameter_mm__lte=300),
                name="lesion_diameter_in_range",
            ),
            models.CheckConstraint(
                condition=~models.Q(segments=[]), name="lesion_in_at_least_one_segment"
            ),
        ]

    def __str__(self) -> str:
        size = f", {self.diameter_mm} mm" if self.diameter_mm else ""
        return f"Lesion {self.number} ({', '.join(self.segments)}{size})"

    def for_scores(self) -> scores.Lesion:
        return scores.Lesion(tuple(self.segments), self.diameter_mm, self.disappeared, self.number)
