from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_http_methods


@require_http_methods(["GET"])
def home(request: HttpRequest) -> HttpResponse:
    """Send each role to where its work is; a user without a role learns why not."""
    if request.user.has_perm("cases.view_case"):
        return redirect("cases:case_list")
    if request.user.has_perm("guidelines.view_recommendation"):
        return redirect("guidelines:library")
    raise PermissionDenied
