"""Administrators and other people's accounts: every change of a password, roles, status or
signing rights is recorded with who and when; the owner is told by e-mail (a real SMTP
server, tests/smtp.py) and must choose a new password after someone else set one."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from accounts import account_changes, roles
from accounts.models import AccountChange, PasswordChangeRequired
from meetings.models import Board, BoardMember, Specialty
from tests.accounts.conftest import PASSWORD, user_with

pytestmark = pytest.mark.django_db
NEW = "a new long passphrase"


def _run_told(capture) -> int:
    """Run the tasks queued on commit as the worker would; how many e-mails went."""
    sent = 0
    for result in DBTaskResult.objects.filter(task_path=account_changes.tell.module_path):
        sent += account_changes.tell.call(*result.args_kwargs["args"])
    return sent


def test_a_password_set_by_an_administrator_is_recorded_told_and_must_be_changed(
    admin_client, administrator, inbox, client, django_capture_on_commit_callbacks
):
    target = user_with("surgeon", roles.CLINICIAN, email="surgeon@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            reverse("admin:auth_user_password_change", args=[target.pk]),
            {"password1": NEW, "password2": NEW, "usable_password": "true"},
        )
    assert response.status_code == 302
    change = AccountChange.objects.get(account=target, kind="password")
    assert (change.changed_by, change.changed_by_name) == (administrator, "admin1")
    assert PasswordChangeRequired.objects.get(user=target).set_by == administrator
    assert _run_told(None) == 1
    (message,) = inbox.messages
    assert message["To"] == "surgeon@example.org"
    assert message["Subject"] == "Tumor board: your account was changed"
    body = message.get_content()
    assert "Ada Admin changed your Tumor board account (surgeon)" in body
    assert "choose a new one when you next log in" in body
    assert "tell your IT service desk" in body and NEW not in body

    # The owner logs in: every page leads to the password form until a new one is chosen.
    client.logout()
    login = client.post(reverse("login"), {"username": "surgeon", "password": NEW})
    assert login.status_code == 302
    assert client.get(reverse("cases:case_list"))["Location"] == reverse("password_change")
    htmx = client.get(reverse("cases:case_list"), headers={"HX-Request": "true"})
    assert htmx["HX-Redirect"] == reverse("password_change")
    form = client.get(reverse("password_change"))
    assert "Someone else set your password" in form.content.decode()
    wrong = client.post(reverse("password_change"), {"old_password": "not it",
                        "new_password1": "my own passphrase 42", "new_password2": "my own passphrase 42"})  # fmt: skip
    assert wrong.status_code == 400
    assert wrong.context["form"].errors["old_password"]
    target.refresh_from_db()
    assert target.check_password(NEW)  # nothing half-changed
    done = client.post(reverse("password_change"), {"old_password": NEW,
                       "new_password1": "my own passphrase 42", "new_password2": "my own passphrase 42"})  # fmt: skip
    assert done.status_code == 302
    assert client.get(reverse("cases:case_list")).status_code == 200  # still logged in
    assert not PasswordChangeRequired.objects.filter(user=target).exists()
    own = AccountChange.objects.filter(account=target, kind="password").latest("pk")
    assert (own.changed_by, own.detail) == (target, "Changed by its owner.")


def test_roles_and_status_changed_in_one_save_are_one_e_mail(
    admin_client, administrator, inbox, django_capture_on_commit_callbacks
):
    from tests.accounts.test_admin_users import _change

    target = user_with("nurse", roles.CLINICIAN, email="nurse@example.org")
    coordinator = Group.objects.get(name=roles.COORDINATOR)
    with django_capture_on_commit_callbacks(execute=True):
        response = _change(admin_client, target, groups=[coordinator.pk], is_active="")
    assert response.status_code == 302
    rows = {
        (c.kind, c.detail)
        for c in AccountChange.objects.filter(account=target, changed_by=administrator)
    }
    assert rows == {
        ("roles", "Removed: clinician."),
        ("roles", "Given: coordinator."),
        ("active", "Deactivated."),
    }
    assert _run_told(None) == 1
    (message,) = inbox.messages
    body = message.get_content()
    assert "Your roles changed. Given: coordinator." in body
    assert "Your roles changed. Removed: clinician." in body
    assert "Your account was activated or deactivated. Deactivated." in body


def test_signing_rights_are_recorded_and_told(
    admin_client, administrator, inbox, django_capture_on_commit_callbacks
):
    chair = user_with("chair", roles.CLINICIAN, email="chair@example.org")
    member = user_with("member", roles.CLINICIAN, email="member@example.org")
    surgery = Specialty.objects.create(name="HPB surgery")
    with django_capture_on_commit_callbacks(execute=True):
        board = Board.objects.create(name="Liver board")  # (a command: recorded, not told)
    board_url = reverse("admin:meetings_board_change", args=[board.pk])
    page = admin_client.get(board_url)
    assert page.status_code == 200
    data = {
        "name": "Liver board", "default_chair": str(chair.pk),
        "members-TOTAL_FORMS": "1", "members-INITIAL_FORMS": "0",
        "members-MIN_NUM_FORMS": "0", "members-MAX_NUM_FORMS": "1000",
        "members-0-user": str(member.pk), "members-0-specialty": str(surgery.pk),
        "members-0-may_sign": "on",
    }  # fmt: skip
    form = page.context["adminform"].form
    for name, field in form.fields.items():
        if name not in data and field.initial is not None and not field.required:
            data[name] = field.initial
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(board_url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    signing = {(c.username, c.detail) for c in AccountChange.objects.filter(kind="signing")}
    assert signing == {
        ("chair", "Now the default chair of Liver board: signs its decisions."),
        ("member", "May now sign the decisions of Liver board."),
    }
    assert all(c.changed_by == administrator for c in AccountChange.objects.filter(kind="signing"))
    assert _run_told(None) == 2
    assert sorted(m["To"] for m in inbox.messages) == ["chair@example.org", "member@example.org"]
    with django_capture_on_commit_callbacks(execute=True):
        BoardMember.objects.filter(user=member).get().delete()
    left = AccountChange.objects.filter(kind="signing", username="member").latest("pk")
    assert (left.detail, left.changed_by_name) == (
        "Left Liver board: may no longer sign its decisions.",
        "a command",
    )


def test_changes_by_a_command_are_recorded_not_mailed(inbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        user = user_with("scripted", roles.CLINICIAN, email="scripted@example.org")
        user.set_password(NEW)
        user.save()
    kinds = list(
        AccountChange.objects.filter(account=user)
        .order_by("pk")
        .values_list("kind", "changed_by_name")
    )
    assert kinds == [("created", "a command"), ("roles", "a command"), ("password", "a command")]
    assert not DBTaskResult.objects.filter(task_path=account_changes.tell.module_path).exists()
    assert not PasswordChangeRequired.objects.exists()


def test_a_user_changes_their_own_password_from_the_menu(client):
    user = user_with("self", roles.CLINICIAN)
    client.force_login(user)
    short = client.post(reverse("password_change"), {"old_password": PASSWORD,
                        "new_password1": "short", "new_password2": "short"})  # fmt: skip
    assert short.status_code == 400 and short.context["form"].errors["new_password2"]
    done = client.post(reverse("password_change"), {"old_password": PASSWORD,
                       "new_password1": "my own passphrase 42", "new_password2": "my own passphrase 42"})  # fmt: skip
    assert done.status_code == 302
    user.refresh_from_db()
    assert user.check_password("my own passphrase 42")


def test_the_administrators_see_the_account_changes_read_only(admin_client):
    user_with("someone", roles.CLINICIAN)
    page = admin_client.get(reverse("admin:accounts_accountchange_changelist"))
    assert page.status_code == 200 and "someone" in page.content.decode()
    call_command("check")  # (the admin's registration is sound)
