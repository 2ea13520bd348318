"""A real OpenID Connect provider for the tests: panva's certified ``oidc-provider``
(npm, tests/oidc), started once per test process, and the code flow a browser goes
through (``sign_in``). ``provider`` and ``sso`` are fixtures for any test (tests/conftest.py)."""

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
from django.urls import reverse

from tests.smtp import free_port

HERE = Path(__file__).resolve().parent / "oidc"
CLIENT_ID, SECRET = "tumorboard", "a-client-secret-for-the-tests"
CALLBACK = "http://testserver/oidc/callback/"


@pytest.fixture(scope="session")
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


def people(provider, people: dict) -> None:
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


def sign_in(client, provider, login: str, next_url: str = "/cases/", **params):
    """The whole code flow: the app sends the browser to the provider, the person logs in
    there, the provider sends the browser back with a code, the app exchanges it."""
    start = client.get(reverse("oidc_authentication_init"), {"next": next_url, **params})
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
