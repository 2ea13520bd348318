"""Accounts for the tests of accounts and administrators."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group, User

from accounts import roles

PASSWORD = "correct horse battery"


def user_with(username: str, role: str | None = None, **extra) -> User:
    user = User.objects.create_user(username, password=PASSWORD, **extra)
    if role:
        user.groups.add(Group.objects.get(name=role))
    return user


@pytest.fixture
def administrator(db) -> User:
    return user_with(
        "admin1", roles.ADMINISTRATOR, is_staff=True, first_name="Ada", last_name="Admin"
    )


@pytest.fixture
def admin_client(client, administrator):
    client.force_login(administrator)
    return client
