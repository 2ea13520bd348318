from django.contrib import admin
from django.db import models

from accounts.admin import AuditedAdmin, PrintedRecordAdmin
from meetings.models import AgendaItem, Attendance, Handout, Meeting


class AgendaItemInline(admin.TabularInline):
    model = AgendaItem
    fields = ["position", "case"]
    autocomplete_fields = ["case"]
    extra = 0


class AttendanceInline(admin.TabularInline):
    model = Attendance
    fields = ["name", "specialty"]
    extra = 0


@admin.register(Meeting)
class MeetingAdmin(AuditedAdmin):
    history_includes_related = True  # agenda items and attendance too
    list_display = ["board_name", "starts_at", "place", "chair", "pseudonymise"]
    list_filter = ["pseudonymise", "starts_at"]
    search_fields = ["board_name", "place", "chair"]
    readonly_fields = ["created_at", "created_by", "updated_at", "updated_by"]
    inlines = [AgendaItemInline, AttendanceInline]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}


@admin.register(Handout)
class HandoutAdmin(PrintedRecordAdmin):
    list_display = ["__str__", "meeting", "status", "page_count", "created_at"]
    list_filter = ["status", "pseudonymised"]
    search_fields = ["meeting__board_name"]
    list_select_related = ["meeting"]
