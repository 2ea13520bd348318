from django.urls import path

from liver import views

app_name = "liver"

urlpatterns = [
    path("<int:pk>/lesions/", views.lesion_add, name="lesion_add"),
    path("<int:pk>/lesions/<int:lesion_pk>/", views.lesion_edit, name="lesion_edit"),
    path("<int:pk>/lesions/<int:lesion_pk>/remove/", views.lesion_remove, name="lesion_remove"),
]
