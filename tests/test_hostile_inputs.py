"""Bad input gets a clear 4xx, never a 500, and secrets never reach the log: API page
numbers past any end, a NUL in a token or calendar-link name, the audit list filtered by
a record that is not one, and a calendar link that does not exist."""

from __future__ import annotations

import logging

import pytest
from django.contrib.auth.models import Group, User
from django.urls import reverse

from accounts import roles, tokens
from accounts.demo import DEMO_ACCOUNTS
from accounts.models import DemoAccount, PersonalToken, TokenPurpose
from tests.factories import make_case, make_meeting

pytestmark = pytest.mark.django_db


def test_an_api_page_number_past_any_end_is_refused_with_a_reason(clinician_client):
    for page in ("485667851580688064", "1000001"):
        response = clinician_client.get("/api/v1/cases", {"page": page})
        assert response.status_code == 422, page
        assert "less than or equal to 1000000" in response.json()["detail"][0]["msg"]
    assert clinician_client.get("/api/v1/cases", {"page": "1000000"}).json()["items"] == []


@pytest.mark.parametrize("url_name", ["api_tokens", "meetings:calendar"])
def test_a_nul_character_in_a_token_name_is_refused_next_to_the_field(coordinator_client, url_name):
    response = coordinator_client.post(reverse(url_name), {"name": "Outlook\x00 at work"})
    assert response.status_code == 400
    assert "Null characters are not allowed." in response.content.decode()
    assert not PersonalToken.objects.exists()
    made = coordinator_client.post(reverse(url_name), {"name": "  Outlook   at work "})
    assert made.status_code == 200
    assert PersonalToken.objects.get().name == "Outlook at work"


@pytest.mark.parametrize(
    ("obj", "status", "says"),
    [
        ("cases.case:abc", 400, "'abc' is not an id of a case"),
        ("cases.case:", 400, "'' is not an id of a case"),
        ("cases.case:99999999999999999999999", 400, "is not an id of a case"),
        ("nonsense", 400, "there is no kind of record 'nonsense'"),
        ("no.such:1", 400, "there is no kind of record 'no.such'"),
        ("cases.case:424242", 404, "There is no case 424242"),
    ],
)
def test_the_audit_list_filtered_by_what_is_no_record_says_so(client, superuser, obj, status, says):
    client.force_login(superuser)
    response = client.get(reverse("admin:pghistory_events_changelist"), {"obj": obj})
    assert response.status_code == status and says in response.content.decode()


def test_the_audit_list_of_a_record_still_works(client, superuser):
    case = make_case()
    client.force_login(superuser)
    response = client.get(
        reverse("admin:pghistory_events_changelist"), {"obj": f"cases.case:{case.pk}"}
    )
    assert response.status_code == 200 and f"Case {case.pk}" in response.content.decode()


def test_a_calendar_secret_never_reaches_the_log(client, clinician, caplog):
    _, secret = tokens.issue(clinician, TokenPurpose.CALENDAR, "phone")
    wrong = secret[:-4] + "abcd"
    with caplog.at_level(logging.INFO):
        for url in (reverse("meetings:calendar_feed", args=[wrong]),
                    reverse("meetings:calendar_board_feed", args=[secret, 999_999])):  # fmt: skip
            assert client.get(url).status_code == 404
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert "Not Found: /meetings/calendar/[secret]/all.ics" in logged
    assert "Not Found: /meetings/calendar/[secret]/board-999999.ics" in logged
    assert wrong not in logged and secret not in logged


def test_demo_accounts_tokens_and_calendar_links_stop_working_outside_demo_mode(client, settings):
    settings.DEMO_MODE = True
    make_meeting([])  # a board, so that the feed has something to say
    demo = User.objects.create_user(DEMO_ACCOUNTS[1].username)
    demo.groups.add(Group.objects.get(name=roles.COORDINATOR))
    DemoAccount.objects.create(user=demo)
    _, api = tokens.issue(demo, TokenPurpose.API, "script")
    _, calendar = tokens.issue(demo, TokenPurpose.CALENDAR, "phone")
    feed = reverse("meetings:calendar_feed", args=[calendar])
    authorization = {"HTTP_AUTHORIZATION": f"Bearer {api}"}
    assert client.get("/api/v1/meetings", **authorization).status_code == 200
    assert client.get(feed).status_code == 200
    settings.DEMO_MODE = False  # DEBUG off: a development database served in production
    assert client.get("/api/v1/meetings", **authorization).status_code == 401
    assert client.get(feed).status_code == 404
