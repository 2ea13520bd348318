from __future__ import annotations

import time

from django.contrib.auth.middleware import LoginRequiredMiddleware
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

# Pages a logged-in user without any role may still reach.
OPEN_TO_EVERYONE = {"login", "logout", "favicon", "session_status", "password_change", "two_factor",
                    "health_live", "health_ready", "metrics",
                    "oidc_authentication_init", "oidc_authentication_callback"}  # fmt: skip


class HtmxLoginRequiredMiddleware(LoginRequiredMiddleware):
    """Django's login requirement; an htmx request of an ended session gets a notice.

    Redirecting a live update to the login page would swap the login page into the
    match panel and lose the clinician's place. Instead the notice goes into the
    page's ``#session-notice`` and nothing else on the page changes.
    """

    def handle_no_permission(self, request, view_func):
        if request.headers.get("HX-Request") != "true":
            return super().handle_no_permission(request, view_func)
        response = render(request, "accounts/_session_ended.html")
        response["HX-Retarget"] = "#session-notice"
        response["HX-Reswap"] = "innerHTML"
        return response


class RoleRequiredMiddleware:
    """A logged-in user without any role sees a 'no access yet' page, and nothing else.

    "Any role" means any permission, through a group or given directly; the
    permission cache it fills is the one every view's checks use anyway.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        user = request.user
        if not user.is_authenticated or user.is_superuser:
            return None
        if request.resolver_match and request.resolver_match.view_name in OPEN_TO_EVERYONE:
            return None
        if not user.get_all_permissions():
            return render(request, "accounts/no_access.html", status=403)
        return None


class SlidingSessionMiddleware:
    """Idle timeout without a database write on every request.

    Django's SESSION_SAVE_EVERY_REQUEST rewrites the session row on each request.
    This moves the expiry on at most once every REFRESH_SECONDS instead, so a
    session still ends SESSION_COOKIE_AGE after the last activity, give or take
    a minute.
    """

    REFRESH_SECONDS = 60
    KEY = "_refreshed_at"

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        session = getattr(request, "session", None)
        if session is not None and not session.is_empty():
            now = int(time.time())
            if now - session.get(self.KEY, 0) >= self.REFRESH_SECONDS:
                session[self.KEY] = now  # marks the session modified: saved with a new expiry
        return response


class LoginStepsMiddleware:
    """Steps a login still owes before anything else (``accounts.login_steps``): the second
    factor of an administrator, a new password after someone else set one. Until they are
    done, every page leads to the first of them (logging out and the health checks
    excepted). Read from the session (set at login): no query a request."""

    ALLOWED = ("password_change", "two_factor", "logout", "session_status",
               "health_live", "health_ready")  # fmt: skip

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        from accounts import login_steps

        step = login_steps.first(request)
        if step is None:
            return None
        match = request.resolver_match
        if match is not None and match.view_name in self.ALLOWED:
            return None
        target = reverse(step)
        if request.htmx:
            return HttpResponse(status=204, headers={"HX-Redirect": target})
        return redirect(target)
