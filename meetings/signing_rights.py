"""Signing rights are account changes too (``accounts.account_changes``): who chairs a
board by default, and which members may sign its decisions, recorded with who changed them
and told to the person when someone else did."""

from __future__ import annotations

from django.db.models.signals import post_delete, post_save, pre_save

from accounts.account_changes import record
from accounts.models import AccountChangeKind
from meetings.models import Board, BoardMember


def _board_before(sender, instance, raw=False, **kwargs):
    instance._chair_before = (
        Board.objects.filter(pk=instance.pk).values_list("default_chair", flat=True).first()
        if instance.pk and not raw
        else None
    )


def _board_after(sender, instance, created, raw=False, **kwargs):
    if raw:
        return
    before = None if created else getattr(instance, "_chair_before", None)
    if before == instance.default_chair_id:
        return
    if before is not None:
        from django.contrib.auth.models import User

        old = User.objects.filter(pk=before).first()
        if old is not None:
            record(
                old, AccountChangeKind.SIGNING, f"No longer the default chair of {instance.name}."
            )
    if instance.default_chair_id is not None:
        record(instance.default_chair, AccountChangeKind.SIGNING,
               f"Now the default chair of {instance.name}: signs its decisions.")  # fmt: skip


def _member_before(sender, instance, raw=False, **kwargs):
    instance._may_sign_before = (
        BoardMember.objects.filter(pk=instance.pk).values_list("may_sign", flat=True).first()
        if instance.pk and not raw
        else None
    )


def _member_after(sender, instance, created, raw=False, **kwargs):
    if raw:
        return
    before = bool(getattr(instance, "_may_sign_before", False)) if not created else False
    if before != instance.may_sign:
        board = instance.board.name
        record(instance.user, AccountChangeKind.SIGNING,
               f"May now sign the decisions of {board}." if instance.may_sign
               else f"May no longer sign the decisions of {board}.")  # fmt: skip


def _member_removed(sender, instance, **kwargs):
    if instance.may_sign:
        record(instance.user, AccountChangeKind.SIGNING,
               f"Left {instance.board.name}: may no longer sign its decisions.")  # fmt: skip


def connect() -> None:
    pre_save.connect(_board_before, sender=Board, dispatch_uid="signing_rights.board_before")
    post_save.connect(_board_after, sender=Board, dispatch_uid="signing_rights.board_after")
    pre_save.connect(
        _member_before, sender=BoardMember, dispatch_uid="signing_rights.member_before"
    )
    post_save.connect(_member_after, sender=BoardMember, dispatch_uid="signing_rights.member_after")
    post_delete.connect(_member_removed, sender=BoardMember, dispatch_uid="signing_rights.removed")
