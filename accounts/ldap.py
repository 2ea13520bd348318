"""Sign-in with the hospital's directory (LDAP or Active Directory), ``django-auth-ldap``:
the app binds with its service account, finds the person (``LDAP_USER_FILTER`` under
``LDAP_USER_SEARCH_BASE``), checks the password by binding as them, and reads their groups.
Our rules for accounts (``accounts.external``): linked by the directory's stable id of the
entry (``LDAP_ID_ATTRIBUTE``: entryUUID, or objectGUID in Active Directory), never by the
username alone, so a directory user never becomes a local account of the same name;
roles from the groups through ``LDAP_ROLE_MAP`` at each login."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import User
from django_auth_ldap.backend import LDAPBackend

from accounts import external
from accounts.account_changes import acting_as
from accounts.models import ExternalAccount
from accounts.role_map import roles_for

SOURCE = "ldap"


def subject_of(ldap_user) -> str:
    values = ldap_user.attrs.get(settings.LDAP_ID_ATTRIBUTE.lower()) or [ldap_user.dn.lower()]
    value = values[0]
    return value.hex() if isinstance(value, bytes) else str(value)


def _first(ldap_user, name: str) -> str | None:
    values = ldap_user.attrs.get(name.lower())
    return values[0] if values else None


class HospitalLDAPBackend(LDAPBackend):
    def get_or_build_user(self, username, ldap_user):
        user = external.linked_user(SOURCE, subject_of(ldap_user))
        if user is not None:
            return user, False
        return User(username=external.free_username(username)), True

    def authenticate_ldap_user(self, ldap_user, password):
        with acting_as(external.who(SOURCE)):
            user = super().authenticate_ldap_user(ldap_user, password)
        if user is None:
            return None
        ExternalAccount.objects.get_or_create(
            source=SOURCE, subject=subject_of(ldap_user), defaults={"user": user}
        )
        role_map = {group.lower(): role for group, role in settings.LDAP_ROLE_MAP.items()}
        return external.update_from_provider(
            user, SOURCE,
            first_name=_first(ldap_user, "givenName"), last_name=_first(ldap_user, "sn"),
            email=_first(ldap_user, "mail"),
            role_names=roles_for(sorted(ldap_user.group_dns), role_map),
        )  # fmt: skip
