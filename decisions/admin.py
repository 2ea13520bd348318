from django.contrib import admin

from decisions.models import LETTER_PLACEHOLDERS, LetterTemplate, Modality, NotFollowedReason


@admin.register(Modality)
class ModalityAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "investigation", "position"]
    list_editable = ["position"]
    list_filter = ["investigation"]
    search_fields = ["name", "code"]


@admin.register(NotFollowedReason)
class NotFollowedReasonAdmin(admin.ModelAdmin):
    list_display = ["name", "group", "position", "needs_text", "is_active"]
    list_editable = ["position", "needs_text"]
    list_filter = ["group", "is_active"]
    search_fields = ["name"]


@admin.register(LetterTemplate)
class LetterTemplateAdmin(admin.ModelAdmin):
    """One wording for every outcome letter: it can be changed, not added twice or removed."""

    fields = ["greeting", "opening", "closing", "sign_off"]

    def has_add_permission(self, request):
        return super().has_add_permission(request) and not LetterTemplate.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return False

    def get_form(self, request, obj=None, change=False, **kwargs):
        placeholders = ", ".join(
            f"{{{name}}} ({what})" for name, what in LETTER_PLACEHOLDERS.items()
        )
        kwargs["help_texts"] = dict.fromkeys(self.fields, f"Placeholders: {placeholders}.")
        return super().get_form(request, obj, change=change, **kwargs)
