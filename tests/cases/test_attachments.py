"""Reports and key images attached to a case: what is accepted (by content, not by name),
the limits, a real ClamAV daemon refusing the EICAR test file, serving only through the
access-checked view with the read log, the audit of a removal, pseudonymised meetings
holding reports back until released, and key images in the meeting pack."""

from __future__ import annotations

import io
from pathlib import Path

import pikepdf
import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from pghistory.models import Events

from accounts.models import ReadLogEntry
from cases import sections
from cases.models import Attachment
from cases.summary import build_section
from meetings.models import AttachmentRelease
from tests.clamd import EICAR, FOUND, running_clamd
from tests.factories import (
    jpeg_bytes,
    make_attachment,
    make_case,
    make_meeting,
    make_patient,
    make_timepoint,
    pdf_bytes,
    png_bytes,
)
from tests.helpers import HTMX

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _own_storage(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")  # so that each test sees only its own files


def form(upload: bytes, name: str, kind="radiology_report", **fields) -> dict:
    data = {"attachment-kind": kind, "attachment-title": fields.pop("title", "CT report"),
            "attachment-day": fields.pop("day", "2026-09-01"),
            "attachment-upload": SimpleUploadedFile(name, upload)}  # fmt: skip
    if kind == "key_image" and fields.pop("confirmed", True):
        data["attachment-no_identifiers"] = "on"
    data.update({f"attachment-{key}": value for key, value in fields.items()})
    return data


def attach(client, case, upload: bytes, name: str, **fields):
    url = reverse("cases:attachment_add", args=[case.pk])
    return client.post(url, form(upload, name, **fields), **HTMX)


def stored_files() -> set[str]:
    if not default_storage.exists("attachments"):
        return set()
    return set(default_storage.listdir("attachments")[1])


def test_a_report_and_a_key_image_are_attached_and_shown(clinician_client, clinician):
    case = make_case()
    timepoint = make_timepoint(case, "2026-09-01")
    page = attach(clinician_client, case, pdf_bytes(2), "CT 2026-09-01.pdf",
                  timepoint=str(timepoint.pk)).content.decode()  # fmt: skip
    assert "CT report" in page and 'id="attachments"' in page
    page = attach(clinician_client, case, png_bytes(1200, 900), "lesion.png", kind="key_image",
                  title="Segment VIII, arterial phase").content.decode()  # fmt: skip
    report, image = case.attachments.order_by("pk")
    assert (report.content_type, report.timepoint, report.original_name) == (
        "application/pdf", timepoint, "CT 2026-09-01.pdf")  # fmt: skip
    assert (image.content_type, image.no_identifiers, image.created_by) == (
        "image/png", True, clinician)  # fmt: skip
    # Stored under random names, never the uploaded one; a small copy for pages.
    for stored in (report.file.name, image.file.name, image.thumbnail.name):
        assert stored.startswith("attachments/") and "lesion" not in stored and "CT" not in stored
    with image.thumbnail.open("rb") as handle:
        from PIL import Image

        assert max(Image.open(handle).size) == 480
    assert image.get_absolute_url() + "?size=thumbnail" in page
    assert "Segment VIII, arterial phase" in page
    assert Events.objects.filter(pgh_model="cases.AttachmentEvent", pgh_label="insert").count() == 2


@pytest.mark.parametrize(
    ("kind", "upload", "name", "message"),
    [
        ("radiology_report", png_bytes(), "report.pdf",
         "A radiology report must be a PDF; this file is a PNG image."),
        ("key_image", pdf_bytes(), "image.png",
         "A key image must be a PNG image or a JPEG image; this file is a PDF."),
        ("other", b"<html><script>alert(1)</script></html>", "image.png",
         "This is not a PDF, PNG or JPEG file (its content was checked, not its name)."),
        ("key_image", png_bytes()[:60], "cut.png", "The file starts like an image but cannot be read."),
        ("key_image", jpeg_bytes()[:200], "cut.jpg", "The file starts like an image but cannot be read."),
        ("pathology_report", b"%PDF-1.7\nnot really", "p.pdf",
         "The file starts like a PDF but is not one that can be read."),
        ("letter", b"", "empty.pdf", "The submitted file is empty."),
    ],
)  # fmt: skip
def test_the_type_is_read_from_the_content_and_a_bad_file_is_refused_next_to_the_field(
    clinician_client, kind, upload, name, message, monkeypatch
):
    from PIL import ImageFile

    # As WeasyPrint sets it for the whole process once it has been imported.
    monkeypatch.setattr(ImageFile, "LOAD_TRUNCATED_IMAGES", True)
    case = make_case()
    page = attach(clinician_client, case, upload, name, kind=kind).content.decode()
    assert message in page
    assert 'id="field-upload"' in page and "has-error" in page.split('id="field-upload"')[0][-80:]
    assert not case.attachments.exists() and not stored_files()


def test_a_password_protected_pdf_is_refused_with_the_reason(clinician_client):
    out = io.BytesIO()
    pdf = pikepdf.new()
    pdf.add_blank_page()
    pdf.save(out, encryption=pikepdf.Encryption(owner="o", user="u"))
    page = attach(clinician_client, make_case(), out.getvalue(), "locked.pdf").content.decode()
    assert "The PDF is protected by a password" in page


def test_a_key_image_must_be_said_to_show_no_identifiers(clinician_client):
    case = make_case()
    page = attach(clinician_client, case, jpeg_bytes(), "k.jpg", kind="key_image",
                  confirmed=False).content.decode()  # fmt: skip
    assert "Confirm that the image shows no name, hospital number or date of birth." in page
    assert not case.attachments.exists()


def test_the_limits_per_file_and_per_case(clinician_client, settings):
    settings.ATTACHMENT_MAX_MB = 1
    settings.ATTACHMENT_CASE_MAX_MB = 2
    case = make_case()
    big = pdf_bytes() + b"%" * 1_100_000  # a valid PDF with trailing bytes
    page = attach(clinician_client, case, big, "big.pdf").content.decode()
    assert "The file is 1.1 MB: at most 1 MB a file." in page
    almost = pdf_bytes() + b"%" * 900_000
    for _ in range(2):
        assert attach(clinician_client, case, almost, "a.pdf").status_code == 200
    page = attach(clinician_client, case, almost, "a.pdf").content.decode()
    assert "The attachments of this case use 1.7 MB of 2 MB: remove one before adding more." in page
    assert case.attachments.count() == 2 and len(stored_files()) == 2


def test_files_are_served_only_through_the_view_with_the_read_log(
    clinician_client, client, django_user_model
):
    case = make_case()
    report = make_attachment(case, original_name='CT "liver"/1.pdf')
    url = reverse("cases:attachment_file", args=[case.pk, report.pk])
    response = clinician_client.get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"%PDF-")
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cache-Control"] == "private, no-store"
    assert response["Content-Disposition"] == 'inline; filename="CT liver1.pdf"'
    entry = ReadLogEntry.objects.get(kind="attachment")
    assert (entry.case_id, entry.path) == (case.pk, url)
    # Another case's number in the address finds nothing.
    other = make_case(patient=make_patient(mrn="MRN-0002"))
    assert (
        clinician_client.get(
            reverse("cases:attachment_file", args=[other.pk, report.pk])
        ).status_code
        == 404
    )
    # The storage is not under any URL of the app.
    assert client.get("/media/" + report.file.name).status_code in (302, 404)


def test_removing_keeps_the_audit_event_and_the_files_go_after_the_commit(
    clinician_client, django_capture_on_commit_callbacks
):
    case = make_case()
    image = make_attachment(case, kind="key_image", data=png_bytes(), title="Key")
    names = {Path(image.file.name).name, Path(image.thumbnail.name).name}
    assert names <= stored_files()
    url = reverse("cases:attachment_remove", args=[case.pk, image.pk])
    with django_capture_on_commit_callbacks(execute=True):
        page = clinician_client.post(url, **HTMX).content.decode()
    assert "No reports or images attached." in page
    assert not Attachment.objects.filter(pk=image.pk).exists()
    assert not names & stored_files()
    deleted = Events.objects.get(pgh_model="cases.AttachmentEvent", pgh_label="delete")
    assert deleted.pgh_data["title"] == "Key"
    history = clinician_client.get(case.get_absolute_url()).content.decode()
    assert "Attachment removed" in history


@pytest.fixture(scope="module")
def clamd_socket(tmp_path_factory):
    with running_clamd(tmp_path_factory.mktemp("clamd")) as socket_path:
        yield socket_path


def test_a_real_clamd_refuses_the_eicar_file_and_passes_a_clean_one(
    clinician_client, settings, clamd_socket
):
    settings.CLAMAV_SOCKET = clamd_socket
    case = make_case()
    # EICAR inside a PDF's bytes: the type check passes it, the scanner must not.
    infected = pdf_bytes() + b"\n" + EICAR
    page = attach(clinician_client, case, infected, "report.pdf").content.decode()
    assert f"The virus scanner found {FOUND} in this file. It was not saved." in page
    assert not case.attachments.exists() and not stored_files()
    # The EICAR file itself: the scanner speaks first (before the type check would).
    page = attach(clinician_client, case, EICAR, "eicar.pdf").content.decode()
    assert f"The virus scanner found {FOUND} in this file. It was not saved." in page
    attach(clinician_client, case, pdf_bytes(), "clean.pdf")
    assert case.attachments.get().scanned is True


def test_a_file_that_cannot_be_scanned_is_refused(clinician_client, settings, tmp_path):
    settings.CLAMAV_SOCKET = str(tmp_path / "no-such.sock")
    case = make_case()
    page = attach(clinician_client, case, pdf_bytes(), "clean.pdf").content.decode()
    assert "could not be checked for viruses" in page
    assert not case.attachments.exists()


def test_a_pseudonymised_meeting_holds_reports_back_until_the_coordinator_releases_them(
    client, clinician, coordinator
):
    case = make_case()
    report = make_attachment(case, title="MRI report")
    make_attachment(case, kind="key_image", title="Key image one")
    meeting = make_meeting([case], pseudonymise=True)
    item = meeting.agenda_items.get()
    url = reverse("decisions:meeting_mode", args=[meeting.pk, item.pk])
    client.force_login(clinician)
    page = client.get(url).content.decode()
    assert "Key image one" in page and "MRI report" not in page
    assert "1 attachment held back" in page and "Release for this meeting" not in page
    release = reverse("decisions:attachment_release", args=[meeting.pk, item.pk])
    assert client.post(release, {"attachment": report.pk}).status_code == 404
    client.force_login(coordinator)
    assert "Release for this meeting" in client.get(url).content.decode()
    client.post(release, {"attachment": [report.pk, "x"]})
    assert AttachmentRelease.objects.get().released_by == coordinator
    page = client.get(url).content.decode()
    assert "MRI report" in page and "held back" not in page
    # Not pseudonymised: everything is shown.
    plain = make_meeting([case])
    page = client.get(
        reverse("decisions:meeting_mode", args=[plain.pk, plain.agenda_items.get().pk])
    ).content.decode()
    assert "MRI report" in page and "Key image one" in page


def test_the_case_page_and_meeting_mode_take_the_same_queries_for_one_or_many(
    clinician_client,
):
    case = make_case()
    meeting = make_meeting([case])
    pages = [case.get_absolute_url(),
             reverse("decisions:meeting_mode", args=[meeting.pk, meeting.agenda_items.get().pk])]  # fmt: skip
    clinician_client.get(case.get_absolute_url())  # (the first request of a session sets it up)
    counts = []
    for extra in (1, 8):
        for n in range(extra - case.attachments.count()):
            make_attachment(case, kind="key_image" if n % 2 else "radiology_report", title=f"A{n}")
        found = []
        for url in pages:
            with CaptureQueriesContext(connection) as queries:
                assert clinician_client.get(url).status_code == 200
            found.append(len(queries))
        counts.append(found)
    assert counts[0] == counts[1]


def test_key_images_are_printed_in_the_section_when_the_meeting_chooses(tmp_path):
    case = make_case()
    image = make_attachment(case, kind="key_image", data=png_bytes(2400, 1800), title="Seg VIII")
    plain = sections.prepare(build_section(case, 1, pseudonymise=False))
    printed = sections.prepare(build_section(case, 1, pseudonymise=False, key_images=[image]))
    assert plain.key != printed.key and "Seg VIII" in printed.html
    pdf_data, _ = sections.lay_out(printed)
    with pikepdf.open(io.BytesIO(pdf_data)) as pdf:
        found = {obj.objgen: obj for page in pdf.pages for obj in page.get_images().values()}
        images = [pikepdf.PdfImage(obj) for obj in found.values()]
    # The picture, cut to at most 1600 pixels on its longer side for print.
    assert [(i.width, i.height) for i in images] == [(1600, 1200)]
