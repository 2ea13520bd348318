from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.contrib.contenttypes.views import shortcut
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods


@require_http_methods(["GET"])
def home(request: HttpRequest) -> HttpResponse:
    """Send each role to where its work is; a user without a role learns why not."""
    if request.user.has_perm("cases.view_case"):
        return redirect("cases:case_list")
    if request.user.has_perm("guidelines.view_recommendation"):
        return redirect("guidelines:library")
    raise PermissionDenied


@require_http_methods(["GET"])
def admin_object_shortcut(request: HttpRequest, content_type_id: int, object_id: str):
    """The admin's "view on site" link, for those who may view that kind of record.

    Anyone else gets the same 404 for an object that exists and for one that does not.
    """
    content_type = ContentType.objects.filter(pk=content_type_id).first()
    if content_type is None or not request.user.has_perm(
        f"{content_type.app_label}.view_{content_type.model}"
    ):
        raise Http404
    return shortcut(request, content_type_id, object_id)


def locked_out(request: HttpRequest, response=None, credentials=None) -> HttpResponse:
    """django-axes' answer to a locked-out login: how long to wait, in minutes."""
    minutes = max(1, round(settings.AXES_COOLOFF_TIME.total_seconds() / 60))
    return render(request, "registration/locked_out.html", {"minutes": minutes}, status=429)
