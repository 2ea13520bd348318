from django.contrib import admin
from django.db import models

from accounts.admin import AuditedAdmin, PrintedRecordAdmin
from meetings.models import AgendaItem, Attendance, Board, BoardMember, Handout, Meeting, Specialty


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
    list_display = ["board", "starts_at", "place", "chair", "pseudonymise"]
    list_filter = ["pseudonymise", "starts_at"]
    search_fields = ["board__name", "place", "chair"]
    list_select_related = ["board"]
    readonly_fields = ["created_at", "created_by", "updated_at", "updated_by"]
    inlines = [AgendaItemInline, AttendanceInline]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}


@admin.register(Handout)
class HandoutAdmin(PrintedRecordAdmin):
    list_display = ["__str__", "meeting", "status", "page_count", "created_at"]
    list_filter = ["status", "pseudonymised"]
    search_fields = ["meeting__board__name"]
    list_select_related = ["meeting__board"]


class BoardMemberInline(admin.TabularInline):
    model = BoardMember
    fields = ["user", "specialty", "may_sign"]
    autocomplete_fields = ["user"]
    extra = 0


@admin.register(Board)
class BoardAdmin(AuditedAdmin):
    history_includes_related = True  # its members too
    list_display = ["name", "default_chair", "usual_place", "usual_time"]
    search_fields = ["name"]
    list_select_related = ["default_chair"]
    autocomplete_fields = ["default_chair"]
    filter_horizontal = ["required_specialties"]
    readonly_fields = ["created_at", "created_by", "updated_at", "updated_by"]
    inlines = [BoardMemberInline]
    fieldsets = [
        (None, {"fields": ["name", "default_chair", "required_specialties",
                           "usual_place", "usual_time"]}),
        ("Contact printed on the board's letters",
         {"fields": ["contact_name", "contact_phone", "contact_email"]}),
        ("Changes", {"fields": ["created_at", "created_by", "updated_at", "updated_by"]}),
    ]  # fmt: skip


@admin.register(Specialty)
class SpecialtyAdmin(admin.ModelAdmin):
    list_display = ["name"]
    search_fields = ["name"]
