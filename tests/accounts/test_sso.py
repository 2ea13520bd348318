"""Single sign-on against a real OpenID Connect provider: panva's certified
``oidc-provider`` (npm), started by the test with its development login form. The app's
side is the real ``mozilla-django-oidc`` code flow with PKCE; the browser's part is played
by an HTTP client that follows the provider's redirects and fills its login form."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import time
import urllib.parse
from pathlib import Path

import pytest
import requests
from django.contrib.auth.models import User
from django.urls import reverse

from accounts.models import AccountChange, ExternalAccount
from tests.smtp import free_port

HERE = Path(__file__).resolve().parents[1] / "oidc"
CLIENT_ID, SECRET = "tumorboard", "a-client-secret-for-the-tests"
CALLBACK = "http://testserver/oidc/callback/"

pytestmark = [pytest.mark.django_db, pytest.mark.processes]


@pytest.fixture(scope="module")
def provider(tmp_path_factory):
    node = shutil.which("node")
    if node is None or not (HERE / "node_modules" / "oidc-provider").exists():
        raise RuntimeError("node and tests/oidc/node_modules are needed: run scripts/setup.sh")
    accounts = tmp_path_factory.mktemp("op") / "accounts.json"
    port = free_port()
    process = subprocess.Popen(
        [node, str(HERE / "provider.mjs"), str(port), CLIENT_ID, SECRET, CALLBACK, str(accounts)],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            requests.get(f"{base}/.well-known/openid-configuration", timeout=2).raise_for_status()
            break
        except requests.RequestException:
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"the provider did not start: {process.stdout.read()}") from None
            time.sleep(0.1)
    yield {"base": base, "accounts": accounts}
    process.terminate()
    process.wait(10)


def _people(provider, people: dict) -> None:
    provider["accounts"].write_text(json.dumps(people))


@pytest.fixture
def sso(settings, provider):
    discovery = requests.get(f"{provider['base']}/.well-known/openid-configuration").json()
    settings.OIDC_ENABLED = True
    settings.OIDC_RP_CLIENT_ID, settings.OIDC_RP_CLIENT_SECRET = CLIENT_ID, SECRET
    settings.OIDC_OP_AUTHORIZATION_ENDPOINT = discovery["authorization_endpoint"]
    settings.OIDC_OP_TOKEN_ENDPOINT = discovery["token_endpoint"]
    settings.OIDC_OP_USER_ENDPOINT = discovery["userinfo_endpoint"]
    settings.OIDC_OP_JWKS_ENDPOINT = discovery["jwks_uri"]
    settings.OIDC_RP_SCOPES = "openid email profile groups"
    settings.OIDC_ROLE_MAP = {"TB-Clinicians": "clinician", "TB-Coordinators": "coordinator"}
    settings.AUTHENTICATION_BACKENDS = [
        "axes.backends.AxesStandaloneBackend",
        "accounts.oidc.HospitalOIDCBackend",
        "accounts.backends.DemoAwareBackend",
    ]
    return provider


ALICE = {
    "email": "alice@hospital.example", "email_verified": True, "given_name": "Alice",
    "family_name": "Surgeon", "preferred_username": "alice", "groups": ["TB-Clinicians"],
}  # fmt: skip


def sign_in(client, provider, login: str, next_url: str = "/cases/"):
    """The whole code flow: the app sends the browser to the provider, the person logs in
    there, the provider sends the browser back with a code, the app exchanges it."""
    start = client.get(reverse("oidc_authentication_init"), {"next": next_url})
    assert start.status_code == 302
    location = start["Location"]
    query = urllib.parse.parse_qs(urllib.parse.urlsplit(location).query)
    assert query["code_challenge_method"] == ["S256"] and query["client_id"] == [CLIENT_ID]
    browser = requests.Session()
    response = browser.get(location, allow_redirects=False)
    for _ in range(20):
        if response.status_code in (302, 303):
            location = urllib.parse.urljoin(response.url, response.headers["Location"])
            if location.startswith(CALLBACK):
                break
            response = browser.get(location, allow_redirects=False)
            continue
        assert response.status_code == 200, response.text[:500]
        form = re.search(r'<form[^>]*action="([^"]+)"', response.text)
        fields = dict(re.findall(r'<input[^>]*name="([^"]+)"[^>]*value="([^"]*)"', response.text))
        fields.update({"login": login, "password": "any"})
        response = browser.post(urllib.parse.urljoin(response.url, form.group(1)), data=fields,
                                allow_redirects=False)  # fmt: skip
    else:
        raise AssertionError("the provider never sent the browser back")
    back = urllib.parse.urlsplit(location)
    return client.get(f"{back.path}?{back.query}")


def test_the_login_page_offers_the_hospital_account(client, sso, settings):
    settings.OIDC_PROVIDER_NAME = "your St Elsewhere account"
    page = client.get(reverse("login")).content.decode()
    assert "Log in with your St Elsewhere account" in page
    assert reverse("oidc_authentication_init") in page


def test_first_login_creates_the_account_with_its_roles_and_each_login_applies_them(client, sso):
    _people(sso, {"sub-alice-001": ALICE})
    done = sign_in(client, sso, "sub-alice-001")
    assert done.status_code == 302 and done["Location"] == "/cases/"
    user = User.objects.get(external_accounts__source="oidc",
                            external_accounts__subject="sub-alice-001")  # fmt: skip
    assert (user.username, user.first_name, user.last_name, user.email) == (
        "alice", "Alice", "Surgeon", "alice@hospital.example"
    )  # fmt: skip
    assert not user.has_usable_password()
    assert set(user.groups.values_list("name", flat=True)) == {"clinician"}
    assert client.get(reverse("cases:case_list")).status_code == 200  # logged in, a clinician
    given = AccountChange.objects.get(account=user, kind="roles")
    assert (given.detail, given.changed_by_name) == ("Given: clinician.", "single sign-on")

    # The provider moves her to the coordinators: the next login says so.
    client.post(reverse("logout"))
    _people(sso, {"sub-alice-001": {**ALICE, "groups": ["TB-Coordinators", "Canteen"]}})
    assert sign_in(client, sso, "sub-alice-001").status_code == 302
    assert set(user.groups.values_list("name", flat=True)) == {"coordinator"}
    assert (
        ExternalAccount.objects.count() == 1
        and User.objects.filter(username__startswith="alice").count() == 1
    )


def test_a_group_whose_mapping_is_removed_loses_its_role_at_the_next_login(client, sso, settings):
    _people(sso, {"sub-alice-001": ALICE})
    sign_in(client, sso, "sub-alice-001")
    user = User.objects.get(username="alice")
    assert user.groups.filter(name="clinician").exists()
    client.post(reverse("logout"))
    settings.OIDC_ROLE_MAP = {"TB-Coordinators": "coordinator"}  # the hospital removed it
    sign_in(client, sso, "sub-alice-001")
    assert not user.groups.exists()
    assert client.get(reverse("cases:case_list")).status_code == 403  # a login, no role
    removed = AccountChange.objects.filter(account=user, kind="roles").latest("pk")
    assert removed.detail == "Removed: clinician."


def test_a_provider_user_never_becomes_the_local_account_of_the_same_name(client, sso):
    local = User.objects.create_superuser(
        "alice", "alice@hospital.example", "correct horse battery"
    )
    _people(sso, {"sub-alice-001": ALICE})
    sign_in(client, sso, "sub-alice-001")
    linked = User.objects.get(external_accounts__subject="sub-alice-001")
    assert linked != local and linked.username == "alice-2"
    assert not linked.is_superuser and not linked.is_staff
    assert int(client.session["_auth_user_id"]) == linked.pk


def test_a_deactivated_account_cannot_sign_in(client, sso):
    _people(sso, {"sub-alice-001": ALICE})
    sign_in(client, sso, "sub-alice-001")
    client.post(reverse("logout"))
    User.objects.filter(username="alice").update(is_active=False)
    refused = sign_in(client, sso, "sub-alice-001")
    assert refused.status_code == 302 and refused["Location"] == "/accounts/login/?sso=failed"
    assert "_auth_user_id" not in client.session
    page = client.get(refused["Location"]).content.decode()
    assert "did not succeed" in page
