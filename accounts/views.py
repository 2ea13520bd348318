from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.contrib.contenttypes.models import ContentType
from django.contrib.contenttypes.views import shortcut
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.middleware.csrf import get_token
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
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
    model = content_type.model_class()
    if model is None or not model._meta.managed:  # e.g. the audit's combined events: no rows
        raise Http404
    return shortcut(request, content_type_id, object_id)


def locked_out(request: HttpRequest, response=None, credentials=None) -> HttpResponse:
    """django-axes' answer to a locked-out login: how long to wait, in minutes."""
    minutes = max(1, round(settings.AXES_COOLOFF_TIME.total_seconds() / 60))
    return render(request, "registration/locked_out.html", {"minutes": minutes}, status=429)


@login_not_required
@require_http_methods(["GET"])
def session_status(request: HttpRequest) -> JsonResponse:
    """Whether this browser is logged in, and the form token to send with a save.

    The case form asks before it saves: after a session ended and the clinician logged
    in again (e.g. in another tab), the page's token is stale; this gives the current
    one, so what was typed can still be saved. Same-origin only (no CORS headers).
    """
    if not request.user.is_authenticated:
        return JsonResponse({"authenticated": False})
    return JsonResponse({"authenticated": True, "csrf_token": get_token(request)})


@require_http_methods(["GET", "POST"])
def api_tokens(request: HttpRequest) -> HttpResponse:
    """The user's API tokens: make one (its secret is shown once), see and revoke them."""
    from accounts import tokens
    from accounts.models import TokenPurpose

    page = tokens.tokens_page(
        request, TokenPurpose.API, "Say what the token is for, e.g. “Weekly audit script”."
    )
    refused = page["error"] or page["days_error"]
    return render(request, "accounts/api_tokens.html", page, status=400 if refused else 200)


@require_http_methods(["POST"])
def token_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    """Revoke one of the user's own tokens (anyone else's: 404), then back to its page."""
    from accounts import tokens
    from accounts.models import PersonalToken

    token = PersonalToken.objects.filter(pk=pk, user=request.user).first()
    if token is None:
        raise Http404
    if tokens.revoke(request.user, pk):
        messages.success(request, f"Revoked “{token.name}” ({token.prefix}…): it no longer works.")
    back = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(back, {request.get_host()}, request.is_secure()):
        back = "home"
    return redirect(back)


def password_change(request: HttpRequest) -> HttpResponse:
    """Choose a new password: the user's own (the current one asked first). A user whose
    password someone else set comes here before anything else (the middleware)."""
    from django.contrib.auth import update_session_auth_hash
    from django.contrib.auth.forms import PasswordChangeForm

    from accounts import login_steps

    required = login_steps.first(request) == "password_change"
    if not request.user.has_usable_password():
        # An account of the hospital's identity provider: its password is changed there.
        return render(request, "registration/password_change_form.html",
                      {"external": True, "required": False})  # fmt: skip
    form = PasswordChangeForm(request.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        form.save()
        update_session_auth_hash(request, form.user)
        login_steps.done(request, "password_change")
        messages.success(request, "Your password is changed.")
        return redirect("home")
    status = 400 if form.is_bound else 200
    return render(request, "registration/password_change_form.html",
                  {"form": form, "required": required}, status=status)  # fmt: skip


class LoginView(auth_views.LoginView):
    """Django's login, offering the hospital's single sign-on first when it is set up."""

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        if settings.OIDC_ENABLED:
            context["sso_name"] = settings.OIDC_PROVIDER_NAME
        context["sso_failed"] = self.request.GET.get("sso") == "failed"
        return context
