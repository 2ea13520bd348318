"""Administrators manage accounts and roles, and can never give themselves more rights."""

from __future__ import annotations

import pytest
from axes.models import AccessAttempt
from django.contrib.auth.models import Group, Permission, User
from django.urls import reverse

from accounts import roles
from tests.accounts.conftest import PASSWORD, user_with

pytestmark = pytest.mark.django_db


def _change(client, user: User, **changes):
    """POST the user's change form as the admin would send it, with some fields changed."""
    data = {
        "username": user.username,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "email": user.email,
        "is_active": "on",
        "is_staff": "on" if user.is_staff else "",
        "groups": [g.pk for g in user.groups.all()],
        "date_joined_0": "2026-01-01",
        "date_joined_1": "10:00:00",
        "initial-date_joined_0": "2026-01-01",
        "initial-date_joined_1": "10:00:00",
    }
    data.update(changes)
    data = {key: value for key, value in data.items() if value not in ("", None)}
    return client.post(reverse("admin:auth_user_change", args=[user.pk]), data)


def test_an_administrator_cannot_make_another_user_superuser_or_give_permissions(admin_client):
    target = user_with("target", roles.CLINICIAN)
    delete_cases = Permission.objects.get(codename="delete_case")
    response = _change(
        admin_client, target, is_superuser="on", user_permissions=[delete_cases.pk], first_name="T"
    )
    assert response.status_code == 302  # the form saved what it may save
    target.refresh_from_db()
    assert target.first_name == "T"
    assert not target.is_superuser
    assert not target.user_permissions.exists()
    page = admin_client.get(reverse("admin:auth_user_change", args=[target.pk])).content.decode()
    assert 'name="is_superuser"' not in page and 'name="user_permissions"' not in page


def test_an_administrator_cannot_hand_out_the_administrator_role(admin_client):
    target = user_with("target", roles.CLINICIAN)
    admin_group = Group.objects.get(name=roles.ADMINISTRATOR)
    response = _change(admin_client, target, groups=[admin_group.pk])
    assert response.status_code == 200
    assert "is not one of the available choices" in response.content.decode()
    assert list(target.groups.values_list("name", flat=True)) == [roles.CLINICIAN]


def test_an_administrator_can_hand_out_the_working_roles(admin_client):
    target = user_with("target", roles.CLINICIAN)
    coordinator = Group.objects.get(name=roles.COORDINATOR)
    editor = Group.objects.get(name=roles.GUIDELINE_EDITOR)
    assert _change(admin_client, target, groups=[coordinator.pk, editor.pk]).status_code == 302
    assert set(target.groups.values_list("name", flat=True)) == {
        roles.COORDINATOR,
        roles.GUIDELINE_EDITOR,
    }


def test_groups_an_administrator_cannot_see_are_kept(admin_client):
    target = user_with("target", roles.CLINICIAN)
    auditors = Group.objects.create(name="auditors")
    target.groups.add(auditors)
    clinician = Group.objects.get(name=roles.CLINICIAN)
    assert _change(admin_client, target, groups=[clinician.pk]).status_code == 302
    assert set(target.groups.values_list("name", flat=True)) == {roles.CLINICIAN, "auditors"}


def test_an_administrator_cannot_edit_itself_into_more_rights(admin_client, administrator):
    response = _change(admin_client, administrator, is_superuser="on")
    assert response.status_code == 403
    administrator.refresh_from_db()
    assert not administrator.is_superuser


@pytest.mark.parametrize("target_kind", ["superuser", "administrator", "self"])
def test_an_administrator_cannot_change_or_reset_the_password_of_higher_accounts(
    admin_client, administrator, target_kind
):
    if target_kind == "superuser":
        target = User.objects.create_superuser("root", "root@example.org", PASSWORD)
    elif target_kind == "administrator":
        target = user_with("admin2", roles.ADMINISTRATOR, is_staff=True)
    else:
        target = administrator
    password_url = reverse("admin:auth_user_password_change", args=[target.pk])
    assert admin_client.get(password_url).status_code == 403
    response = admin_client.post(
        password_url,
        {"password1": "a new long passphrase", "password2": "a new long passphrase"},
    )
    assert response.status_code == 403
    target.refresh_from_db()
    assert target.check_password(PASSWORD)
    assert _change(admin_client, target, is_active="", first_name="Changed").status_code == 403
    target.refresh_from_db()
    assert target.is_active and target.first_name != "Changed"
    # Still visible, read-only, so the administrator knows the account exists.
    page = admin_client.get(reverse("admin:auth_user_change", args=[target.pk]))
    assert page.status_code == 200 and 'name="username"' not in page.content.decode()


def test_an_administrator_can_set_the_password_of_an_ordinary_account(admin_client):
    target = user_with("target", roles.CLINICIAN)
    response = admin_client.post(
        reverse("admin:auth_user_password_change", args=[target.pk]),
        {
            "password1": "a new long passphrase",
            "password2": "a new long passphrase",
            "usable_password": "true",
        },
    )
    assert response.status_code == 302
    target.refresh_from_db()
    assert target.check_password("a new long passphrase")


def test_a_superuser_still_can_do_everything(client):
    root = User.objects.create_superuser("root", "root@example.org", PASSWORD)
    client.force_login(root)
    target = user_with("target", roles.CLINICIAN)
    assert _change(client, target, is_superuser="on").status_code == 302
    target.refresh_from_db()
    assert target.is_superuser


def test_an_administrator_can_unlock_a_locked_out_account(admin_client):
    target = user_with("target", roles.CLINICIAN)
    AccessAttempt.objects.create(username="target", ip_address="10.0.0.1", failures_since_start=5)
    response = admin_client.post(
        reverse("admin:auth_user_changelist"),
        {"action": "unlock", "_selected_action": [target.pk]},
        follow=True,
    )
    assert "can log in again" in response.content.decode()
    assert not AccessAttempt.objects.filter(username="target").exists()
