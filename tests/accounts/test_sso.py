"""Single sign-on against a real OpenID Connect provider: panva's certified
``oidc-provider`` (npm), started by the test with its development login form. The app's
side is the real ``mozilla-django-oidc`` code flow with PKCE; the browser's part is played
by an HTTP client that follows the provider's redirects and fills its login form."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.urls import reverse

from accounts.models import AccountChange, ExternalAccount
from tests.sso import ALICE, people, sign_in

pytestmark = [pytest.mark.django_db, pytest.mark.processes]


def test_the_login_page_offers_the_hospital_account(client, sso, settings):
    settings.OIDC_PROVIDER_NAME = "your St Elsewhere account"
    page = client.get(reverse("login")).content.decode()
    assert "Log in with your St Elsewhere account" in page
    assert reverse("oidc_authentication_init") in page


def test_first_login_creates_the_account_with_its_roles_and_each_login_applies_them(client, sso):
    people(sso, {"sub-alice-001": ALICE})
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
    people(sso, {"sub-alice-001": {**ALICE, "groups": ["TB-Coordinators", "Canteen"]}})
    assert sign_in(client, sso, "sub-alice-001").status_code == 302
    assert set(user.groups.values_list("name", flat=True)) == {"coordinator"}
    assert (
        ExternalAccount.objects.count() == 1
        and User.objects.filter(username__startswith="alice").count() == 1
    )


def test_a_group_whose_mapping_is_removed_loses_its_role_at_the_next_login(client, sso, settings):
    people(sso, {"sub-alice-001": ALICE})
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
    people(sso, {"sub-alice-001": ALICE})
    sign_in(client, sso, "sub-alice-001")
    linked = User.objects.get(external_accounts__subject="sub-alice-001")
    assert linked != local and linked.username == "alice-2"
    assert not linked.is_superuser and not linked.is_staff
    assert int(client.session["_auth_user_id"]) == linked.pk


def test_a_deactivated_account_cannot_sign_in(client, sso):
    people(sso, {"sub-alice-001": ALICE})
    sign_in(client, sso, "sub-alice-001")
    client.post(reverse("logout"))
    User.objects.filter(username="alice").update(is_active=False)
    refused = sign_in(client, sso, "sub-alice-001")
    assert refused.status_code == 302 and refused["Location"] == "/accounts/login/?sso=failed"
    assert "_auth_user_id" not in client.session
    page = client.get(refused["Location"]).content.decode()
    assert "did not succeed" in page
