"""A render's lease: while a worker renders, a side thread renews ``heartbeat_at`` of
the rows it holds, so that a worker that was killed is noticed once the lease
(``HANDOUT_LEASE_SECONDS``) runs out and its work can be taken over."""

from __future__ import annotations

import contextlib
import logging
import threading

from django.conf import settings
from django.db import connection
from django.db.models import QuerySet
from django.utils import timezone

logger = logging.getLogger(__name__)


@contextlib.contextmanager
def holding_lease(held: QuerySet, name: str):
    """Renew ``heartbeat_at`` of the rows ``held`` selects while the body runs.

    Layout is CPU-bound and reports no progress while it writes the PDF, so the
    lease is renewed by time, not by progress. The thread has its own database
    connection, closed when it ends.
    """
    stop = threading.Event()
    interval = settings.HANDOUT_LEASE_SECONDS / 4

    def renew() -> None:
        try:
            while not stop.wait(interval):
                held.update(heartbeat_at=timezone.now())
        except Exception:  # the database went away: the lease runs out, as it should
            logger.exception("Could not renew the lease of %s", name)
        finally:
            connection.close()

    thread = threading.Thread(target=renew, name=f"lease-{name}", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()
