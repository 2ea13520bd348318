"""Benchmark: attaching a file of the size limit (ATTACHMENT_MAX_MB) to a case.

One run, REPEATS uploads each (median wall and CPU time of the whole request, through
Django's test client: parsing the multipart body, the content check, storing the file and
its row):
- the floor: writing the same bytes to the storage and hashing them (what any upload must
  do at least);
- the upload of a PDF of the limit, without a virus scan;
- the same with a real clamd scanning it (when clamd and sigtool are installed; a test
  signature database, as in the tests).
Target: each upload under 1 s on this machine. Works in a transaction that is rolled back
and a temporary storage folder: nothing is left behind.

Run after `make setup`:  .venv/bin/python bench/upload.py
"""

from __future__ import annotations

import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
REPEATS = 7
TARGET_SECONDS = 1.0


def _timed(run) -> tuple[float, float]:
    walls, cpus = [], []
    for _ in range(REPEATS):
        wall, cpu = time.perf_counter(), time.process_time()
        run()
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
    return statistics.median(walls), statistics.median(cpus)


def _pdf_of(size: int) -> bytes:
    """A valid one-page PDF of exactly ``size`` bytes: its bulk one stream of random bytes
    (as a scanned report's picture is), the rest a comment before the end."""
    import io

    import pikepdf

    pdf = pikepdf.new()
    pdf.add_blank_page()
    pdf.pages[0].obj.Resources = pikepdf.Dictionary(Scan=pdf.make_stream(os.urandom(size - 16384)))
    out = io.BytesIO()
    pdf.save(out)
    data = out.getvalue()
    head, tail = data[: data.rindex(b"startxref")], data[data.rindex(b"startxref") :]
    filler = size - len(data) - 2
    return head + b"%" + b"x" * filler + b"\n" + tail if filler >= 0 else data


def main() -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ["ALLOWED_HOSTS"] = "testserver"
    media = tempfile.mkdtemp(prefix="bench-media-")
    os.environ["MEDIA_ROOT"] = media
    import django

    django.setup()
    import hashlib

    from django.conf import settings
    from django.contrib.auth.models import Group, User
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.db import transaction
    from django.test import Client
    from django.urls import reverse

    from accounts import roles
    from cases.models import Attachment
    from tests.factories import make_case, make_patient

    size = settings.ATTACHMENT_MAX_MB * 1_048_576
    data = _pdf_of(size)
    rows = []
    try:
        with transaction.atomic():
            user = User.objects.create_user("bench-uploader", password="x" * 16)
            user.groups.add(Group.objects.get(name=roles.CLINICIAN))
            case = make_case(patient=make_patient(mrn="BENCH-UPLOAD"))
            client = Client()
            client.force_login(user)
            url = reverse("cases:attachment_add", args=[case.pk])

            def floor():
                hashlib.sha256(data).hexdigest()
                default_storage.save("bench/floor", ContentFile(data))

            def upload():
                Attachment.objects.filter(case=case).delete()
                response = client.post(url, {
                    "attachment-kind": "radiology_report", "attachment-title": "Limit",
                    "attachment-day": "2026-11-02",
                    "attachment-upload": SimpleUploadedFile("limit.pdf", data),
                }, HTTP_HX_REQUEST="true")  # fmt: skip
                assert response.status_code == 200 and case.attachments.count() == 1, (
                    "the upload was refused"
                )

            rows.append(("floor: store + hash", *_timed(floor)))
            rows.append(("upload, no scan", *_timed(upload)))
            if shutil.which("sigtool") and (
                shutil.which("clamd") or Path("/usr/sbin/clamd").exists()
            ):
                from tests.clamd import running_clamd

                with tempfile.TemporaryDirectory() as folder, running_clamd(Path(folder)) as sock:
                    settings.CLAMAV_SOCKET = sock
                    rows.append(("upload, scanned by clamd", *_timed(upload)))
                    settings.CLAMAV_SOCKET = ""
            transaction.set_rollback(True)
    finally:
        shutil.rmtree(media, ignore_errors=True)
    floor_wall = rows[0][1]
    print(f"Attaching a file of the limit ({settings.ATTACHMENT_MAX_MB} MB), median of "
          f"{REPEATS}; target: each upload < {TARGET_SECONDS:.1f} s")  # fmt: skip
    print(f"{'':28} {'wall ms':>9} {'CPU ms':>9} {'x floor':>8} {'target':>7}")
    for name, wall, cpu in rows:
        ok = "" if name.startswith("floor") else ("met" if wall < TARGET_SECONDS else "MISSED")
        print(f"{name:28} {wall * 1000:9.1f} {cpu * 1000:9.1f} {wall / floor_wall:8.1f} {ok:>7}")


if __name__ == "__main__":
    main()
