"""The database's owner role, for the commands that change the schema.

The app itself connects as a role that reads and writes the tables but owns none of them
(DATABASE_URL), so that nobody who has its credentials can switch off the triggers that
keep signed records final. ``manage.py migrate`` and ``manage.py restore`` act as the owner
(DATABASE_OWNER_URL) when it is set; docs/running.md creates both roles.
"""

from __future__ import annotations

import dj_database_url
from django.conf import settings
from django.db import connections


def act_as_owner(alias: str = "default") -> bool:
    """Reconnect ``alias`` as the owner role (same server and database); False when no
    owner is configured (a development cluster, the tests: one role does both)."""
    if not settings.DATABASE_OWNER_URL:
        return False
    owner = dj_database_url.parse(settings.DATABASE_OWNER_URL)
    connection = connections[alias]
    connection.close()
    connection.settings_dict["USER"] = owner.get("USER", "")
    connection.settings_dict["PASSWORD"] = owner.get("PASSWORD", "")
    return True
