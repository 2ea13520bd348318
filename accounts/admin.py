"""The base of every admin page of ours: stamps, and the audit trail as History."""

from __future__ import annotations

from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.template.response import TemplateResponse
from pghistory.models import Events

from accounts.audit import history_entries


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
