"""Every page needs a login, except logging in itself (and what programs read with a
key of their own: calendar feeds and the API).

The URLs are generated from the URL resolver, so a new view cannot be forgotten.
"""

from __future__ import annotations

import re

import pytest
from django.urls import resolve, reverse

from tests.urlwalk import routes

PUBLIC = {"login", "admin:login", "favicon", "health_live", "health_ready"}
# Not found unless set up (a metrics token, single sign-on): never a login page either.
ABSENT = {"metrics", "oidc_authentication_init", "oidc_authentication_callback"}
ALL_PATHS = [route.sample_path for route in routes()]


def test_the_walk_finds_the_app_and_admin_urls():
    assert reverse("guidelines:library") in ALL_PATHS
    assert any(path.startswith("/admin/guidelines/recommendation/") for path in ALL_PATHS)
    assert len(ALL_PATHS) > 40


@pytest.mark.django_db
@pytest.mark.parametrize("path", ALL_PATHS)
def test_anonymous_users_are_sent_to_log_in(client, path):
    match = resolve(path)
    name = f"{match.namespace}:{match.url_name}" if match.namespace else match.url_name
    response = client.get(path)
    if name == "favicon":
        assert response["Location"].endswith("favicon.svg")
        return
    if name in PUBLIC:
        assert response.status_code == 200
        return
    if name in ABSENT:
        assert response.status_code == 404
        return
    if name == "session_status":  # says "not logged in", and nothing else
        assert response.json() == {"authenticated": False}
        return
    if name in ("meetings:calendar_feed", "meetings:calendar_board_feed"):
        assert response.status_code == 404  # the secret link is the key; this one opens nothing
        return
    if match.namespace == "api" and name not in ("api:openapi-view", "api:openapi-json"):
        # Programs authenticate with a token: no login page but a 401 (nothing at the root).
        if name == "api:api-root":
            assert response.status_code == 404
        else:
            assert response.status_code == 401
            assert response.json() == {"detail": "Unauthorized"}
        return
    if response.status_code == 405:  # POST-only views (log out) do nothing on GET
        return
    assert response.status_code == 302, f"{path} answered {response.status_code}"
    logins = "|".join(re.escape(reverse(name)) for name in ("login", "admin:login"))
    assert re.match(rf"^({logins})\?next=", response["Location"]), response["Location"]


@pytest.mark.django_db
def test_anonymous_post_is_refused_too(client):
    response = client.post(reverse("admin:guidelines_recommendation_add"), {"slug": "x"})
    assert response.status_code == 302
    from guidelines.models import Recommendation

    assert not Recommendation.objects.filter(slug="x").exists()


@pytest.mark.django_db
def test_a_user_can_log_in_and_out(client, clinician):
    response = client.post(
        reverse("login"), {"username": "clinician", "password": "correct horse battery"}
    )
    assert response.status_code == 302
    assert client.get(reverse("guidelines:library")).status_code == 200
    client.post(reverse("logout"))
    assert client.get(reverse("guidelines:library")).status_code == 302


@pytest.mark.django_db
def test_a_wrong_password_gets_a_clear_message(client, clinician):
    response = client.post(reverse("login"), {"username": "clinician", "password": "nope"})
    assert response.status_code == 200
    assert "Please enter a correct username and password" in response.content.decode()
