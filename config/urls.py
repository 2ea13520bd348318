from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path
from django.views.generic import RedirectView

from accounts import oidc, two_factor
from accounts.forms import AdminLoginForm, LoginForm
from accounts.views import (
    LoginView,
    admin_object_shortcut,
    api_tokens,
    home,
    password_change,
    session_status,
    token_revoke,
)
from api import urls as api_urls
from config import health, metrics
from decisions.my_work import my_work

admin.site.site_header = "Tumor board administration"
admin.site.site_title = "Tumor board"
admin.site.index_title = "Guideline content and users"
admin.site.login_form = AdminLoginForm

urlpatterns = [
    path("", home, name="home"),
    path("health/live", health.live, name="health_live"),
    path("health/ready", health.ready, name="health_ready"),
    path("metrics", metrics.metrics_view, name="metrics"),
    path("my-work/", my_work, name="my_work"),
    # Browsers ask for /favicon.ico on every page that names no icon (the admin's).
    path(
        "favicon.ico",
        login_not_required(RedirectView.as_view(url=settings.STATIC_URL + "favicon.svg")),
        name="favicon",
    ),
    path("cases/", include("cases.urls")),
    path("cases/", include("liver.urls")),
    path("cases/", include("interop.urls")),
    path("meetings/", include("meetings.urls")),
    path("meetings/", include("decisions.urls")),
    path("quality/", include("quality.urls")),
    path("api/v1/", api_urls.urls),
    path("accounts/login/", LoginView.as_view(authentication_form=LoginForm), name="login"),
    # Single sign-on (accounts/oidc.py): 404 unless OIDC_RP_CLIENT_ID is set.
    path("oidc/authenticate/", oidc.authenticate, name="oidc_authentication_init"),
    path("oidc/callback/", oidc.callback, name="oidc_authentication_callback"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/session/", session_status, name="session_status"),
    path("accounts/password/", password_change, name="password_change"),
    path("accounts/two-factor/", two_factor.two_factor, name="two_factor"),
    path("accounts/tokens/", api_tokens, name="api_tokens"),
    path("accounts/tokens/<int:pk>/revoke/", token_revoke, name="token_revoke"),
    path("guidelines/", include("guidelines.urls")),
    # Before the admin's own "view on site" shortcut, which answers differently for
    # existing and missing objects to any staff user.
    path(
        "admin/r/<int:content_type_id>/<path:object_id>/",
        admin.site.admin_view(admin_object_shortcut),
        name="admin_object_shortcut",
    ),
    path("admin/", admin.site.urls),
]

handler500 = "config.views.server_error"
