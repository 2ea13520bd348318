"""What the apps above learn of changes to the guideline content, in this app's words.

``content_changed`` is sent whenever any item of the library is saved or deleted,
however (the admin, a content pack, a command): what a case's matches and printed
section show may have changed.
"""

from __future__ import annotations

from django.apps import apps
from django.db.models.signals import post_delete, post_save
from django.dispatch import Signal

content_changed = Signal()


def _changed(sender, **kwargs) -> None:
    content_changed.send(sender=sender)


def connect() -> None:
    """(``GuidelinesConfig.ready``)"""
    for model in apps.get_app_config("guidelines").get_models():
        uid = f"content-changed-{model._meta.label}"
        post_save.connect(_changed, sender=model, dispatch_uid=uid)
        post_delete.connect(_changed, sender=model, dispatch_uid=uid)
