from django.urls import path

from decisions import exports, views

app_name = "decisions"

ITEM = "<int:pk>/items/<int:item_pk>/"

urlpatterns = [
    path("<int:pk>/run/", views.meeting_mode_start, name="meeting_mode_start"),
    path("<int:pk>/run/<int:item_pk>/", views.meeting_mode, name="meeting_mode"),
    path("<int:pk>/minutes/", views.minutes_generate, name="minutes_generate"),
    path(f"{ITEM}attachments/release/", views.attachment_release, name="attachment_release"),
    path(f"{ITEM}letter/", views.letter_generate, name="letter_generate"),
    path("documents/<int:pk>/status/", views.document_status, name="document_status"),
    path(f"{ITEM}decision/start/", views.decision_start, name="decision_start"),
    path(f"{ITEM}decision/", views.decision_edit, name="decision_edit"),
    path(f"{ITEM}decision/autosave/", views.decision_autosave, name="decision_autosave"),
    path(f"{ITEM}decision/sign/", views.decision_sign, name="decision_sign"),
    path(
        f"{ITEM}decision/proposals/",
        views.decision_accept_proposals,
        name="decision_accept_proposals",
    ),
    path(f"{ITEM}decision/confirm/", views.decision_confirm, name="decision_confirm"),
    path(f"{ITEM}decision/amend/", views.decision_amend, name="decision_amend"),
    path(f"{ITEM}decision/refresh/", views.decision_refresh, name="decision_refresh"),
    path(
        f"{ITEM}decision/versions/<int:decision_pk>/",
        views.decision_version,
        name="decision_version",
    ),
    path(f"{ITEM}decision/actions/<int:action_pk>/done/", views.action_done, name="action_done"),
    path("exports/", exports.exports, name="exports"),
    path("exports/decisions.<str:fmt>", exports.decision_export, name="decision_export"),
    path("exports/actions.<str:fmt>", exports.action_export, name="action_export"),
]
