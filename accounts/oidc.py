"""Single sign-on with the hospital's OpenID Connect provider (Entra ID, Keycloak, ADFS):
``mozilla-django-oidc``'s code flow (with PKCE), our rules for accounts
(``accounts.external``): linked by the provider's ``sub``, created at the first login,
roles from the role claim (``OIDC_ROLE_CLAIM``) through ``OIDC_ROLE_MAP`` at each login."""

from __future__ import annotations

import time

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.http import Http404
from mozilla_django_oidc import views as oidc_views
from mozilla_django_oidc.auth import OIDCAuthenticationBackend

from accounts import external
from accounts.role_map import roles_for

SOURCE = "oidc"
# An account of the provider has no password here: where the app asks for the password
# again (signing, confirming a decision), it asks the provider to authenticate the person
# again instead (prompt=login, max_age=0) and accepts a sign-in whose authentication time
# (the ID token's auth_time) lies within SSO_CONFIRM_SECONDS.
CONFIRMED_AT = "sso_authenticated_at"
SSO_CONFIRM_SECONDS = 600


def recently_authenticated(request) -> bool:
    at = request.session.get(CONFIRMED_AT) if hasattr(request, "session") else None
    return at is not None and 0 <= time.time() - at <= SSO_CONFIRM_SECONDS


class HospitalOIDCBackend(OIDCAuthenticationBackend):
    def verify_claims(self, claims) -> bool:
        return bool(claims.get("sub"))

    def filter_users_by_claims(self, claims):
        user = external.linked_user(SOURCE, claims["sub"])
        return [user] if user is not None else []

    def create_user(self, claims):
        username = claims.get(settings.OIDC_USERNAME_CLAIM) or claims.get("email") or claims["sub"]
        user = external.create_linked_user(
            SOURCE, claims["sub"], str(username), claims.get("email", "")
        )
        return self.update_user(user, claims)

    def get_or_create_user(self, access_token, id_token, payload):
        user = super().get_or_create_user(access_token, id_token, payload)
        if user is not None:
            # When the person last authenticated at the provider (not merely when the app
            # was told so): what "your password again" stands on for these accounts.
            self.request.session[CONFIRMED_AT] = float(payload.get("auth_time") or time.time())
        return user

    def update_user(self, user, claims):
        return external.update_from_provider(
            user, SOURCE,
            first_name=claims.get("given_name"), last_name=claims.get("family_name"),
            email=claims.get("email"),
            role_names=roles_for(claims.get(settings.OIDC_ROLE_CLAIM), settings.OIDC_ROLE_MAP),
        )  # fmt: skip


def _only_when_enabled(view):
    def wrapped(request, *args, **kwargs):
        if not settings.OIDC_ENABLED:
            raise Http404
        return view(request, *args, **kwargs)

    return login_not_required(wrapped)


class RequestView(oidc_views.OIDCAuthenticationRequestView):
    def get_extra_params(self, request):
        params = dict(super().get_extra_params(request))
        if request.GET.get("again") == "1":
            params.update({"prompt": "login", "max_age": "0"})  # authenticate, not just recall
        return params


authenticate = _only_when_enabled(RequestView.as_view())
callback = _only_when_enabled(oidc_views.OIDCAuthenticationCallbackView.as_view())
