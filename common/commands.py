"""Small helpers for management commands."""

from __future__ import annotations

import sys
from pathlib import Path

from django.core.management.base import CommandError


def write_text(text: str, output: str | None) -> bool:
    """Write a command's result to ``output``, or to standard output when none is given
    (whether it went to a file); CommandError names a file that cannot be written."""
    if not output:
        sys.stdout.write(text)
        return False
    try:
        Path(output).write_text(text, encoding="utf-8")
    except OSError as error:
        raise CommandError(f"cannot write {output}: {error.strerror}") from None
    return True
