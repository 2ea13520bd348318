"""Who read which patient's data, which accounts are demo accounts, and the tokens
that let other programs act for a user."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from accounts.audit import audited


class ReadKind(models.TextChoices):
    CASE_PAGE = "case_page", "Case page"
    CASE_DATA = "case_data", "Case data (JSON)"
    CASE_SUMMARY = "case_summary", "Case summary PDF"
    MEETING_PACK = "meeting_pack", "Meeting pack PDF"
    MINUTES = "minutes", "Minutes PDF"
    LETTER = "letter", "Outcome letter PDF"
    SPREADSHEET = "spreadsheet", "Spreadsheet export (CSV or Excel)"
    FHIR = "fhir", "FHIR export"
    API = "api", "API"
    ATTACHMENT = "attachment", "Attachment (report or image)"


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


class TokenPurpose(models.TextChoices):
    CALENDAR = "calendar", "Calendar feed"
    API = "api", "API"


@audited
class PersonalToken(models.Model):
    """A secret a user hands to another program (a calendar, a script) in place of their
    password: it acts for that user and can do no more than the user may, for one purpose.

    Only a hash of the secret is kept; the secret is shown once, when it is made. A
    revoked token stays (revoked), so the audit history can say what used it.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    purpose = models.CharField(max_length=12, choices=TokenPurpose.choices)
    name = models.CharField(max_length=100, help_text="What it is for, e.g. “Outlook at work”.")
    prefix = models.CharField(max_length=8, help_text="The secret's first characters.")
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    # API tokens stop working at this time (API_TOKEN_DAYS, at most API_TOKEN_MAX_DAYS);
    # calendar links do not expire (a subscription that silently stops would go unnoticed).
    expires_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(purpose__in=TokenPurpose.values), name="token_purpose_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(key_hash__regex=r"^[0-9a-f]{64}$"), name="token_hash_only"
            ),
            models.CheckConstraint(
                condition=~models.Q(purpose="api") | models.Q(expires_at__isnull=False),
                name="api_token_expires",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_purpose_display()} token {self.prefix}… of {self.user}"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None and not self.has_expired

    @property
    def has_expired(self) -> bool:
        return self.expires_at is not None and self.expires_at <= timezone.now()


class NoticeKind(models.TextChoices):
    ACTION_ASSIGNED = "action_assigned", "An action is assigned to me"
    ACTION_OVERDUE = "action_overdue", "An action of mine is overdue"
    CASE_NOT_READY = "case_not_ready", "A case I present is not ready for its meeting"
    DECISION_TO_SIGN = "decision_to_sign", "A decision waits for my signature"


class NoticeChoice(models.Model):
    """Which e-mail notices a user receives (every kind unless they turned it off)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notice_choice"
    )
    off = models.JSONField(default=list, blank=True, help_text="The kinds turned off.")

    def __str__(self) -> str:
        return f"notices of {self.user}"


class Notice(models.Model):
    """A notice sent: at most one of a kind about the same thing to a user a day."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=20, choices=NoticeKind.choices)
    about = models.CharField(max_length=64, help_text="What it is about, e.g. action-12.")
    day = models.DateField()
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "kind", "about", "day"], name="notice_once_a_day"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.about} to {self.user_id} on {self.day}"


class AccountChangeKind(models.TextChoices):
    CREATED = "created", "Account created"
    PASSWORD = "password", "Password set"
    ROLES = "roles", "Roles changed"
    ACTIVE = "active", "Activated or deactivated"
    STAFF = "staff", "Admin access changed"
    SUPERUSER = "superuser", "Superuser status changed"
    SIGNING = "signing", "Signing rights changed"
    TWO_FACTOR = "two_factor", "Two-factor authentication reset"


class AccountChange(models.Model):
    """One change of a person's account, rights or signing rights: who made it and when
    (``accounts.account_changes``). Kept when the account is deleted (its username stays);
    never edited."""

    account = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    username = models.CharField(max_length=150)
    kind = models.CharField(max_length=12, choices=AccountChangeKind.choices)
    detail = models.CharField(max_length=300, blank=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Who made it, as a name that outlives the account ("a command" when no one logged in).
    changed_by_name = models.CharField(max_length=150)
    at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind__in=AccountChangeKind.values), name="account_change_kind"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.username}"


class PasswordChangeRequired(models.Model):
    """A password someone else set (an administrator): its owner must choose a new one at
    the next login before anything else."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    set_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"New password needed: {self.user}"


class ExternalAccount(models.Model):
    """The link between an account here and the person at the hospital's identity provider
    (single sign-on) or directory (LDAP): found by the provider's own, stable identifier,
    never by a username or an e-mail address, which another person could share."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="external_accounts"
    )
    source = models.CharField(max_length=20, help_text="oidc or ldap")
    subject = models.CharField(max_length=255, help_text="The provider's identifier of the person.")
    linked_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["source", "subject"], name="external_account_once"),
        ]

    def __str__(self) -> str:
        return f"{self.source}:{self.subject} → {self.user}"
