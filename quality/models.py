"""The annual MDT report as a PDF, rendered in the background (``documents``)."""

from __future__ import annotations

import pghistory
from django.db import models
from django.urls import reverse

from documents.models import PROGRESS_FIELDS, Rendering


@pghistory.track(
    pghistory.InsertEvent(),
    pghistory.UpdateEvent(),
    pghistory.DeleteEvent(),
    exclude=PROGRESS_FIELDS,
)
class QualityReport(Rendering):
    """One made (or being made) report: what it covers, as asked, and its PDF.

    The scope is kept as it was asked (board ids, period, area), so the PDF can be
    traced to what it counted; it holds figures, never a patient's name.
    """

    boards = models.JSONField(default=list, help_text="The ids of the boards it covers.")
    start = models.DateField()
    end = models.DateField()
    area = models.ForeignKey(
        "guidelines.DiseaseArea", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    kind = "annual_report"  # (documents.kinds; the only kind this table keeps)

    class Meta:
        ordering = ["-created_at", "-pk"]
        permissions = [
            ("view_dashboard", "Can see the quality dashboard of every board and make its report")
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(start__lte=models.F("end")), name="quality_report_period"
            ),
        ]

    def __str__(self) -> str:
        return f"Quality report {self.pk} ({self.get_status_display()})"

    def get_absolute_url(self) -> str:
        return reverse("quality:report_download", args=[self.pk])
