"""The read-only JSON API: tokens, the same rules as the pages, the read log, limits."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group, User
from django.core.cache import cache
from django.urls import reverse

from accounts import roles, tokens
from accounts.models import PersonalToken, ReadLogEntry, TokenPurpose
from decisions import services
from tests.factories import make_case, make_meeting, make_patient

pytestmark = pytest.mark.django_db


def bearer(secret: str) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


def user_with(role: str, name: str) -> User:
    user = User.objects.create_user(name)
    user.groups.add(Group.objects.get(name=role))
    return user


@pytest.fixture(autouse=True)
def _fresh_limits():
    cache.clear()  # the rate limit is kept in the process's cache


@pytest.fixture
def world(coordinator):
    case = make_case(patient=make_patient(mrn="API-1", name="Ada Apipatient"),
                     facts={"primary_site": "colorectal", "smoker_current": True,
                            "planned_procedure": "hepatectomy"})  # fmt: skip
    meeting = make_meeting([case])
    decision = services.start(meeting.agenda_items.get(), coordinator)
    return {"case": case, "meeting": meeting, "decision": decision}


def test_a_token_reads_what_its_user_may_read(client, world):
    clinician = user_with(roles.CLINICIAN, "api-clinician")
    _, secret = tokens.issue(clinician, TokenPurpose.API, "script")
    case = world["case"]
    listed = client.get("/api/v1/cases", **bearer(secret)).json()
    assert listed["count"] == 1 and listed["items"][0]["patient"] == "Ada Apipatient"
    detail = client.get(f"/api/v1/cases/{case.pk}", **bearer(secret)).json()
    assert {
        "name": "smoker_current",
        "label": "Current smoker",
        "value": "Yes",
        "origin": "",
    } in detail["facts"]
    matches = client.get(f"/api/v1/cases/{case.pk}/matches", **bearer(secret)).json()
    assert "pc-smoking-cessation" in {m["id"] for m in matches["applies"]}
    meeting = client.get(f"/api/v1/meetings/{world['meeting'].pk}", **bearer(secret)).json()
    # The record is a draft: not the board's decision (the record in force), named apart.
    assert meeting["agenda"] == [{"position": 1, "case": case.pk, "patient": "Ada Apipatient",
                                  "decision": None, "draft": world["decision"].pk}]  # fmt: skip
    decisions = client.get("/api/v1/decisions", {"case": case.pk}, **bearer(secret)).json()
    assert decisions["items"] == []
    every = {"case": case.pk, "versions": "all"}
    decisions = client.get("/api/v1/decisions", every, **bearer(secret)).json()
    assert [(d["id"], d["status"]) for d in decisions["items"]] == [(world["decision"].pk, "draft")]
    assert client.get("/api/v1/decisions", {"versions": "x"}, **bearer(secret)).status_code == 400
    assert ReadLogEntry.objects.filter(kind="api", username="api-clinician").count() == 3


def test_a_token_never_sees_more_than_its_user(client, world):
    editor = user_with(roles.GUIDELINE_EDITOR, "api-editor")
    _, secret = tokens.issue(editor, TokenPurpose.API, "script")
    for url in ("/api/v1/cases", f"/api/v1/cases/{world['case'].pk}", "/api/v1/meetings",
                "/api/v1/decisions"):  # fmt: skip
        assert client.get(url, **bearer(secret)).status_code == 404, url
    assert not ReadLogEntry.objects.filter(kind="api").exists()
    # A clinician's token reads the API as the clinician, and opens no page at all: the
    # quality dashboard a clinician may not see stays shut, as does the case list.
    clinician = user_with(roles.CLINICIAN, "api-clinician")
    _, theirs = tokens.issue(clinician, TokenPurpose.API, "script")
    assert client.get(reverse("quality:dashboard"), **bearer(theirs)).status_code == 302
    assert client.get(reverse("cases:case_list"), **bearer(theirs)).status_code == 302


def test_revoked_unknown_and_calendar_tokens_are_refused(client, world):
    clinician = user_with(roles.CLINICIAN, "api-clinician")
    token, secret = tokens.issue(clinician, TokenPurpose.API, "script")
    _, calendar = tokens.issue(clinician, TokenPurpose.CALENDAR, "phone")
    assert client.get("/api/v1/cases", **bearer(secret)).status_code == 200
    assert client.get("/api/v1/cases", **bearer(calendar)).status_code == 401
    assert client.get("/api/v1/cases", **bearer("nonsense")).status_code == 401
    assert client.get("/api/v1/cases").status_code == 401  # no token, no session
    tokens.revoke(clinician, token.pk)
    assert client.get("/api/v1/cases", **bearer(secret)).status_code == 401


def test_tokens_are_made_shown_once_stored_hashed_and_revoked_by_their_user(client):
    clinician = user_with(roles.CLINICIAN, "api-clinician")
    client.force_login(clinician)
    page = client.post(reverse("api_tokens"), {"name": "Audit script"}).content.decode()
    token = PersonalToken.objects.get(user=clinician)
    secret = page.split('<code class="secret">', 1)[1].split("</code>", 1)[0]
    assert secret.startswith(token.prefix) and token.key_hash != secret
    assert secret not in client.get(reverse("api_tokens")).content.decode()
    assert client.post(reverse("api_tokens"), {"name": ""}).status_code == 400
    history = token.events.values_list("pgh_label", flat=True)
    assert list(history) == ["insert"]  # audited
    client.post(reverse("token_revoke", args=[token.pk]), {"next": reverse("api_tokens")})
    token.refresh_from_db()
    assert token.revoked_at is not None


def test_an_api_token_expires_after_its_days_and_then_answers_401(client, world, settings):
    import datetime

    from django.utils import timezone

    settings.API_TOKEN_DAYS, settings.API_TOKEN_MAX_DAYS = 30, 60
    clinician = user_with(roles.CLINICIAN, "api-clinician")
    client.force_login(clinician)
    too_long = client.post(reverse("api_tokens"), {"name": "Audit script", "days": "61"})
    assert too_long.status_code == 400
    assert too_long.context["days_error"] == "At most 60 days: make a new token when it expires."
    assert not PersonalToken.objects.exists()  # nothing half-made
    assert (
        client.post(reverse("api_tokens"), {"name": "Audit", "days": "0"}).context["days_error"]
        == "Ensure this value is greater than or equal to 1."
    )
    before = timezone.now()
    page = client.post(reverse("api_tokens"), {"name": "Audit script", "days": "7"})
    token = PersonalToken.objects.get()
    assert before + datetime.timedelta(days=7) <= token.expires_at
    assert token.expires_at <= timezone.now() + datetime.timedelta(days=7)
    secret = page.content.decode().split('<code class="secret">', 1)[1].split("</code>", 1)[0]
    client.logout()
    assert client.get("/api/v1/cases", **bearer(secret)).status_code == 200
    PersonalToken.objects.filter(pk=token.pk).update(expires_at=timezone.now())
    assert client.get("/api/v1/cases", **bearer(secret)).status_code == 401
    client.force_login(clinician)
    listed = client.get(reverse("api_tokens")).content.decode()
    assert "<strong>expired</strong>" in listed
    # Without days: the default; calendar links have no expiry.
    made, _ = tokens.issue(clinician, TokenPurpose.API, "default")
    assert (made.expires_at - made.created_at).days in (29, 30)
    calendar, _ = tokens.issue(clinician, TokenPurpose.CALENDAR, "phone")
    assert calendar.expires_at is None


def test_each_user_has_a_limited_number_of_requests_a_minute(client, monkeypatch, world):
    from api.api import api

    clinician = user_with(roles.CLINICIAN, "api-clinician")
    _, secret = tokens.issue(clinician, TokenPurpose.API, "script")
    limit = 5  # API_RATE_PER_MINUTE, lowered for the test
    monkeypatch.setattr(api.throttle[0], "num_requests", limit)
    statuses = [
        client.get("/api/v1/meetings", **bearer(secret)).status_code for _ in range(limit + 1)
    ]
    assert statuses[:limit] == [200] * limit and statuses[-1] == 429


def test_the_api_docs_work_under_the_content_security_policy(clinician_client):
    page = clinician_client.get("/api/v1/docs")
    assert page.status_code == 200
    html = page.content.decode()
    assert "cdn" not in html.lower() and "<script>" not in html  # scripts from our own files
    assert "script-src 'self'" in page["Content-Security-Policy"]
    schema = clinician_client.get("/api/v1/openapi.json").json()
    assert "/api/v1/cases/{pk}/matches" in schema["paths"]


def test_a_case_gives_its_lesions_as_at_their_latest_imaging(client, world):
    import datetime

    from tests.factories import make_lesion, measure

    clinician = user_with(roles.CLINICIAN, "api-lesions")
    _, secret = tokens.issue(clinician, TokenPurpose.API, "script")
    case = world["case"]
    first = make_lesion(case, segments=["VI"], diameter_mm=30, imaging_date=datetime.date(2026, 6, 1),
                        target=True)  # fmt: skip
    measure(first, datetime.date(2026, 9, 1), "not_seen")
    make_lesion(case, segments=["II"])  # never measured
    detail = client.get(f"/api/v1/cases/{case.pk}", **bearer(secret))
    assert detail.status_code == 200
    assert detail.json()["lesions"] == [
        {"number": 1, "segments": ["VI"], "diameter_mm": None, "seen": "not_seen",
         "imaging_date": "2026-09-01", "target": True},
        {"number": 2, "segments": ["II"], "diameter_mm": None, "seen": "not_measured",
         "imaging_date": None, "target": False},
    ]  # fmt: skip
