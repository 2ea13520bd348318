#!/usr/bin/env python
"""Django's command-line utility for administrative tasks."""

import os
import sys
from pathlib import Path

LOCAL_SOCKET = Path(__file__).resolve().parent / ".pg" / "run" / ".s.PGSQL.5432"


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    from django.core.management import execute_from_command_line
    from django.db import OperationalError

    try:
        execute_from_command_line(sys.argv)
    except OperationalError:
        if os.environ.get("DATABASE_URL") or LOCAL_SOCKET.exists():
            raise
        # The project-local cluster (scripts/pg.sh) is stopped: say so, not a traceback.
        sys.exit("The local database is not running: run `make setup` (or `scripts/pg.sh start`).")


if __name__ == "__main__":
    main()
