"""A real ClamAV daemon for the tests, started from Debian's clamav-daemon.

ClamAV's signature database cannot be downloaded here; a database holding the EICAR test
file's own signature, made with ClamAV's ``sigtool --hex-dump`` (a body signature, so that
clamd finds it anywhere in a file, e.g. after a PDF's end), is enough for a real clamd to
find it (and to pass every other file).
"""

from __future__ import annotations

import contextlib
import shutil
import subprocess
import time
from pathlib import Path

# The standard anti-virus test file (eicar.org): harmless, found by every scanner.
EICAR = rb"X5O!P%@AP[4\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"
SIGNATURE = "Eicar-Test-Signature"
FOUND = f"{SIGNATURE}.UNOFFICIAL"  # as clamd names a signature of a local database


@contextlib.contextmanager
def running_clamd(folder: Path):
    """clamd on a Unix socket in ``folder``; yields the socket's path."""
    clamd, sigtool = shutil.which("clamd") or "/usr/sbin/clamd", shutil.which("sigtool")
    if not Path(clamd).exists() or sigtool is None:
        raise RuntimeError("clamd and sigtool are needed (apt-get install clamav-daemon clamav)")
    body = subprocess.run([sigtool, "--hex-dump"], input=EICAR, capture_output=True,
                          check=True).stdout.decode().strip()  # fmt: skip
    (folder / "eicar.ndb").write_text(f"{SIGNATURE}:0:*:{body}\n")
    socket_path = folder / "clamd.sock"
    (folder / "clamd.conf").write_text(
        f"DatabaseDirectory {folder}\nLocalSocket {socket_path}\nForeground yes\n"
        f"LogFile {folder / 'clamd.log'}\nStreamMaxLength 50M\n"
    )
    process = subprocess.Popen([clamd, "-c", str(folder / "clamd.conf")],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        while not socket_path.exists():
            if process.poll() is not None or time.monotonic() > deadline:
                log = (folder / "clamd.log").read_text() if (folder / "clamd.log").exists() else ""
                raise RuntimeError(f"clamd did not start: {log[-2000:]}")
            time.sleep(0.05)
        yield str(socket_path)
    finally:
        process.terminate()
        process.wait(10)
