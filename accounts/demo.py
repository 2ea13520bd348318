"""Demo accounts for development. They never work when DEBUG is off.

A demo user is marked by a ``DemoAccount`` row, which no admin form can set or
clear. The ``DemoAwareBackend`` refuses them outside demo mode, and every
``migrate`` run outside demo mode deactivates them, so a database seeded on a
laptop and later served in production still cannot be entered with them.
"""

from __future__ import annotations

from dataclasses import dataclass

from accounts import roles

DEMO_PASSWORD = "tumorboard-demo"
DEMO_EMAIL_DOMAIN = "demo.invalid"


@dataclass(frozen=True)
class DemoAccount:
    username: str
    first_name: str
    last_name: str
    role: str | None  # None: superuser
    is_staff: bool = False


DEMO_ACCOUNTS = (
    DemoAccount("clinician", "Clara", "Clinician", roles.CLINICIAN),
    DemoAccount("coordinator", "Colin", "Coordinator", roles.COORDINATOR),
    DemoAccount("editor", "Edith", "Editor", roles.GUIDELINE_EDITOR, is_staff=True),
    DemoAccount("trials", "Tara", "Trials", roles.TRIAL_COORDINATOR, is_staff=True),
    DemoAccount("admin", "Adam", "Administrator", None, is_staff=True),
)


def is_demo_user(user) -> bool:
    from django.core.exceptions import ObjectDoesNotExist

    try:
        user.demo_account  # noqa: B018 -- fetched with the user by DemoAwareBackend.get_user
    except ObjectDoesNotExist:
        return False
    return True


def disable_demo_accounts() -> int:
    """Deactivate every demo account; return how many were active."""
    from django.contrib.auth.models import User

    return User.objects.filter(demo_account__isnull=False, is_active=True).update(is_active=False)


def ensure_demo_accounts() -> list[str]:
    """Create or repair the demo accounts; return the usernames created."""
    from django.contrib.auth.models import Group, User

    from accounts.models import DemoAccount

    created = []
    for account in DEMO_ACCOUNTS:
        user, was_created = User.objects.get_or_create(
            username=account.username,
            defaults={"email": f"{account.username}@{DEMO_EMAIL_DOMAIN}"},
        )
        user.first_name, user.last_name = account.first_name, account.last_name
        user.email = f"{account.username}@{DEMO_EMAIL_DOMAIN}"
        user.is_staff = account.is_staff
        user.is_superuser = account.role is None
        user.is_active = True
        if was_created or not user.check_password(DEMO_PASSWORD):
            user.set_password(DEMO_PASSWORD)
        user.save()
        DemoAccount.objects.get_or_create(user=user)
        if account.role:
            user.groups.set([Group.objects.get(name=account.role)])
        if was_created:
            created.append(account.username)
    return created


def seed() -> list[str]:
    """Demo data of this app (``manage.py seed_demo``): the demo accounts."""
    ensure_demo_accounts()
    lines = [f"Demo accounts (password for all: {DEMO_PASSWORD}):"]
    for account in DEMO_ACCOUNTS:
        role = account.role or "superuser (administrator)"
        lines.append(f"  {account.username:<12} {role}")
    return lines
