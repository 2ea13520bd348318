"""The hospital's list of clinical trials, per disease area, and their eligibility criteria.

A trial is content, like a recommendation: a trial coordinator keeps it in the admin (or
imports a record saved from ClinicalTrials.gov, ``trials.registry``). Each criterion keeps
its original words; a rule in the condition language (``guidelines.conditions``, checked
against the area's facts as a recommendation's condition is) lets the app screen a case
against it (``trials.screening``); without one it is checked by hand.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models

from accounts.audit import audited
from guidelines import conditions
from guidelines.models import DiseaseArea, Fact


class TrialStatus(models.TextChoices):
    """ClinicalTrials.gov's overall status (API v2 ``statusModule.overallStatus``)."""

    NOT_YET_RECRUITING = "NOT_YET_RECRUITING", "Not yet recruiting"
    RECRUITING = "RECRUITING", "Recruiting"
    ENROLLING_BY_INVITATION = "ENROLLING_BY_INVITATION", "Enrolling by invitation"
    ACTIVE_NOT_RECRUITING = "ACTIVE_NOT_RECRUITING", "Active, not recruiting"
    SUSPENDED = "SUSPENDED", "Suspended"
    TERMINATED = "TERMINATED", "Terminated"
    COMPLETED = "COMPLETED", "Completed"
    WITHDRAWN = "WITHDRAWN", "Withdrawn"
    UNKNOWN = "UNKNOWN", "Unknown status"


# Screened against cases: a trial that recruits, or will (shown as such).
SCREENED = (TrialStatus.RECRUITING, TrialStatus.NOT_YET_RECRUITING)


@audited
class Trial(models.Model):
    area = models.ForeignKey(DiseaseArea, on_delete=models.PROTECT, related_name="trials")
    identifier = models.CharField(
        max_length=60, unique=True, help_text="The NCT number (NCT01234567) or a local id."
    )
    title = models.CharField(max_length=500)
    phase = models.CharField(max_length=60, blank=True, help_text="E.g. Phase 2, or Phase 2/3.")
    status = models.CharField(max_length=30, choices=TrialStatus, default=TrialStatus.RECRUITING)
    principal_investigator = models.CharField("local principal investigator", max_length=200,
                                              blank=True)  # fmt: skip
    contact = models.TextField(blank=True, help_text="Who to call or write to at this hospital.")
    arms = models.TextField(blank=True, help_text="The arms, one a line.")
    conditions = models.TextField(blank=True, help_text="The conditions it studies, one a line.")
    registry_version = models.CharField(
        max_length=40, blank=True, editable=False,
        help_text="The registry record's last update, as imported.",
    )  # fmt: skip
    notes = models.TextField(blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["area", "identifier"]

    def __str__(self) -> str:
        return f"{self.identifier}: {self.title}"

    @property
    def screened(self) -> bool:
        return self.status in SCREENED


class CriterionKind(models.TextChoices):
    INCLUSION = "inclusion", "Inclusion"
    EXCLUSION = "exclusion", "Exclusion"


@audited
class Criterion(models.Model):
    """One eligibility criterion, in its original words. ``rule``: for an inclusion
    criterion, the condition a candidate meets; for an exclusion criterion, the condition
    that excludes (the criterion is met when it does not hold)."""

    trial = models.ForeignKey(Trial, on_delete=models.CASCADE, related_name="criteria")
    kind = models.CharField(max_length=10, choices=CriterionKind)
    position = models.PositiveIntegerField(default=0)
    text = models.TextField(help_text="The criterion as the trial states it.")
    rule = models.TextField(
        blank=True,
        help_text="In the condition language, as a recommendation's condition (e.g. "
        "ecog_ps <= 1). For an exclusion criterion, the condition that excludes. Empty: "
        "checked by hand.",
    )
    from_registry = models.BooleanField(default=False, editable=False)

    class Meta:
        ordering = ["trial", "position", "pk"]
        verbose_name_plural = "criteria"

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.text[:80]}"

    def clean(self) -> None:
        """The rule is checked against the trial's area's facts, as a recommendation's
        condition is (syntax, facts, their types and values)."""
        self.rule = self.rule.strip()
        try:
            area_id = self.trial.area_id
        except Trial.DoesNotExist:  # (no trial yet: the inline sets it)
            return
        if not self.rule or area_id is None:
            return
        problems = conditions.validate(self.rule, Fact.objects.for_area(area_id).catalogue())
        if problems:
            raise ValidationError({"rule": [str(problem) for problem in problems]})
