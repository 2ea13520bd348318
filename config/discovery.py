"""Work that spans the apps, found in each app rather than listed in one place.

Demo data (``<app>/demo.py``, ``seed()``) and retention (``<app>/retention.py``,
``prune()``) belong to the app whose records they make or delete. The project's
commands find them here, in the order of INSTALLED_APPS (lower apps first), so
that no app has to import an app above it (accounts ← guidelines ← cases ←
meetings).
"""

from __future__ import annotations

from collections.abc import Iterator
from importlib import import_module
from pathlib import Path
from types import ModuleType

from django.apps import apps
from django.conf import settings
from django.utils.module_loading import module_has_submodule


def project_modules(name: str) -> Iterator[ModuleType]:
    """Each of the project's own apps' ``<app>.<name>`` module, lower apps first."""
    root = Path(settings.BASE_DIR).resolve()
    for app in apps.get_app_configs():
        if Path(app.path).resolve().parent != root:
            continue  # a third-party app (installed elsewhere, or in the virtualenv)
        if module_has_submodule(app.module, name):
            yield import_module(f"{app.name}.{name}")
