"""Admin for guideline editors: content, verification and the audit history."""

from __future__ import annotations

import pghistory
from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.html import format_html, format_html_join

from accounts.admin import AuditedAdmin
from guidelines import content_pack, facts, snapshot
from guidelines.models import (
    Caution,
    DiseaseArea,
    Fact,
    FactChoice,
    FactGroup,
    GuidelineSource,
    ReadinessItem,
    Recommendation,
    Section,
    Subsection,
    VerificationLevel,
    VerificationStatus,
    by_section,
    weaker_level,
)

# --- Facts ---------------------------------------------------------------------------


class FactChoiceInlineFormSet(forms.BaseInlineFormSet):
    def clean(self):
        """Refuse a fact change that would break an existing condition."""
        super().clean()
        if any(self.errors):
            return
        fact = self.instance
        kept = [
            (f.cleaned_data["value"], f.cleaned_data.get("label", ""))
            for f in self.forms
            if f.cleaned_data and not f.cleaned_data.get("DELETE")
        ]
        if fact.kind in facts.CHOICE_KINDS and not kept:
            raise ValidationError("A choice fact needs at least one choice.")
        if fact.kind not in facts.CHOICE_KINDS and kept:
            raise ValidationError(
                "Only choice facts have choices; remove them or make it a choice fact."
            )
        problems = fact.condition_problems_with(fact.to_spec(choices=kept))
        if problems:
            raise ValidationError(
                ["This change would break conditions that use this fact:", *problems]
            )


class FactChoiceInline(admin.TabularInline):
    model = FactChoice
    formset = FactChoiceInlineFormSet
    fields = ["value", "label", "position", "means_not_known", "codes"]
    extra = 0


@admin.register(DiseaseArea)
class DiseaseAreaAdmin(AuditedAdmin):
    """Areas come with their content packs; an area with facts, sections or cases cannot
    be deleted (the database protects them)."""

    list_display = ["name", "slug", "position", "lesion_module"]
    search_fields = ["name", "slug"]
    readonly_fields = ["updated_at", "updated_by"]


@admin.register(FactGroup)
class FactGroupAdmin(AuditedAdmin):
    """The groups of the case form, per area (or shared); a group with facts cannot be
    deleted (the database protects them)."""

    list_display = ["name", "key", "area", "position", "computed"]
    list_filter = ["area", "computed"]
    search_fields = ["name", "key"]
    readonly_fields = ["updated_at", "updated_by"]


@admin.register(Fact)
class FactAdmin(AuditedAdmin):
    list_display = ["name", "label", "kind", "area", "section", "unit", "allowed"]
    list_filter = ["area", "section", "kind"]
    search_fields = ["name", "label", "help_text"]
    readonly_fields = ["updated_at", "updated_by"]
    inlines = [FactChoiceInline]
    history_includes_related = True
    fieldsets = [
        (None, {"fields": ["name", "label", "kind", "area", "section", "position", "help_text"]}),
        (
            "Numbers",
            {
                "fields": [
                    "unit",
                    "unit_code",
                    "minimum",
                    "maximum",
                    "alternative_units",
                    "over_time",
                ]
            },
        ),
        ("Terminology and FHIR", {"fields": ["codes", "fhir"]}),
        ("Audit", {"fields": ["updated_at", "updated_by"]}),
    ]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("area", "section")
            .prefetch_related("choices")
        )

    @admin.display(description="Allowed values")
    def allowed(self, obj: Fact) -> str:
        return obj.to_spec().allowed_text()

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if obj.area_id is None:
            obj.share_with_every_area()

    def has_delete_permission(self, request, obj=None):
        # A fact that a condition reads cannot be deleted; edit the conditions first.
        if obj is not None and obj.recommendations_using():
            return False
        return super().has_delete_permission(request, obj)

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)  # bulk delete would skip the check above
        return actions


# --- Sources and structure -----------------------------------------------------------


@admin.register(GuidelineSource)
class GuidelineSourceAdmin(AuditedAdmin):
    list_display = ["code", "short_name", "society", "year", "is_published", "reviewed_on"]
    list_filter = ["is_published", "society", "year"]
    search_fields = ["code", "short_name", "title", "society", "citation", "doi"]
    readonly_fields = ["updated_at", "updated_by"]
    # A typed address without a scheme is https (Django 6's default, chosen now).
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}


class SubsectionInline(admin.TabularInline):
    model = Subsection
    fields = ["name", "position"]
    extra = 0


@admin.register(Section)
class SectionAdmin(AuditedAdmin):
    list_display = ["name", "area", "position"]
    list_filter = ["area"]
    list_select_related = ["area"]
    search_fields = ["name"]
    inlines = [SubsectionInline]


@admin.register(Subsection)
class SubsectionAdmin(AuditedAdmin):
    list_display = ["name", "section", "position"]
    list_filter = ["section"]
    search_fields = ["name", "section__name"]
    list_select_related = ["section"]
    autocomplete_fields = ["section"]


@admin.register(ReadinessItem)
class ReadinessItemAdmin(AuditedAdmin):
    """The readiness checklists (``guidelines.readiness``): each item's condition is checked
    against the area's facts and the readiness facts when it is saved."""

    list_display = ["text", "area", "severity", "local_policy", "position"]
    list_filter = ["area", "severity", "local_policy"]
    list_select_related = ["area"]
    search_fields = ["text", "key", "condition"]
    fields = ["area", "key", "position", "text", "condition", "severity", "local_policy", "notes"]


# --- Recommendations -------------------------------------------------------------------


class RecommendationForm(forms.ModelForm):
    """Editing is not verifying: a changed statement or condition asks for the level again."""

    CONTENT = ("statement", "condition")

    verification_confirmed = forms.BooleanField(required=False, widget=forms.HiddenInput)

    class Meta:
        model = Recommendation
        fields = ["statement", "condition", "verification"]  # the admin adds its fieldsets

    def clean(self):
        cleaned = super().clean()
        instance = self.instance
        content_changed = instance.pk and any(name in self.changed_data for name in self.CONTENT)
        if content_changed and not cleaned.get("verification_confirmed"):
            proposed = weaker_level(instance.verification, VerificationLevel.PARTIAL)
            self.data = self.data.copy()  # show the proposed level, and remember it was asked
            self.data["verification"] = proposed
            self.data["verification_confirmed"] = "1"
            self.add_error(
                "verification",
                "You changed the statement or the condition: say again what the text is "
                "verified against (an edit is not a verification). Proposed: "
                f"“{VerificationLevel(proposed).label}”. Save again to confirm.",
            )
        return cleaned


class CautionInline(admin.TabularInline):
    """Cautions on the card, each with its condition (checked like the recommendation's)."""

    model = Caution
    fields = ["condition", "text", "position"]
    extra = 0
    formfield_overrides = {
        models.TextField: {"widget": forms.Textarea(attrs={"rows": 2, "cols": 48})}
    }


@admin.register(Recommendation)
class RecommendationAdmin(AuditedAdmin):
    list_display = [
        "slug",
        "short_statement",
        "source",
        "section_name",
        "verification",
        "shows_unverified_marker",
        "decision_scope",
        "is_published",
    ]
    list_filter = [
        "is_published",
        "decision_scope",
        "verification",
        "verification_status",
        "source",
        "subsection__section__area",
        "subsection__section",
        "subsection",
    ]
    search_fields = ["slug", "statement", "notes", "condition", "source__short_name"]
    list_select_related = ["source", "subsection__section"]
    autocomplete_fields = ["source", "subsection"]
    readonly_fields = ["fact_reference", "updated_at", "updated_by"]
    form = RecommendationForm
    inlines = [CautionInline]
    history_includes_related = True
    actions = ["mark_verified", "publish", "unpublish", "take_pack_version"]
    fieldsets = [
        (None, {"fields": ["slug", "subsection", "statement", "action", "is_published"]}),
        (
            "Provenance",
            {
                "fields": [
                    "source",
                    "source_detail",
                    "source_strength",
                    "source_evidence",
                    "digest_grade",
                    "notes",
                ]
            },
        ),
        (
            "Verification",
            {
                "fields": [
                    "verification",
                    "verification_confirmed",
                    "verification_status",
                    "verification_detail",
                    "verified_by",
                    "verified_on",
                    "reviewed_on",
                ]
            },
        ),
        ("Applicability", {"fields": ["condition", "fact_reference"]}),
        (
            "In the board's decision",
            {
                "fields": ["decision_scope", "plan_modalities", "contradicted_by", "alternatives"],
                "description": "How the item takes part in the board's decision (fact sheet "
                "revision 3): modalities by their code on the plan's list (Decisions › "
                "Modalities), comma-separated.",
            },
        ),
        ("Audit", {"fields": ["updated_at", "updated_by"]}),
    ]

    @admin.display(description="Statement")
    def short_statement(self, obj: Recommendation) -> str:
        return obj.statement if len(obj.statement) <= 90 else obj.statement[:89] + "…"

    @admin.display(description="Section", ordering="subsection__section__position")
    def section_name(self, obj: Recommendation) -> str:
        return f"{obj.subsection.section.name} → {obj.subsection.name}"

    @admin.display(description="Marker", ordering="verification")
    def shows_unverified_marker(self, obj: Recommendation) -> str:
        return "not verified against the primary text" if obj.shows_unverified_marker else ""

    @admin.display(description="Facts a condition can use")
    def fact_reference(self, obj=None) -> str:
        """The facts of the recommendation's area and the shared ones (every fact while
        it has no subsection yet)."""
        content = snapshot.current()
        area_id = obj.area_id if obj is not None else None
        catalogue = content.of(area_id).catalogue if area_id in content.areas else content.facts
        rows = format_html_join(
            "",
            "<tr><td><code>{}</code></td><td>{}</td><td>{}</td><td>{}</td></tr>",
            (
                (spec.name, spec.label, label, spec.allowed_text())
                for label, specs in by_section(catalogue.values())
                for spec in specs
            ),
        )
        return format_html(
            '<p class="help">Syntax: <code>fact = value</code>, <code>!=</code>, <code>&gt;</code>, '
            "<code>&gt;=</code>, <code>&lt;</code>, <code>&lt;=</code>, "
            "<code>fact in [a, b]</code>, <code>and</code>, <code>or</code>, <code>not</code>, "
            "parentheses; <code>true</code>/<code>false</code> for yes/no facts. "
            "Example: <code>planned_procedure = hepatectomy and smoker_current = true</code>.</p>"
            '<table class="fact-reference"><thead><tr><th>Fact</th><th>Label</th><th>Group</th>'
            "<th>Allowed values</th></tr></thead><tbody>{}</tbody></table>",
            rows,
        )

    @admin.action(description="Record: verified against the primary guideline text (by me, today)")
    def mark_verified(self, request, queryset):
        who = request.user.get_full_name() or request.user.get_username()
        today = timezone.localdate()
        for rec in queryset:
            rec.record_verification(who, today)
            rec.updated_by = request.user
            rec.save()
        self.message_user(
            request,
            f"Recorded the check of {queryset.count()} recommendation(s) by {who} on {today}.",
        )

    @admin.action(description="Take the content pack's version (overwrites local edits)")
    def take_pack_version(self, request, queryset):
        """Each selected recommendation from the shipped pack of its own area."""
        by_area: dict[str, list[str]] = {}
        for slug, area in queryset.values_list("slug", "subsection__section__area__slug"):
            by_area.setdefault(area, []).append(slug)
        packs = {content_pack.pack_area(path): path for path in content_pack.shipped_packs()}
        taken, missing = [], []
        for area, slugs in sorted(by_area.items()):
            if area not in packs:
                missing.append(area)
                continue
            try:
                with pghistory.context(command="load_content", pack=packs[area].name):
                    report = content_pack.apply_pack(
                        content_pack.read_pack(packs[area]),
                        take=frozenset(slugs),
                        only=frozenset(slugs),
                    )
            except content_pack.PackError as error:
                self.message_user(
                    request, f"The pack could not be applied: {error}", messages.ERROR
                )
                return
            taken += [change.key for change in report.changes]
        if missing:
            self.message_user(
                request,
                f"No pack ships with the app for the area(s) {', '.join(missing)}: "
                "their recommendations were left as they are.",
                messages.WARNING,
            )
        self.message_user(
            request,
            f"Took the pack's version of {len(taken)} recommendation(s)"
            + (f": {', '.join(taken)}" if taken else "; the others already matched it")
            + ".",
        )

    @admin.action(description="Publish selected recommendations")
    def publish(self, request, queryset):
        refused = queryset.filter(
            models.Q(verification_status=VerificationStatus.UNVERIFIED)
            | models.Q(verification=VerificationLevel.NONE)
        )
        if refused.exists():
            names = ", ".join(refused.values_list("slug", flat=True))
            self.message_user(
                request,
                f"Not published: unverified placeholders cannot be published ({names}).",
                messages.ERROR,
            )
        self._set_published(request, queryset.exclude(pk__in=refused), True)

    @admin.action(description="Unpublish selected recommendations")
    def unpublish(self, request, queryset):
        self._set_published(request, queryset, False)

    def _set_published(self, request, queryset, value: bool) -> None:
        changed = 0
        for rec in queryset.exclude(is_published=value):
            rec.is_published = value
            rec.updated_by = request.user
            rec.save(update_fields=["is_published", "updated_by", "updated_at"])
            changed += 1
        state = "Published" if value else "Unpublished"
        self.message_user(request, f"{state} {changed} recommendation(s).")
