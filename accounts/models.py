"""Who read which patient's data, and which accounts are demo accounts."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class ReadKind(models.TextChoices):
    CASE_PAGE = "case_page", "Case page"
    CASE_DATA = "case_data", "Case data (JSON)"
    CASE_SUMMARY = "case_summary", "Case summary PDF"
    MEETING_PACK = "meeting_pack", "Meeting pack PDF"
    MINUTES = "minutes", "Minutes PDF"
    LETTER = "letter", "Outcome letter PDF"
    SPREADSHEET = "spreadsheet", "Spreadsheet export (CSV or Excel)"


class ReadLogEntry(models.Model):
    """One view of one patient's data: who, when, what, from where.

    Ids rather than foreign keys, so an entry outlives the records it names and the
    log never blocks a deletion; the account's username is kept for the same reason.
    Entries older than READ_LOG_RETENTION_DAYS are removed by ``prune_records``.
    """

    at = models.DateTimeField(auto_now_add=True, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    username = models.CharField(max_length=150)
    kind = models.CharField(max_length=16, choices=ReadKind.choices)
    case_id = models.BigIntegerField("case", null=True, db_index=True)
    patient_id = models.BigIntegerField("patient", null=True, db_index=True)
    meeting_id = models.BigIntegerField("meeting", null=True, blank=True)
    handout_id = models.BigIntegerField("handout", null=True, blank=True)
    path = models.CharField(max_length=500)
    address = models.GenericIPAddressField(null=True, blank=True)

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = "read log entry"
        verbose_name_plural = "read log"

    def __str__(self) -> str:
        return f"{self.username} read case {self.case_id} ({self.get_kind_display()})"


class DemoAccount(models.Model):
    """Marks a user as a demo account (development only); no admin form can set it.

    Demo accounts cannot log in unless DEMO_MODE is on, and are deactivated by every
    ``migrate`` that runs with DEMO_MODE off.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="demo_account"
    )

    def __str__(self) -> str:
        return f"demo account {self.user}"
