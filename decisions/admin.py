from django.contrib import admin

from decisions.models import Modality, NotFollowedReason


@admin.register(Modality)
class ModalityAdmin(admin.ModelAdmin):
    list_display = ["name", "position"]
    list_editable = ["position"]
    search_fields = ["name"]


@admin.register(NotFollowedReason)
class NotFollowedReasonAdmin(admin.ModelAdmin):
    list_display = ["name", "position", "needs_text"]
    list_editable = ["position", "needs_text"]
    search_fields = ["name"]
