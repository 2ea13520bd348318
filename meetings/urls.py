from django.urls import path

from meetings import views

app_name = "meetings"

urlpatterns = [
    path("", views.meeting_list, name="meeting_list"),
    path("new/", views.meeting_create, name="meeting_create"),
    path("not-ready/", views.not_ready, name="not_ready"),
    path("<int:pk>/", views.meeting_detail, name="meeting_detail"),
    path("<int:pk>/edit/", views.meeting_edit, name="meeting_edit"),
    path("<int:pk>/pseudonymised/", views.pseudonymised_preview, name="pseudonymised_preview"),
    path("<int:pk>/agenda/add/", views.agenda_add, name="agenda_add"),
    path("<int:pk>/agenda/<int:item_pk>/move/", views.agenda_move, name="agenda_move"),
    path("<int:pk>/agenda/<int:item_pk>/remove/", views.agenda_remove, name="agenda_remove"),
    path("<int:pk>/attendance/add/", views.attendance_add, name="attendance_add"),
    path(
        "<int:pk>/attendance/<int:attendance_pk>/remove/",
        views.attendance_remove,
        name="attendance_remove",
    ),
    path("<int:pk>/pack/", views.pack_generate, name="pack_generate"),
    path("handouts/<int:pk>/status/", views.handout_status, name="handout_status"),
    path("handouts/<int:pk>/download/", views.handout_download, name="handout_download"),
    path("calendar/", views.calendar, name="calendar"),
    path("calendar/<slug:secret>/all.ics", views.calendar_feed, name="calendar_feed"),
    path(
        "calendar/<slug:secret>/board-<int:board>.ics",
        views.calendar_feed,
        name="calendar_board_feed",
    ),
]
