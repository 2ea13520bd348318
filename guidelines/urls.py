from django.urls import path

from guidelines import views

app_name = "guidelines"

urlpatterns = [
    path("", views.library, name="library"),
    path("sources/", views.source_list, name="source_list"),
    path("facts/", views.fact_list, name="fact_list"),
    path("r/<slug:slug>/", views.recommendation_detail, name="recommendation_detail"),
]
