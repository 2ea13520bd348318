"""The board at work: attendance until the quorum is met, meeting mode, a decision with
a recommendation not followed and an action, the chair's signature, a deferral, and the
minutes and the letter that state them."""

from __future__ import annotations

import io
import re

from django.contrib.auth.models import Group, User
from django.core.management import call_command
from django.urls import reverse
from pypdf import PdfReader

from accounts import roles
from cases.models import Case
from decisions import services
from decisions.models import Decision
from meetings import agenda
from meetings.models import BoardMember, Specialty
from tests.e2e.browser import ARTIFACTS, PASSWORD, log_in
from tests.e2e.test_accessibility import serious
from tests.factories import make_case, make_meeting, make_patient

SMOKER = {"primary_site": "colorectal", "planned_procedure": "hepatectomy", "smoker_current": True,
          "liver_metastases": "confirmed", "resectability": "resectable",
          "liver_resection_done": False}  # fmt: skip
CTDNA = "mt-ctdna-resected"


def run_worker(django_db_blocker) -> None:
    with django_db_blocker.unblock():  # the real db_worker, here in the test thread
        call_command(
            "db_worker", "--batch", "--no-startup-delay", "--no-reload",
            stdout=io.StringIO(), stderr=io.StringIO(),
        )  # fmt: skip


def made_document(page, django_db_blocker, kind: str, label: str) -> str:
    """Make a document from its box (``#document-<kind>``), let the worker render it,
    download it, and return its words."""
    page.click(f"#document-{kind} button[type=submit]")
    page.wait_for_selector(f"#document-{kind} .progress")
    run_worker(django_db_blocker)
    page.wait_for_selector(f"text=Download {label}", timeout=30_000)
    with page.expect_download() as download:
        page.click(f"text=Download {label}")
    path = ARTIFACTS / f"{kind}.pdf"
    download.value.save_as(path)
    return " ".join(" ".join(p.extract_text() for p in PdfReader(str(path)).pages).split())


def test_a_meeting_from_attendance_to_signed_minutes_and_letter(site, new_page, django_db_blocker):
    with django_db_blocker.unblock():
        chair = User.objects.create_user("chair", password=PASSWORD, first_name="Mara",
                                         last_name="Okafor")  # fmt: skip
        chair.groups.add(Group.objects.get(name=roles.CLINICIAN))
        surgery, radiology = (
            Specialty.objects.create(name=n) for n in ("HPB surgery", "Radiology")
        )
        dana = make_case(patient=make_patient(mrn="E2E-D", name="Dana Board"), facts=SMOKER,
                         question="Resect now?", status="ready")  # fmt: skip
        ben = make_case(patient=make_patient(mrn="E2E-B", name="Ben Later"), facts=SMOKER,
                        status="ready")  # fmt: skip
        meeting = make_meeting(board_name="E2E HPB board")
        for case in (dana, ben):
            agenda.add_case(meeting, case)
        board = meeting.board
        board.default_chair = chair
        board.save()
        board.required_specialties.set([surgery, radiology])
        BoardMember.objects.create(board=board, user=chair, specialty=surgery, may_sign=True)
        BoardMember.objects.create(
            board=board, user=User.objects.get(username="clinician"), specialty=radiology
        )
        first, second = meeting.agenda_items.order_by("position")

    # --- The coordinator records who is there until the quorum is met. -----------------
    page = new_page()
    log_in(page, site, "coordinator")
    page.goto(site + meeting.get_absolute_url())
    assert "Quorum not met" in page.locator("#attendance").inner_text()
    for member in ("Mara Okafor (HPB surgery)", "Clinician (Radiology)"):
        page.select_option("#attendance select[name=member]", label=member)
        page.click("#attendance button:has-text('Add')")
        page.wait_for_selector(f"#attendance li:has-text('{member.split(' (')[0]}')")
    page.wait_for_selector("#attendance .quorum-met")

    # --- Meeting mode: the board records its decision; the draft saves as it is typed. ---
    page.click("text=Run the meeting")
    page.wait_for_url(re.compile(rf"/run/{first.pk}/$"))
    assert serious(page) == []
    page.click("#record button:has-text('Record the decision')")
    page.wait_for_selector("#record form.decision-form")
    page.check("#record input[name=outcome][value=recommendation]")
    page.check("#record input[name=intent][value=curative]")
    # The plan: a liver MRI and a minor resection; its proposals taken in one click.
    for modality in ("Further imaging", "Hepatic resection, minor"):
        page.check(f"#record label:has-text('{modality}') input")
    page.wait_for_selector("#save-status:has-text('Draft saved at')")
    page.click('#record button:has-text("Take the plan\'s proposals")')
    page.wait_for_selector("text=Took the plan's proposal for 2 recommendations")
    rows = page.locator("#record .concordance-row")
    marked = {}
    for n in range(rows.count()):
        row = rows.nth(n)
        marked[row.locator(".rec-id").inner_text()] = row.locator(
            "input[type=radio]:checked"
        ).get_attribute("value")
    assert marked == {"dx-mri-before-resection": "followed", "si-parenchymal-sparing-crlm": "followed",
                      CTDNA: "", "tp-ablation-not-over-resection-crlm": "",
                      "si-minimally-invasive": ""}  # fmt: skip
    # The chair fixes one (no ctDNA test: the patient's preference) and marks the rest.
    for n in range(rows.count()):
        row = rows.nth(n)
        slug = row.locator(".rec-id").inner_text()
        if slug == CTDNA:
            row.locator("input[value=not_followed]").check()
            row.locator("select").select_option(label="Patient preference")
        elif not marked[slug]:
            row.locator("input[value=followed]").check()
    page.check("#record input[name=pathway][value=yes]")
    page.fill("#record textarea[name=plan]", "Two cycles of systemic therapy, then restage.")
    page.fill("#record input[name=actions-0-what]", "Book liver MRI")
    page.fill("#record input[name=actions-0-owner]", "Dr. Ray")
    page.wait_for_selector("#save-status:has-text('Draft saved at')")
    page.wait_for_load_state("networkidle")
    page.reload()  # the draft survives a reload
    assert page.input_value("#record textarea[name=plan]") == (
        "Two cycles of systemic therapy, then restage."
    )
    assert page.input_value("#record input[name=actions-0-what]") == "Book liver MRI"
    assert serious(page) == []
    page.screenshot(path=str(ARTIFACTS / "meeting-mode.png"), full_page=True)

    # --- The chair signs with the password. -------------------------------------------
    chair_page = new_page()
    log_in(chair_page, site, "chair")
    chair_page.goto(site + reverse("decisions:meeting_mode", args=[meeting.pk, first.pk]))
    assert "Ready to sign" in chair_page.locator("#sign").inner_text()
    assert "sign-disagreements" not in chair_page.content()  # the plan and judgements agree
    assert (
        "Guideline concordance: discordant (patient"
        in chair_page.locator("#concordance-class").inner_text()
    )
    chair_page.check("#sign input[name=sign-meaning]")
    chair_page.fill("#sign input[name=sign-password]", PASSWORD)
    chair_page.click("#sign button:has-text('Sign')")
    chair_page.wait_for_selector("text=Decision signed.")
    assert "Signed by Mara Okafor" in chair_page.content()

    # --- The next case is deferred: it goes back to "ready for a meeting". -------------
    chair_page.keyboard.press("n")
    chair_page.wait_for_url(re.compile(rf"/run/{second.pk}/$"))
    chair_page.click("#record button:has-text('Record the decision')")
    chair_page.check("#record input[name=outcome][value=deferred]")
    chair_page.fill("#record textarea[name=information_needed]", "A liver MRI with contrast.")
    chair_page.click("#record button:has-text('Save the draft')")
    chair_page.wait_for_selector("text=Decision draft saved.")
    chair_page.check("#sign input[name=sign-meaning]")
    chair_page.fill("#sign input[name=sign-password]", PASSWORD)
    chair_page.click("#sign button:has-text('Sign')")
    chair_page.wait_for_selector("text=Decision signed.")
    agenda_text = chair_page.locator(".mode-agenda").inner_text()
    assert "discussed" in agenda_text and "deferred" in agenda_text
    with django_db_blocker.unblock():
        assert Case.objects.get(pk=ben.pk).status == "ready"
        assert Case.objects.get(pk=dana.pk).status == "actions_open"
        signed = Decision.objects.get(agenda_item=first)
        assert signed.concordance.get(recommendation=CTDNA).reason.name == "Patient preference"
        assert signed.classification.klass == "discordant"

    # --- Minutes and letter, made by the worker, state the decision. -------------------
    page.goto(site + meeting.get_absolute_url())
    minutes = made_document(page, django_db_blocker, "minutes", "the minutes")
    for expected in ("Quorum met", "Not followed: Patient preference.", "Book liver MRI",
                     "Signed by Mara Okafor", "A liver MRI with contrast."):  # fmt: skip
        assert expected in minutes, expected
    page.goto(site + reverse("decisions:decision_edit", args=[meeting.pk, first.pk]))
    letter = made_document(page, django_db_blocker, "letter", "the outcome letter")
    for expected in ("Dana Board", "The board departed from 1 guideline recommendation",
                     "Reason: Patient preference.", "Book liver MRI",
                     "Mara Okafor for the E2E HPB board"):  # fmt: skip
        assert expected in letter, expected
    assert page.console_errors == [] and chair_page.console_errors == []


def test_a_button_that_posts_the_record_waits_for_the_autosave_in_flight(
    site, new_page, django_db_blocker, monkeypatch
):
    """A click on "Take the plan's proposals" while the autosave of the last change is still
    on its way must not be refused as "someone else saved meanwhile": both carry the
    draft's version. The autosave's answer is held back on the server for a second, so the
    click lands while it is in flight."""
    import threading
    import time

    from decisions import views

    with django_db_blocker.unblock():
        case = make_case(patient=make_patient(mrn="E2E-R", name="Rita Race"), facts=SMOKER,
                         status="ready")  # fmt: skip
        meeting = make_meeting(board_name="E2E race board")
        agenda.add_case(meeting, case)
        item = meeting.agenda_items.get()
        services.start(item, User.objects.get(username="coordinator"))
    armed, held = threading.Event(), threading.Event()
    real_save = views.services.save

    def slow_save(*args, **kwargs):  # the first save once armed (the autosave's) answers late
        saved = real_save(*args, **kwargs)
        if armed.is_set() and not held.is_set():
            held.set()
            time.sleep(1.5)
        return saved

    monkeypatch.setattr(views.services, "save", slow_save)
    page = new_page()
    log_in(page, site, "coordinator")
    page.goto(site + reverse("decisions:decision_edit", args=[meeting.pk, item.pk]))
    armed.set()
    page.check("input[name=outcome][value=recommendation]")
    page.check("label:has-text('Hepatic resection, minor') input")
    assert held.wait(10), "the autosave did not reach the server"
    page.click('button:has-text("Take the plan\'s proposals")')
    page.wait_for_selector("text=Took the plan's proposal for")
    assert page.locator("text=Someone else saved this decision meanwhile").count() == 0
    with django_db_blocker.unblock():
        decision = Decision.objects.get(agenda_item=item)
        assert decision.outcome == "recommendation"
        assert [m.name for m in decision.modalities.all()] == ["Hepatic resection, minor"]
