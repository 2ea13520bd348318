from django.urls import path

from decisions import views

app_name = "decisions"

urlpatterns = [
    path(
        "<int:pk>/items/<int:item_pk>/decision/start/", views.decision_start, name="decision_start"
    ),
    path("<int:pk>/items/<int:item_pk>/decision/", views.decision_edit, name="decision_edit"),
    path("<int:pk>/items/<int:item_pk>/decision/sign/", views.decision_sign, name="decision_sign"),
    path(
        "<int:pk>/items/<int:item_pk>/decision/refresh/",
        views.decision_refresh,
        name="decision_refresh",
    ),
]
