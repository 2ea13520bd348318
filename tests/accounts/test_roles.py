"""Roles, demo accounts and who may change guideline content."""

from __future__ import annotations

import io

import pytest
from django.contrib.auth import authenticate
from django.contrib.auth.models import Group, User
from django.core.management import CommandError, call_command
from django.test import RequestFactory
from django.urls import reverse

from accounts import roles
from accounts.demo import DEMO_PASSWORD

pytestmark = pytest.mark.django_db


def test_each_role_is_a_group_with_its_permissions():
    perms = {
        group.name: {f"{p.content_type.app_label}.{p.codename}" for p in group.permissions.all()}
        for group in Group.objects.prefetch_related("permissions__content_type")
    }
    assert set(perms) == {
        roles.CLINICIAN,
        roles.COORDINATOR,
        roles.GUIDELINE_EDITOR,
        roles.TRIAL_COORDINATOR,
        roles.ADMINISTRATOR,
    }
    assert perms[roles.CLINICIAN] == set(roles.ROLE_PERMISSIONS[roles.CLINICIAN])
    assert "guidelines.change_recommendation" in perms[roles.GUIDELINE_EDITOR]
    for role in (roles.CLINICIAN, roles.COORDINATOR, roles.TRIAL_COORDINATOR, roles.ADMINISTRATOR):
        assert not any(p.startswith("guidelines.change_") for p in perms[role]), role
    # The trial list is kept by trial coordinators only (superusers aside); they see no case.
    assert {role for role, held in perms.items() if "trials.change_criterion" in held} == {
        roles.TRIAL_COORDINATOR
    }
    assert not any(p.startswith(("cases.", "decisions.")) for p in perms[roles.TRIAL_COORDINATOR])


def test_syncing_roles_twice_changes_nothing():
    before = {g.name: set(g.permissions.values_list("pk", flat=True)) for g in Group.objects.all()}
    roles.sync_roles()
    after = {g.name: set(g.permissions.values_list("pk", flat=True)) for g in Group.objects.all()}
    assert before == after


def test_only_editors_and_superusers_may_change_guideline_content(
    clinician, coordinator, editor, outsider, superuser
):
    may_change = {
        user.username: user.has_perm("guidelines.change_recommendation")
        for user in (clinician, coordinator, editor, outsider, superuser)
    }
    assert may_change == {
        "clinician": False,
        "coordinator": False,
        "editor": True,
        "outsider": False,
        "root": True,
    }


def test_seed_demo_refuses_outside_development(settings):
    settings.DEMO_MODE = False
    with pytest.raises(CommandError, match="only runs in development"):
        call_command("seed_demo", stdout=io.StringIO())
    call_command("seed_demo", "--if-demo-mode", stdout=io.StringIO())
    assert not User.objects.filter(username="clinician").exists()


def test_seed_demo_creates_the_demo_accounts_idempotently(settings):
    settings.DEMO_MODE = True
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    call_command("seed_demo", stdout=io.StringIO())
    assert (
        User.objects.filter(username__in=["clinician", "coordinator", "editor", "admin"]).count()
        == 4
    )
    assert User.objects.get(username="editor").groups.get().name == roles.GUIDELINE_EDITOR
    assert User.objects.get(username="admin").is_superuser
    assert f"password for all: {DEMO_PASSWORD}" in out.getvalue()


def login(username: str, password: str):
    """Authenticate as the login page does (with a request, which the lockout needs)."""
    return authenticate(
        RequestFactory().post(reverse("login")), username=username, password=password
    )


def test_demo_accounts_cannot_log_in_when_debug_is_off(settings):
    settings.DEMO_MODE = True
    call_command("seed_demo", stdout=io.StringIO())
    assert login("clinician", DEMO_PASSWORD) is not None
    settings.DEMO_MODE = False
    assert login("clinician", DEMO_PASSWORD) is None


def test_ordinary_accounts_log_in_whatever_the_mode(settings, clinician):
    settings.DEMO_MODE = False
    assert login("clinician", "correct horse battery") == clinician


@pytest.mark.parametrize(
    "url_name",
    ["home", "guidelines:library", "cases:case_list", "meetings:meeting_list", "admin:index"],
)
def test_a_user_without_a_role_sees_only_the_no_access_page(client, outsider, url_name):
    client.force_login(outsider)
    response = client.get(reverse(url_name))
    assert response.status_code == 403
    assert "your account has no role yet" in response.content.decode()


def test_a_user_without_a_role_can_still_log_out(client, outsider):
    client.force_login(outsider)
    assert client.post(reverse("logout")).status_code == 302


def test_seed_demo_adds_varied_demo_cases_once(settings):
    from cases.models import Case

    settings.DEMO_MODE = True
    call_command("seed_demo", stdout=io.StringIO())
    call_command("seed_demo", stdout=io.StringIO())
    cases = list(Case.objects.select_related("patient"))
    assert len(cases) >= 8
    sites = {case.facts.get("primary_site") for case in cases}
    assert {"colorectal", "gastric", "gist", "breast", "neuroendocrine", "pancreatic"} <= sites
    assert {case.facts.get("resectability") for case in cases} >= {"resectable", "unresectable"}
    assert any(case.facts.get("braf_v600e_status") == "mutant" for case in cases)
    assert any("ras_status" not in case.facts for case in cases)  # some facts left unknown


def test_demo_status_is_not_an_email_address_an_admin_can_edit(settings):
    """Changing a demo account's e-mail does not make it an ordinary account, and back."""
    settings.DEMO_MODE = True
    call_command("seed_demo", stdout=io.StringIO())
    demo = User.objects.get(username="clinician")
    demo.email = "clara@hospital.example"
    demo.save()
    ordinary = User.objects.create_user(
        "mallory", email="mallory@demo.invalid", password=DEMO_PASSWORD
    )
    settings.DEMO_MODE = False
    assert login("clinician", DEMO_PASSWORD) is None
    assert login("mallory", DEMO_PASSWORD) == ordinary


def test_migrate_outside_demo_mode_disables_demo_accounts(settings):
    from django.apps import apps

    from accounts.apps import _disable_demo_accounts

    settings.DEMO_MODE = True
    call_command("seed_demo", stdout=io.StringIO())
    settings.DEMO_MODE = False
    _disable_demo_accounts(sender=apps.get_app_config("accounts"))
    assert not User.objects.filter(demo_account__isnull=False, is_active=True).exists()
    assert User.objects.filter(demo_account__isnull=False).count() == 5


def test_no_admin_form_shows_the_demo_mark(client, superuser, clinician):
    client.force_login(superuser)
    page = client.get(reverse("admin:auth_user_change", args=[clinician.pk])).content.decode()
    assert 'name="demo' not in page
    assert client.get("/admin/accounts/demoaccount/").status_code == 404  # no admin for it
