"""Logging filters: what the application log must never hold.

A calendar link is a secret in its address (``/meetings/calendar/<secret>/all.ics``):
whoever reads it subscribes to the boards' meetings. Django logs the path of every
answer of 400 or more ("Not Found: /meetings/calendar/…"), and the development server
every request line, so the secret is replaced before any handler writes the record.
"""

from __future__ import annotations

import logging
import re

# The secret path segment of a calendar feed's address (meetings/urls.py).
CALENDAR_SECRET = re.compile(r"(/calendar/)(?!\[secret\])[^/\s?#\"']+(/[^\s\"']*\.ics)")
REDACTED = r"\1[secret]\2"


def redact(text: str) -> str:
    return CALENDAR_SECRET.sub(REDACTED, text)


class RedactSecrets(logging.Filter):
    """Rewrites a record whose message names a secret address; lets every record through."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        redacted = redact(message)
        if redacted != message:
            record.msg, record.args = redacted, ()
        return True
