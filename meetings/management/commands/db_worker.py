"""`manage.py db_worker`: django-tasks-db's worker, which outlives a database outage.

The library's worker exits on the first database error (a restarted server, a
network cut). This one logs the error, waits with a growing back-off (1 s, 2 s,
4 s … at most MAX_BACKOFF) and carries on, so a database restart never leaves
meeting packs without a worker. A render that was cut off by the outage runs out
of its lease and is shown as failed (see ``Handout.objects.expire_stale``).
"""

from __future__ import annotations

import logging
import time

from django.db import InterfaceError, OperationalError, connections
from django_tasks_db.management.commands import db_worker

logger = logging.getLogger("django_tasks_db")
MAX_BACKOFF = 30.0


class ResilientWorker(db_worker.Worker):
    def run(self) -> None:
        backoff = 1.0
        while self.running:
            try:
                super().run()
                return  # stopped by a signal, --batch or --max-tasks
            except (OperationalError, InterfaceError) as error:
                reason = str(error).strip().splitlines()[0] if str(error).strip() else repr(error)
                logger.warning(
                    "Database unavailable (%s); trying again in %.0f s.", reason, backoff
                )
                connections.close_all()
                self.running_task = False
                time.sleep(backoff)
                backoff = min(backoff * 2, MAX_BACKOFF)


class Command(db_worker.Command):
    help = "Run a background task worker that waits out database outages."

    def handle(self, *args, **options):
        original = db_worker.Worker
        db_worker.Worker = ResilientWorker  # the library's handle() builds its Worker by name
        try:
            return super().handle(*args, **options)
        finally:
            db_worker.Worker = original
