from django.urls import path

from cases import attachment_views, course_views, views

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
    path("<int:pk>/course/imaging/", course_views.timepoint_add, name="timepoint_add"),
    path("<int:pk>/course/imaging/<int:item>/", course_views.timepoint_edit,
         name="timepoint_edit"),
    path("<int:pk>/course/imaging/<int:item>/remove/", course_views.timepoint_remove,
         name="timepoint_remove"),
    path("<int:pk>/course/values/", course_views.value_add, name="value_add"),
    path("<int:pk>/course/values/<int:item>/remove/", course_views.value_remove,
         name="value_remove"),
    path("<int:pk>/course/treatments/", course_views.treatment_add, name="treatment_add"),
    path("<int:pk>/course/treatments/<int:item>/", course_views.treatment_edit,
         name="treatment_edit"),
    path("<int:pk>/course/treatments/<int:item>/remove/", course_views.treatment_remove,
         name="treatment_remove"),
    path("<int:pk>/attachments/", attachment_views.attachment_add, name="attachment_add"),
    path("<int:pk>/attachments/<int:item>/", attachment_views.attachment_file,
         name="attachment_file"),
    path("<int:pk>/attachments/<int:item>/remove/", attachment_views.attachment_remove,
         name="attachment_remove"),
]  # fmt: skip
