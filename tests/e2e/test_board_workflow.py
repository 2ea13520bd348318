"""A clinician enters a case; a coordinator puts it on a meeting and prints the pack."""

from __future__ import annotations

import io
import re

from django.core.management import call_command
from pypdf import PdfReader

from cases.models import Case
from guidelines.models import Recommendation
from meetings.models import Board
from tests.e2e.browser import ARTIFACTS, log_in


def applies_ids(page) -> set[str]:
    cards = page.locator("#match-panel .group-applies article")
    return {cards.nth(i).get_attribute("id") for i in range(cards.count())}


def test_case_entry_to_printed_meeting_pack(site, new_page, django_db_blocker):
    # --- A clinician enters a case and watches the matches change. ---------------
    page = new_page()
    log_in(page, site, "clinician")
    page.click("text=Cases")
    page.click("text=New case")
    page.fill("input[name=mrn]", "E2E-0001")
    page.fill("input[name=patient_name]", "Clara Testpatient")
    page.fill("input[name=date_of_birth]", "1958-04-12")
    page.select_option("select[name=sex]", "female")
    page.fill("input[name=referring_clinician]", "Dr. E2E, surgery")
    page.fill("textarea[name=question]", "Resect the liver metastases now?")
    page.select_option("select[name=fact_primary_site]", "colorectal")
    # no procedure planned yet: counselling waits for it, inside the collapsed group
    page.wait_for_selector("#match-panel .missing-group #match-pc-counseling", state="attached")
    assert "match-pc-counseling" not in applies_ids(page)
    page.select_option("select[name=fact_planned_procedure]", "hepatectomy")
    page.wait_for_selector("#match-panel .group-applies #match-pc-counseling")
    page.check("input[name=fact_smoker_current][value=yes]")
    page.wait_for_selector("#match-panel .group-applies #match-pc-smoking-cessation")
    page.locator("#match-pc-smoking-cessation summary").click()
    assert (
        "Current smoker is Yes: held (case: Yes)"
        in page.locator("#match-pc-smoking-cessation").inner_text()
    )
    page.screenshot(path=str(ARTIFACTS / "case-form.png"), full_page=True)
    page.click("text=Save case")
    page.wait_for_url(re.compile(r"/cases/\d+/$"))  # not /cases/new/
    assert "Case saved." in page.content()
    page.screenshot(path=str(ARTIFACTS / "case-page.png"), full_page=True)
    assert page.console_errors == []
    with django_db_blocker.unblock():
        case = Case.objects.get(patient__mrn="E2E-0001")
        assert case.facts["smoker_current"] is True

    # --- A coordinator puts it on a meeting and makes the pack. ---------------------
    with django_db_blocker.unblock():
        board = Board.objects.create(name="E2E liver board")
    page = new_page()
    log_in(page, site, "coordinator")
    page.click("text=Meetings")
    page.click("text=New meeting")
    page.select_option("select[name=board]", str(board.pk))
    page.fill("input[name=starts_at]", "2026-12-08T07:30")
    page.fill("input[name=place]", "Room 4")
    page.click("text=Save meeting")
    page.wait_for_url(re.compile(r"/meetings/\d+/$"))
    page.select_option("select[name=case]", str(case.pk))
    page.click("text=Add to agenda")
    page.wait_for_selector("#agenda .agenda-item")
    page.click("#pack-status button[type=submit]")
    page.wait_for_selector("#pack-status progress")
    with django_db_blocker.unblock():  # the worker: the real db_worker, here in the test thread
        call_command(
            "db_worker",
            "--batch",
            "--no-startup-delay",
            "--no-reload",
            stdout=io.StringIO(),
            stderr=io.StringIO(),
        )
    page.wait_for_selector("text=Download the meeting pack", timeout=30_000)
    page.screenshot(path=str(ARTIFACTS / "meeting-page.png"), full_page=True)
    with page.expect_download() as download:
        page.click("text=Download the meeting pack")
    pdf = ARTIFACTS / "meeting-pack.pdf"
    download.value.save_as(pdf)
    text = "\n".join(p.extract_text() for p in PdfReader(str(pdf)).pages).replace("\n", " ")
    assert "E2E liver board" in text and "Clara Testpatient" in text
    with django_db_blocker.unblock():
        statement = Recommendation.objects.get(slug="pc-smoking-cessation").statement
    assert statement in text
    assert page.console_errors == []
