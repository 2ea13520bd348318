from django.urls import path

from quality import views

app_name = "quality"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("tables/<slug:table>.csv", views.table_csv, name="table_csv"),
    path("report/", views.report_generate, name="report_generate"),
    path("report/<int:pk>/status/", views.report_status, name="report_status"),
    path("report/<int:pk>.pdf", views.report_download, name="report_download"),
]
