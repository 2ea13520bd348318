"""The hospital's map from its identity provider's groups (or roles) to the app's roles,
read from settings at start (no Django models here: config/settings.py imports it)."""

from __future__ import annotations

import json

from django.core.exceptions import ImproperlyConfigured

from accounts import roles

MAPPABLE = (roles.CLINICIAN, roles.COORDINATOR, roles.GUIDELINE_EDITOR, roles.ADMINISTRATOR)


def parse_role_map(name: str, raw: str) -> dict[str, str]:
    """A role map from its setting: a JSON object of provider group -> app role."""
    if not raw.strip():
        return {}
    try:
        found = json.loads(raw)
    except json.JSONDecodeError as error:
        raise ImproperlyConfigured(f"{name} is not JSON ({error.msg}).") from None
    if not isinstance(found, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in found.items()
    ):
        raise ImproperlyConfigured(f'{name} must be a JSON object of "group": "role".')
    wrong = sorted({role for role in found.values() if role not in MAPPABLE})
    if wrong:
        raise ImproperlyConfigured(
            f"{name} names roles that do not exist: {', '.join(wrong)} "
            f"(the roles are: {', '.join(MAPPABLE)})."
        )
    return found


def roles_for(groups, role_map: dict[str, str]) -> set[str]:
    if isinstance(groups, str):
        groups = [groups]
    return {role_map[group] for group in groups or () if group in role_map}
