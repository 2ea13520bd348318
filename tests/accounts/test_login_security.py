"""Logins, sessions and the security headers."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.helpers import HTMX

pytestmark = pytest.mark.django_db


def login(client, password):
    return client.post(reverse("login"), {"username": "clinician", "password": password})


def test_repeated_failures_lock_the_account_with_a_clear_message(client, clinician, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert (
            "Please enter a correct username and password"
            in login(client, "wrong").content.decode()
        )
    locked = login(client, "wrong")
    assert locked.status_code == 429
    assert "Too many failed logins" in locked.content.decode()
    # even the right password is refused while locked
    again = login(client, "correct horse battery")
    assert again.status_code == 429
    assert client.get(reverse("cases:case_list")).status_code == 302


def test_a_successful_login_resets_the_count(client, clinician, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        login(client, "wrong")
    assert login(client, "correct horse battery").status_code == 302
    client.post(reverse("logout"))
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert login(client, "wrong").status_code == 200


def test_activity_moves_the_session_expiry_on(clinician_client, settings, monkeypatch):
    from django.contrib.sessions.models import Session

    from accounts import middleware

    assert settings.SESSION_COOKIE_AGE == 480 * 60
    clinician_client.get(reverse("cases:case_list"))
    key = clinician_client.session.session_key
    first = Session.objects.get(pk=key).expire_date
    clinician_client.get(reverse("cases:case_list"))  # within a minute: no write
    assert Session.objects.get(pk=key).expire_date == first
    later = middleware.time.time() + 120
    monkeypatch.setattr(middleware.time, "time", lambda: later)
    clinician_client.get(reverse("cases:case_list"))
    assert Session.objects.get(pk=key).expire_date > first


def test_an_idle_session_ends(clinician_client):
    from django.contrib.sessions.models import Session
    from django.utils import timezone

    clinician_client.get(reverse("cases:case_list"))
    Session.objects.update(expire_date=timezone.now() - timezone.timedelta(seconds=1))
    response = clinician_client.get(reverse("cases:case_list"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_password_validators_are_on(settings):
    from django.contrib.auth.password_validation import validate_password
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        validate_password("tumorboard")
    validate_password("a long and unusual passphrase 7")


def test_pages_carry_a_strict_content_security_policy(clinician_client):
    response = clinician_client.get(reverse("cases:case_list"))
    policy = response["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";") if part.strip())
    assert directives["default-src"] == "'self'"
    assert directives["script-src"] == "'self'"
    assert directives["style-src"] == "'self'"
    assert directives["frame-ancestors"] == "'none'"
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"


def test_our_pages_have_no_inline_scripts_or_styles(clinician_client, coordinator_client):
    import re

    from tests.factories import make_case, make_meeting

    case = make_case()
    meeting = make_meeting([case])
    pages = [
        clinician_client.get(reverse(name, args=args)).content.decode()
        for name, args in [
            ("cases:case_list", []),
            ("cases:case_create", []),
            ("cases:case_detail", [case.pk]),
            ("cases:case_edit", [case.pk]),
            ("guidelines:library", []),
            ("guidelines:recommendation_detail", ["pc-counseling"]),
            ("meetings:meeting_detail", [meeting.pk]),
        ]
    ]
    for page in pages:
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", page), "inline <script>"
        assert "<style" not in page
        assert not re.search(r"\sstyle=", page)
        assert not re.search(r"\son[a-z]+=", page), "inline event handler"


@pytest.mark.parametrize("url", ["/accounts/login/", "/admin/login/"])
@pytest.mark.parametrize(
    ("username", "password", "message"),
    [
        ("x" * 300, "secret", "Ensure this value has at most 150 characters (it has 300)."),
        ("x" * 5000, "secret", "Ensure this value has at most 150 characters (it has 5000)."),
        ("a\x00b", "secret", "Null characters are not allowed."),
        ("", "", "This field is required."),
    ],
)
def test_bad_login_input_is_named_next_to_the_field(client, url, username, password, message):
    from axes.models import AccessAttempt

    response = client.post(url, {"username": username, "password": password})
    assert response.status_code == 200
    page = response.content.decode()
    if url == "/accounts/login/":  # our page: under the field's label, tied to the field
        assert f'class="errors" id="id_username_error"><p>{message}</p>' in page
    else:  # the admin's own login page lists field errors in its own way
        assert message in page
    assert not AccessAttempt.objects.exists()  # nothing was tried, so nothing was logged


def _fail_from(client, remote: str, forwarded: str | None = None):
    headers = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        headers["HTTP_X_FORWARDED_FOR"] = forwarded
    return client.post(reverse("login"), {"username": "clinician", "password": "wrong"}, **headers)


def test_the_lockout_page_says_how_many_minutes_to_wait(client, clinician, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        locked = login(client, "wrong")
    page = locked.content.decode()
    assert "Wait 15 minutes" in page and "PT15M" not in page


def test_behind_a_proxy_failures_count_against_the_forwarded_address(client, clinician, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    proxy = "10.0.0.2"
    for _ in range(settings.AXES_FAILURE_LIMIT):
        last = _fail_from(client, proxy, "203.0.113.5")
    assert last.status_code == 429
    # Another client behind the same proxy still logs in.
    ok = client.post(
        reverse("login"),
        {"username": "clinician", "password": "correct horse battery"},
        REMOTE_ADDR=proxy,
        HTTP_X_FORWARDED_FOR="198.51.100.7",
    )
    assert ok.status_code == 302
    # A client cannot escape its lockout by writing another address in front.
    assert _fail_from(client, proxy, "198.51.100.9, 203.0.113.5").status_code == 429


def test_without_a_proxy_forwarded_headers_are_ignored(client, clinician, settings):
    settings.TRUSTED_PROXY_COUNT = 0
    for n in range(settings.AXES_FAILURE_LIMIT):
        last = _fail_from(client, "192.0.2.10", f"203.0.113.{n}")  # a new forged address each time
    assert last.status_code == 429
    # ...and nobody can lock out another address by naming it.
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _fail_from(client, "192.0.2.66", "192.0.2.20")
    ok = client.post(
        reverse("login"),
        {"username": "clinician", "password": "correct horse battery"},
        REMOTE_ADDR="192.0.2.20",
    )
    assert ok.status_code == 302


def test_a_live_update_after_the_session_ended_gets_a_notice_not_the_login_page(client):
    response = client.post(reverse("cases:case_create"), {"_preview": "1"}, **HTMX)
    assert response.status_code == 200
    assert response["HX-Retarget"] == "#session-notice"
    assert response["HX-Reswap"] == "innerHTML"
    page = response.content.decode()
    assert "Your session has ended" in page and "Log in again in a new tab" in page
    assert 'name="password"' not in page
    # Without htmx, it is the login page as before.
    assert client.post(reverse("cases:case_create"))["Location"].startswith(reverse("login"))


def test_the_session_status_gives_a_logged_in_browser_its_current_form_token(client, clinician):
    url = reverse("session_status")
    assert client.get(url).json() == {"authenticated": False}
    client.force_login(clinician)
    state = client.get(url).json()
    assert state["authenticated"] is True and len(state["csrf_token"]) == 64
