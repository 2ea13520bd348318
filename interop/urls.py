from django.urls import path

from interop import views

app_name = "interop"

urlpatterns = [
    path("<int:pk>/fhir", views.case_fhir, name="case_fhir"),
    path("import/", views.fhir_import, name="fhir_import"),
]
