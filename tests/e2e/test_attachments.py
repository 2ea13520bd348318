"""Reports and images at the table, and readiness, in a real browser (Chromium): a
clinician attaches a report and a key image, a disguised file and the EICAR test file are
refused (a real clamd), the key image opens full size in meeting mode, and a coordinator
sees which case is not ready and why."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.clamd import EICAR, running_clamd
from tests.e2e.browser import ARTIFACTS, log_in
from tests.factories import make_case, make_meeting, make_patient, pdf_bytes, png_bytes


@pytest.fixture
def clamd(settings, tmp_path):
    with running_clamd(tmp_path) as socket_path:
        settings.CLAMAV_SOCKET = socket_path
        yield


# No htmx request, swap or settle under way: the region's new links are wired (a click
# on a link htmx has not processed yet is a plain navigation, slow under load).
HTMX_IDLE = "() => !document.querySelector('.htmx-request, .htmx-swapping, .htmx-settling')"


def _attach(page, kind, title, name, data, mime, confirm=False):
    page.wait_for_function(HTMX_IDLE)
    page.click("#add-attachment")
    page.wait_for_selector("#attachment-form")
    page.select_option("select[name=attachment-kind]", kind)
    page.fill("input[name=attachment-title]", title)
    page.fill("input[name=attachment-day]", "2026-11-02")
    page.set_input_files("input[name=attachment-upload]",
                         files=[{"name": name, "mimeType": mime, "buffer": data}])  # fmt: skip
    if confirm:
        page.check("input[name=attachment-no_identifiers]")
    page.click("#attachment-form button[type=submit]")


def test_attach_refuse_and_show_at_the_meeting(site, new_page, django_db_blocker, clamd):
    with django_db_blocker.unblock():
        case = make_case(patient=make_patient(mrn="E2E-0700", name="Ines Imaged"))
        meeting = make_meeting([case], starts_at=timezone.now() + datetime.timedelta(days=2))
        item = meeting.agenda_items.get()
    page = new_page()
    log_in(page, site, "clinician")
    page.goto(site + case.get_absolute_url())
    _attach(page, "radiology_report", "CT report", "ct.pdf", pdf_bytes(), "application/pdf")
    page.wait_for_selector("#attachments .attachment-table a:has-text('CT report')")
    _attach(page, "key_image", "Segment VIII", "key.png", png_bytes(800, 600), "image/png",
            confirm=True)  # fmt: skip
    page.wait_for_selector("#attachments img[alt='Segment VIII']")
    # A web page named .png, and the EICAR file: refused next to the field, nothing saved.
    _attach(page, "key_image", "Disguised", "x.png", b"<html><script>1</script></html>",
            "image/png", confirm=True)  # fmt: skip
    page.wait_for_selector("#id_attachment-upload_error")
    assert "This is not a PDF, PNG or JPEG file" in page.inner_text("#id_attachment-upload_error")
    page.click("#attachment-form a:has-text('Cancel')")
    page.wait_for_selector("#add-attachment")
    _attach(page, "radiology_report", "Infected", "eicar.pdf", EICAR, "application/pdf")
    page.wait_for_selector("#id_attachment-upload_error")
    assert "The virus scanner found" in page.inner_text("#id_attachment-upload_error")
    assert "Disguised" not in page.inner_text("#attachments .thumbnails")
    # In meeting mode the key image opens full size in the page.
    page.goto(site + reverse("decisions:meeting_mode", args=[meeting.pk, item.pk]))
    page.click("#mode-attachments a.open-image")
    page.wait_for_selector("#mode-attachments dialog[open] img")
    width = page.evaluate("document.querySelector('#mode-attachments dialog img').naturalWidth")
    assert width == 800
    page.screenshot(path=str(ARTIFACTS / "meeting-mode-key-image.png"))
    assert page.console_errors == []


def test_a_coordinator_sees_a_case_not_ready_and_why(site, new_page, django_db_blocker):
    with django_db_blocker.unblock():
        case = make_case(patient=make_patient(mrn="E2E-0701", name="Nils Notready"))
        make_meeting([case], starts_at=timezone.now() + datetime.timedelta(days=2))
    page = new_page()
    log_in(page, site, "coordinator")
    page.goto(site + reverse("meetings:meeting_list"))
    page.click("text=Cases not ready for the coming meetings")
    row = page.locator("tr:has-text('Nils Notready')")
    assert "Not ready" in row.inner_text()
    missing = "Liver imaging (CT or MRI) within 56 days of the meeting "
    assert missing + "(no CT or MRI recorded by then)" in row.inner_text()
    assert page.console_errors == []
