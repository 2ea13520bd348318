"""A virus scan of an uploaded file through a ClamAV daemon (clamd), when one is set up.

clamd's INSTREAM command over its Unix socket (``CLAMAV_SOCKET``) or TCP
(``CLAMAV_HOST``/``CLAMAV_PORT``): the file goes in chunks, each preceded by its length
as a 4-byte big-endian number, a zero length ends it, and clamd answers
``stream: OK`` or ``stream: <signature> FOUND`` (clamd(8), "INSTREAM"). Written here
rather than taken from PyPI: the ``clamd`` package has not been released since 2014, and
the protocol is these few lines.

A scan that cannot be made (no daemon, a timeout, an error answer) is ``Unscanned``: the
caller refuses the file, never accepts it unscanned while scanning is on.
"""

from __future__ import annotations

import socket
import struct
from dataclasses import dataclass

from django.conf import settings

CHUNK = 64 * 1024


class Unscanned(Exception):
    """The file could not be scanned; the message says why (for the log and the user)."""


@dataclass(frozen=True)
class Verdict:
    clean: bool
    signature: str = ""  # what clamd found, e.g. "Eicar-Signature"


def enabled() -> bool:
    return bool(settings.CLAMAV_SOCKET or settings.CLAMAV_HOST)


def _connect() -> socket.socket:
    timeout = settings.CLAMAV_TIMEOUT_SECONDS
    if settings.CLAMAV_SOCKET:
        connection = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        connection.settimeout(timeout)
        connection.connect(settings.CLAMAV_SOCKET)
        return connection
    return socket.create_connection((settings.CLAMAV_HOST, settings.CLAMAV_PORT), timeout=timeout)


def scan(chunks) -> Verdict:
    """Scan the bytes ``chunks`` yields (e.g. an uploaded file's ``chunks()``)."""
    try:
        with _connect() as connection:
            connection.sendall(b"zINSTREAM\0")
            for chunk in chunks:
                for start in range(0, len(chunk), CHUNK):
                    part = chunk[start : start + CHUNK]
                    connection.sendall(struct.pack("!L", len(part)) + part)
            connection.sendall(struct.pack("!L", 0))
            answer = b""
            while not answer.endswith(b"\0"):
                received = connection.recv(4096)
                if not received:
                    break
                answer += received
    except OSError as error:
        raise Unscanned(f"the virus scanner could not be reached ({error})") from None
    text = answer.rstrip(b"\0").decode("utf-8", "replace").strip()
    if text.endswith("OK") and text.startswith("stream:"):
        return Verdict(True)
    if text.endswith("FOUND") and text.startswith("stream:"):
        return Verdict(False, text[len("stream:") : -len("FOUND")].strip())
    raise Unscanned(f"the virus scanner answered {text[:200]!r}")


def ping() -> bool:
    """Whether clamd answers (for the readiness check)."""
    try:
        with _connect() as connection:
            connection.sendall(b"zPING\0")
            return connection.recv(16).startswith(b"PONG")
    except OSError:
        return False
