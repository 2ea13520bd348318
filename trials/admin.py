"""The trial list in the admin, for trial coordinators: trials with their criteria, and
the import of a record saved from ClinicalTrials.gov (``trials.registry``)."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.template.response import TemplateResponse
from django.urls import path

from accounts.admin import AuditedAdmin
from guidelines.models import DiseaseArea
from trials import registry, services
from trials.models import Criterion, Trial

MAX_RECORD_BYTES = 2 * 1024 * 1024  # a saved study record is tens of kB


class CriterionInline(admin.StackedInline):
    model = Criterion
    extra = 0
    fields = ["kind", "position", "text", "rule"]


@admin.register(Trial)
class TrialAdmin(AuditedAdmin):
    list_display = ["identifier", "title", "area", "phase", "status", "criteria_with_rules"]
    list_filter = ["area", "status"]
    search_fields = ["identifier", "title", "conditions", "principal_investigator"]
    inlines = [CriterionInline]
    history_includes_related = True
    change_list_template = "admin/trials/trial/change_list.html"
    fields = ["area", "identifier", "title", "phase", "status", "principal_investigator",
              "contact", "arms", "conditions", "notes", "registry_version"]  # fmt: skip
    readonly_fields = ["registry_version"]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("criteria")

    @admin.display(description="criteria with a rule")
    def criteria_with_rules(self, trial: Trial) -> str:
        criteria = list(trial.criteria.all())
        return f"{sum(1 for c in criteria if c.rule)} of {len(criteria)}"

    def get_urls(self):
        return [
            path("import/", self.admin_site.admin_view(self.import_view), name="trials_trial_import"),
            *super().get_urls(),
        ]  # fmt: skip

    def import_view(self, request):
        """Upload a saved ClinicalTrials.gov record: the trial is added, or brought up to
        the record (what changed is listed; rules of unchanged criteria are kept)."""
        if not self.has_add_permission(request) or not self.has_change_permission(request):
            raise PermissionDenied
        form = ImportForm(request.POST or None, request.FILES or None)
        report = None
        if request.method == "POST" and form.is_valid():
            try:
                report = services.import_record(
                    form.cleaned_data["imported"], form.cleaned_data["area"]
                )
            except registry.NotARecord as problem:
                form.add_error("record", str(problem))
        context = {
            **self.admin_site.each_context(request),
            "title": "Import a trial from a saved ClinicalTrials.gov record",
            "opts": self.model._meta,
            "form": form,
            "report": report,
        }
        return TemplateResponse(request, "admin/trials/trial/import.html", context)


class ImportForm(forms.Form):
    area = forms.ModelChoiceField(DiseaseArea.objects.all(), label="Disease area")
    record = forms.FileField(
        label="Saved record",
        help_text="The study's record saved from ClinicalTrials.gov as JSON (API version 2). "
        "The app never calls the registry.",
    )

    def clean_record(self):
        upload = self.cleaned_data["record"]
        if upload.size > MAX_RECORD_BYTES:
            raise forms.ValidationError("This file is larger than a study record (2 MB at most).")
        try:
            self.cleaned_data["imported"] = registry.read(upload.read())
        except registry.NotARecord as problem:
            raise forms.ValidationError(str(problem)) from None
        return upload
