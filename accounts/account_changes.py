"""Changes to people's accounts: recorded, told to the person, and a password set by
someone else is changed at its owner's next login.

An administrator can reset a clinician's password, log in as them, read patients and
sign. So every change of an account's password, roles (groups), active, staff or
superuser status, and of its signing rights (a board's default chair, a member who may
sign) is recorded as an ``AccountChange`` with who made it and when, however it was made
(the admin, a page, a command: signals on the models). When the change was made by
someone other than the account's owner in the app, the owner is told by e-mail (a task,
sent once the change is committed) and, for a password, must choose a new one at the
next login. Changes made by commands (the demo set-up, ``createsuperuser``) are recorded,
not mailed: they are IT's own set-up.
"""

from __future__ import annotations

import contextlib
import contextvars

from django.conf import settings
from django.contrib.auth.models import Group, User
from django.core.mail import EmailMessage
from django.db import connection, transaction
from django.db.models.signals import m2m_changed, post_save, pre_save
from django.dispatch import receiver
from django.urls import reverse
from django.utils import timezone
from django_tasks import task

from accounts.models import AccountChange, AccountChangeKind, PasswordChangeRequired
from common import current

# Who makes a change that no logged-in user makes: a login through the identity provider.
_acting = contextvars.ContextVar("acting_as", default="")


@contextlib.contextmanager
def acting_as(name: str):
    """Record the changes made inside as made by ``name`` (e.g. "single sign-on")."""
    token = _acting.set(name)
    try:
        yield
    finally:
        _acting.reset(token)


# What the e-mail says for each kind of change (the detail follows it).
TOLD = {
    AccountChangeKind.CREATED: "An account was made for you.",
    AccountChangeKind.PASSWORD: "Your password was set by someone else: you will be asked to "
    "choose a new one when you next log in.",
    AccountChangeKind.ROLES: "Your roles changed.",
    AccountChangeKind.ACTIVE: "Your account was activated or deactivated.",
    AccountChangeKind.STAFF: "Your access to the administration pages changed.",
    AccountChangeKind.SUPERUSER: "Your superuser status changed.",
    AccountChangeKind.SIGNING: "Your rights to sign a board's decisions changed.",
    AccountChangeKind.TWO_FACTOR: "Your two-factor authentication was reset: you will set it "
    "up again when you next log in.",
}


def record(account, kind: str, detail: str = "") -> AccountChange:
    """Record a change of ``account`` by the current user (a command: nobody), and tell
    its owner when someone else made it. Signing rights are recorded by ``meetings``."""
    actor = current.user(load=True)
    change = AccountChange.objects.create(
        account=account,
        username=account.get_username(),
        kind=kind,
        detail=detail[:300],
        changed_by=actor,
        changed_by_name=actor.get_username() if actor else (_acting.get() or "a command"),
        at=timezone.now(),
    )
    if actor is not None and actor.pk != account.pk:
        _tell_on_commit(account.pk, change.pk)
    return change


class _Batch(list):
    """The changes of one account in one transaction, told in one e-mail on commit."""

    def send(self) -> None:
        tell.enqueue(list(self))


def _tell_on_commit(account_id: int, change_id: int) -> None:
    request = current.request()
    batches = request.__dict__.setdefault("_account_changes", {})
    batch = batches.get(account_id)
    # (a batch whose transaction was rolled back is no longer waiting for a commit)
    if batch is None or not any(
        getattr(callback, "__self__", None) is batch for _, callback, _ in connection.run_on_commit
    ):
        batch = batches[account_id] = _Batch()
        transaction.on_commit(batch.send)
    batch.append(change_id)


@task()
def tell(change_ids: list[int]) -> int:
    """E-mail the owner of an account what someone else changed; 0 or 1 messages sent. No
    password, and no patient, is ever in it."""
    changes = list(
        AccountChange.objects.filter(pk__in=change_ids).select_related("account", "changed_by")
    )
    if not changes or changes[0].account is None or not changes[0].account.email:
        return 0
    account = changes[0].account
    by = changes[0].changed_by
    by_name = (by.get_full_name() or by.get_username()) if by else changes[0].changed_by_name
    lines = [
        f"{by_name} changed your Tumor board account ({account.get_username()}) on "
        f"{timezone.localtime(changes[0].at):%-d %B %Y at %H:%M}:",
        *(
            f"- {TOLD[change.kind]}{' ' + change.detail if change.detail else ''}"
            for change in changes
        ),
        "If you did not expect this, tell your IT service desk at once.",
        f"Tumor board: {settings.SITE_URL}{reverse('home')}",
    ]
    EmailMessage(
        "Tumor board: your account was changed", "\n\n".join(lines), to=[account.email]
    ).send()
    return 1


# --- the signals -----------------------------------------------------------------------


# What an account's row says that this module records when it changes.
RECORDED_FIELDS = ("password", "is_active", "is_staff", "is_superuser")


@receiver(pre_save, sender=User, dispatch_uid="account_changes.user_before")
def _user_before(sender, instance, raw=False, update_fields=None, **kwargs):
    # (a save of other fields only, such as every login's last_login, reads nothing)
    untouched = update_fields is not None and not set(update_fields) & set(RECORDED_FIELDS)
    instance._account_before = (
        None
        if raw or not instance.pk or untouched
        else User.objects.filter(pk=instance.pk).values(*RECORDED_FIELDS).first()
    )


@receiver(post_save, sender=User, dispatch_uid="account_changes.user_after")
def _user_after(sender, instance, created, raw=False, **kwargs):
    if raw:
        return
    before = getattr(instance, "_account_before", None)
    actor = current.user(load=True)
    if created:
        record(instance, AccountChangeKind.CREATED)
        if instance.has_usable_password() and actor is not None:
            _password_set_by(instance, actor)
        return
    if before is None:
        return
    if before["password"] != instance.password:
        if actor is not None and actor.pk == instance.pk:
            # Its owner chose it: any demand for a new one is met.
            PasswordChangeRequired.objects.filter(user=instance).delete()
            record(instance, AccountChangeKind.PASSWORD, "Changed by its owner.")
        else:
            record(instance, AccountChangeKind.PASSWORD)
            if actor is not None:
                _password_set_by(instance, actor)
    for field, kind, words in (
        ("is_active", AccountChangeKind.ACTIVE, ("Deactivated.", "Activated.")),
        ("is_staff", AccountChangeKind.STAFF, ("No longer has it.", "Now has it.")),
        (
            "is_superuser",
            AccountChangeKind.SUPERUSER,
            ("No longer a superuser.", "Now a superuser."),
        ),
    ):
        if before[field] != getattr(instance, field):
            record(instance, kind, words[getattr(instance, field)])


def _password_set_by(account, actor) -> None:
    if actor.pk == account.pk:
        return
    PasswordChangeRequired.objects.update_or_create(
        user=account, defaults={"set_by": actor, "set_at": timezone.now()}
    )


def _role_names(names) -> str:
    return ", ".join(sorted(names)) or "none"


@receiver(m2m_changed, sender=User.groups.through, dispatch_uid="account_changes.roles")
def _roles_changed(sender, instance, action, reverse, pk_set, **kwargs):
    if action not in ("pre_clear", "post_add", "post_remove", "post_clear"):
        return
    if action == "pre_clear":  # (what a clear removes is known only before it)
        instance._roles_cleared = (
            set(instance.user_set.values_list("pk", flat=True))
            if reverse
            else set(instance.groups.values_list("name", flat=True))
        )
        return
    if reverse:  # a group's users changed: one record per user
        group = instance
        users = pk_set if action != "post_clear" else getattr(group, "_roles_cleared", set())
        verb = "Given" if action == "post_add" else "Removed"
        for user in User.objects.filter(pk__in=users or ()):
            record(user, AccountChangeKind.ROLES, f"{verb}: {group.name}.")
        return
    user = instance
    if action == "post_clear":
        names = getattr(user, "_roles_cleared", set())
        if names:
            record(user, AccountChangeKind.ROLES, f"Removed: {_role_names(names)}.")
        return
    names = Group.objects.filter(pk__in=pk_set or ()).values_list("name", flat=True)
    if names:
        verb = "Given" if action == "post_add" else "Removed"
        record(user, AccountChangeKind.ROLES, f"{verb}: {_role_names(names)}.")
