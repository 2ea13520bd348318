"""A chair who signs in through the hospital's identity provider has no password here:
signing asks the provider to authenticate them again (prompt=login, max_age=0), and
accepts an authentication of the last ten minutes (the ID token's auth_time)."""

from __future__ import annotations

import time
import urllib.parse

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from accounts.oidc import CONFIRMED_AT
from decisions.models import Decision
from tests.decisions.records import form_data, sign, start
from tests.sso import ALICE, people, sign_in

pytestmark = [pytest.mark.django_db, pytest.mark.processes]


def test_a_single_sign_on_chair_signs_after_authenticating_again_at_the_provider(sso, item):
    people(sso, {"sub-alice-001": ALICE})
    client = Client()
    sign_in(client, sso, "sub-alice-001")
    alice = User.objects.get(username="alice")
    board = item.meeting.board
    board.default_chair = alice
    board.save()
    start(client, item)
    decision = Decision.objects.get()
    assert client.post(decision.get_absolute_url(), form_data(decision)).status_code == 302
    decision.refresh_from_db()

    session = client.session
    session[CONFIRMED_AT] = time.time() - 3600  # an hour since she authenticated
    session.save()
    page = client.get(decision.get_absolute_url()).content.decode()
    assert "Your password" not in page and "Confirm it is you with your hospital account" in page
    refused = sign(client, decision, password="")
    assert refused.status_code == 200
    assert refused.context["sign_form"].errors["password"] == [
        "Confirm it is you with your hospital account first (the link below), then act within "
        "ten minutes."
    ]
    assert Decision.objects.get().status == "draft"

    again = client.get(reverse("oidc_authentication_init"), {"again": "1", "next": "/"})
    asked = urllib.parse.parse_qs(urllib.parse.urlsplit(again["Location"]).query)
    assert asked["prompt"] == ["login"] and asked["max_age"] == ["0"]
    back = sign_in(client, sso, "sub-alice-001", next_url=decision.get_absolute_url(), again="1")
    assert back.status_code == 302
    assert time.time() - client.session[CONFIRMED_AT] < 60  # the provider's auth_time
    signed = sign(client, decision, password="")
    assert signed.status_code == 302
    assert Decision.objects.get().status == "signed" and Decision.objects.get().signed_by == alice
