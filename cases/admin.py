from django.contrib import admin

from accounts.admin import AuditedAdmin, PrintedRecordAdmin
from cases.models import Case, CaseSummary, Patient


class CaseInline(admin.TabularInline):
    model = Case
    fields = ["referral_date", "status", "question"]
    readonly_fields = fields
    extra = 0
    show_change_link = True
    can_delete = False


@admin.register(Patient)
class PatientAdmin(AuditedAdmin):
    history_includes_related = True
    list_display = ["name", "mrn", "date_of_birth", "sex"]
    list_filter = ["sex"]
    search_fields = ["name", "mrn"]
    readonly_fields = ["created_at", "updated_at", "updated_by"]
    inlines = [CaseInline]


@admin.register(Case)
class CaseAdmin(AuditedAdmin):
    history_includes_related = True
    list_display = ["__str__", "patient", "area", "status", "referral_date", "updated_at"]
    list_filter = ["area", "status", "referral_date"]
    search_fields = ["patient__name", "patient__mrn", "question"]  # used by autocomplete
    list_select_related = ["patient", "area"]
    autocomplete_fields = ["patient"]
    # Facts are edited in the case form, which checks them against the catalogue.
    readonly_fields = ["facts", "version", "created_at", "created_by", "updated_at", "updated_by"]

    def get_readonly_fields(self, request, obj=None):
        # The area is chosen with the case: its facts are the area's.
        fields = super().get_readonly_fields(request, obj)
        return [*fields, "area"] if obj is not None else fields


@admin.register(CaseSummary)
class CaseSummaryAdmin(PrintedRecordAdmin):
    file_field = "pdf"
    list_display = ["__str__", "case", "page_count", "requested_by", "created_at"]
    search_fields = ["case__patient__name", "case__patient__mrn"]
    list_select_related = ["case__patient", "requested_by"]
