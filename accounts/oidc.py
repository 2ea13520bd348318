"""Single sign-on with the hospital's OpenID Connect provider (Entra ID, Keycloak, ADFS):
``mozilla-django-oidc``'s code flow (with PKCE), our rules for accounts
(``accounts.external``): linked by the provider's ``sub``, created at the first login,
roles from the role claim (``OIDC_ROLE_CLAIM``) through ``OIDC_ROLE_MAP`` at each login."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.http import Http404
from mozilla_django_oidc import views as oidc_views
from mozilla_django_oidc.auth import OIDCAuthenticationBackend

from accounts import external
from accounts.role_map import roles_for

SOURCE = "oidc"


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


authenticate = _only_when_enabled(oidc_views.OIDCAuthenticationRequestView.as_view())
callback = _only_when_enabled(oidc_views.OIDCAuthenticationCallbackView.as_view())
