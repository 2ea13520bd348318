"""Accounts that come from the hospital: single sign-on (``accounts.oidc``) and the
directory (``accounts.ldap``).

Such an account is created at its first login, linked to the person by the provider's
own identifier (``ExternalAccount``), and has no password here. Its roles come from the
provider at each login: the groups (or roles) the provider names are mapped to the app's
roles by the hospital's map (``OIDC_ROLE_MAP``, ``LDAP_ROLE_MAP``), and the account gets
exactly those. A group removed from the person, or from the map, takes its role away at
the next login. No provider group makes a superuser.
"""

from __future__ import annotations

from django.contrib.auth.models import Group, User
from django.db import transaction

from accounts.account_changes import acting_as
from accounts.models import ExternalAccount


def free_username(wanted: str) -> str:
    """The provider's name for the person, or that name with a number when a local
    account has it already (never that local account)."""
    base = (wanted or "user")[:140]
    name, n = base, 1
    while User.objects.filter(username=name).exists():
        n += 1
        name = f"{base}-{n}"
    return name


def linked_user(source: str, subject: str) -> User | None:
    return User.objects.filter(
        external_accounts__source=source, external_accounts__subject=subject
    ).first()


def create_linked_user(source: str, subject: str, username: str, email: str = "") -> User:
    with transaction.atomic(), acting_as(who(source)):
        user = User.objects.create_user(free_username(username), email=email)  # no password
        ExternalAccount.objects.create(user=user, source=source, subject=subject)
    return user


def update_from_provider(user: User, source: str, *, first_name: str, last_name: str,
                         email: str, role_names: set[str]) -> User:  # fmt: skip
    """Names, e-mail and roles as the provider says, at each login."""
    with transaction.atomic(), acting_as(who(source)):
        given = {"first_name": first_name, "last_name": last_name, "email": email}
        changed = []
        for field, value in given.items():
            if value is not None and getattr(user, field) != value[:150]:
                setattr(user, field, value[:150])
                changed.append(field)
        if changed:
            user.save(update_fields=changed)
        user.groups.set(Group.objects.filter(name__in=role_names))  # (only the difference)
    return user


def who(source: str) -> str:
    return {"oidc": "single sign-on", "ldap": "the directory (LDAP)"}.get(source, source)
