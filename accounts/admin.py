"""The base of every admin page of ours: stamps, and the audit trail as History."""

from __future__ import annotations

from axes.utils import reset as axes_reset
from django.apps import apps
from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.contrib.auth import admin as auth_admin
from django.contrib.auth.models import Group, User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.http import Http404, HttpResponse
from django.template.response import TemplateResponse
from pghistory.admin import EventsAdmin
from pghistory.models import Events

from accounts import roles
from accounts.audit import history_entries
from accounts.models import AccountChange, ReadLogEntry


class AuditedAdmin(admin.ModelAdmin):
    """Stamps who created and changed a row; its History page is the pghistory trail.

    Permission on the model is checked before the object is looked up, so a staff
    user who may not see a model gets the same 403 for an id that exists and for one
    that does not (Django's own History page answers the two differently).
    """

    # Also list events of rows that point at the object (e.g. a fact's choices).
    history_includes_related = False

    class Media:
        css = {"all": ["css/admin.css"]}

    def save_model(self, request, obj, form, change):
        if change and hasattr(obj, "version"):
            obj.version += 1  # an open form (optimistic locking) then refuses to revert this
        if not change and hasattr(obj, "created_by"):
            obj.created_by = request.user
        if hasattr(obj, "updated_by"):
            obj.updated_by = request.user
        super().save_model(request, obj, form, change)

    def history_view(self, request, object_id, extra_context=None):
        if not self.has_view_or_change_permission(request):
            raise PermissionDenied
        obj = self.get_object(request, unquote(object_id))
        if obj is None:
            raise Http404
        if not self.has_view_or_change_permission(request, obj):
            raise PermissionDenied
        events = (
            Events.objects.references(obj)
            if self.history_includes_related
            else Events.objects.tracks(obj)
        )
        context = {
            **self.admin_site.each_context(request),
            "title": f"History of {obj}",
            "subtitle": None,
            "object": obj,
            "opts": self.model._meta,
            "entries": history_entries(events.order_by("-pgh_created_at", "-pgh_id")[:500]),
            **(extra_context or {}),
        }
        return TemplateResponse(request, "admin/audit_history.html", context)


class PrintedRecordAdmin(AuditedAdmin):
    """Printed documents are records: viewed, never edited; the file is not loaded for lists."""

    file_field = "content"  # (a case summary keeps its PDF in "pdf")

    def get_exclude(self, request, obj=None):
        return [self.file_field]

    def get_queryset(self, request):
        return super().get_queryset(request).defer(self.file_field)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


# --- Users: administrators manage accounts and roles, never more rights -------------

admin.site.unregister(User)


def _is_administrator(user) -> bool:
    return user.groups.filter(name=roles.ADMINISTRATOR).exists()


@admin.register(User)
class UserAdmin(auth_admin.UserAdmin):
    """Django's user admin, limited for anyone who is not a superuser.

    An administrator creates accounts, hands out the working roles, deactivates
    accounts and unlocks locked-out ones. It cannot grant superuser status, direct
    permissions or the administrator role, and it cannot change (or set the password
    of) a superuser, another administrator or itself: only a superuser can.
    """

    actions = ["unlock", "reset_two_factor"]
    list_display = ["username", "first_name", "last_name", "email", "is_active", "is_staff"]

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if request.user.is_superuser or obj is None:
            return fieldsets
        hidden = {"is_superuser", "user_permissions"}
        return [
            (name, {**options, "fields": [f for f in options["fields"] if f not in hidden]})
            for name, options in fieldsets
        ]

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "groups" and not request.user.is_superuser:
            kwargs["queryset"] = Group.objects.filter(name__in=roles.ASSIGNABLE_BY_ADMINISTRATORS)
            kwargs["help_text"] = "The roles this account has."
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def has_change_permission(self, request, obj=None):
        if not super().has_change_permission(request, obj):
            return False
        if obj is None or request.user.is_superuser:
            return True
        return not (obj.is_superuser or obj.pk == request.user.pk or _is_administrator(obj))

    def save_related(self, request, form, formsets, change):
        """Keep groups an administrator could not see in the form (only superusers give those)."""
        kept = []
        if change and not request.user.is_superuser:
            kept = list(form.instance.groups.exclude(name__in=roles.ASSIGNABLE_BY_ADMINISTRATORS))
        super().save_related(request, form, formsets, change)
        if kept:
            form.instance.groups.add(*kept)

    def get_actions(self, request):
        actions = super().get_actions(request)
        if not request.user.is_superuser:
            actions.pop("reset_two_factor", None)
        return actions

    @admin.action(description="Reset two-factor authentication (set up again at the next login)")
    def reset_two_factor(self, request, queryset):
        """For a person who lost both the phone and the recovery codes (superusers only)."""
        from django_otp.plugins.otp_static.models import StaticDevice
        from django_otp.plugins.otp_totp.models import TOTPDevice

        from accounts.account_changes import record
        from accounts.models import AccountChangeKind

        reset = 0
        for user in queryset:
            removed, _ = TOTPDevice.objects.filter(user=user).delete()
            StaticDevice.objects.filter(user=user).delete()
            if removed:
                record(user, AccountChangeKind.TWO_FACTOR, "Reset: set up again at the next login.")
                reset += 1
        self.message_user(request, f"Reset two-factor authentication of {reset} account(s).")

    @admin.action(description="Unlock: clear failed logins of the selected accounts")
    def unlock(self, request, queryset):
        cleared = sum(axes_reset(username=user.username) for user in queryset)
        self.message_user(
            request,
            f"Cleared {cleared} lockout record(s); the selected accounts can log in again.",
        )


class RecordAdmin(admin.ModelAdmin):
    """A record of who did what: listed and read, never added, changed or deleted here."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ReadLogEntry)
class ReadLogAdmin(RecordAdmin):
    """Who read which patient's data. Read-only: entries go only by the retention policy.

    It names cases and patients by their record numbers, so an administrator can
    answer "who looked at case 123?" without the log showing patients' names.
    """

    list_display = ["at", "username", "kind", "case_id", "patient_id", "meeting_id", "address"]
    list_filter = ["kind", "at"]
    search_fields = ["username", "=case_id", "=patient_id", "=meeting_id"]
    date_hierarchy = "at"


@admin.register(AccountChange)
class AccountChangeAdmin(RecordAdmin):
    """Who changed which account, its roles or its signing rights, and when. Read-only."""

    list_display = ["at", "username", "kind", "detail", "changed_by_name"]
    list_filter = ["kind", "at"]
    search_fields = ["username", "changed_by_name"]
    date_hierarchy = "at"


class AuditEventsAdmin(EventsAdmin):
    """pghistory's list of every audited change (superusers only), refusing a filter that
    names no record: ``?obj=cases.case:abc`` is a 400 that says what it takes, and a record
    that does not exist a 404, where the package's own admin fails (a 500)."""

    def changelist_view(self, request, extra_context=None):
        problem = _record_filter_problem(request.GET.get("obj"))
        if problem:
            status, text = problem
            return HttpResponse(text, status=status, content_type="text/plain; charset=utf-8")
        return super().changelist_view(request, extra_context)


def _record_filter_problem(value: str | None) -> tuple[int, str] | None:
    """What is wrong with an ``obj`` filter ("app.model:id") as (status, words), or None
    when it is absent or names a record that exists."""
    if value is None:
        return None
    label, _, key = value.partition(":")
    how = f"obj= names a record as app.model:id, e.g. cases.case:12 (got {value[:80]!r})"
    try:
        model = apps.get_model(label)
    except (LookupError, ValueError):
        return 400, f"{how}: there is no kind of record {label[:40]!r}."
    field = model._meta.pk
    try:
        pk = field.to_python(key)
        low, high = connection.ops.integer_field_range(field.get_internal_type())
        if key == "" or (isinstance(pk, int) and not (low or 0) <= pk <= (high or pk)):
            raise ValidationError("out of range")
    except ValidationError:
        return 400, f"{how}: {key[:40]!r} is not an id of a {model._meta.verbose_name}."
    if not model._default_manager.filter(pk=pk).exists():
        return 404, f"There is no {model._meta.verbose_name} {pk} (it may have been deleted)."
    return None
