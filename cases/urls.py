from django.urls import path

from cases import views

app_name = "cases"

urlpatterns = [
    path("", views.case_list, name="case_list"),
    path("new/", views.case_create, name="case_create"),
    path("export.<str:fmt>", views.case_export, name="case_export"),
    path("patients/lookup/", views.patient_lookup, name="patient_lookup"),
    path("<int:pk>/", views.case_detail, name="case_detail"),
    path("<int:pk>/edit/", views.case_edit, name="case_edit"),
    path("<int:pk>/matches.json", views.case_matches_json, name="case_matches_json"),
    path("<int:pk>/summary.pdf", views.case_summary_pdf, name="case_summary_pdf"),
]
