"""Case pages as clinicians use them: small screens, the Why, groups, an ended session,
and the keyboard on the agenda (Chromium)."""

from __future__ import annotations

import re
import time

from django.contrib.sessions.models import Session
from django.urls import reverse

from cases.models import Case
from tests.e2e.browser import ARTIFACTS, log_in
from tests.factories import make_case, make_meeting, make_patient


def _start_case(page, site, mrn="E2E-0100"):
    page.goto(site + reverse("cases:case_create"))
    page.fill("input[name=mrn]", mrn)
    page.fill("input[name=patient_name]", "Maria Smallscreen")
    page.fill("input[name=date_of_birth]", "1961-02-03")
    page.select_option("select[name=sex]", "female")
    page.fill("input[name=referring_clinician]", "Dr. Phone")
    page.fill("textarea[name=question]", "Resect or treat first?")


def _wait_until(page, expression: str, timeout: float = 5.0) -> None:
    """Poll with page.evaluate: the CSP forbids the eval that wait_for_function uses."""
    deadline = time.monotonic() + timeout
    while not page.evaluate(expression):
        assert time.monotonic() < deadline, f"timed out waiting for {expression}"
        page.wait_for_timeout(50)


def _tab_to(page, name: str, most: int = 12) -> None:
    """Press Tab until the field of that name has the focus (a date input takes a Tab per
    part in Chromium), as someone using the keyboard does."""
    for _ in range(most):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.name") == name:
            return
    raise AssertionError(f"{name} was not reached with Tab")


def _no_horizontal_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


def test_at_390_px_the_pages_need_no_horizontal_scrolling(site, new_page, django_db_blocker):
    with django_db_blocker.unblock():
        case = make_case(
            patient=make_patient(mrn="E2E-0200", name="Nora Narrowscreen-Longname"),
            facts={"primary_site": "colorectal", "planned_procedure": "hepatectomy"},
        )
    page = new_page()
    page.set_viewport_size({"width": 390, "height": 844})
    log_in(page, site, "clinician")
    for path in (
        reverse("cases:case_list"),
        reverse("cases:case_create"),
        case.get_absolute_url(),
        reverse("cases:case_edit", args=[case.pk]),
    ):
        page.goto(site + path)
        name = path.strip("/").replace("/", "-") or "home"
        page.screenshot(path=str(ARTIFACTS / f"390px-{name}.png"), full_page=True)
        assert _no_horizontal_scroll(page), path
    page.goto(site + reverse("cases:case_create"))
    matches = page.locator("a.to-matches")
    assert matches.is_visible()  # the panel is reachable without scrolling past the form
    matches.click()
    assert page.evaluate("location.hash") == "#match-panel"


def test_the_grouped_may_apply_and_an_open_why_survive_a_refresh(site, new_page):
    page = new_page()
    log_in(page, site, "clinician")
    _start_case(page, site)
    page.select_option("select[name=fact_primary_site]", "colorectal")
    group = page.locator("#match-panel details.missing-group", has_text="Planned procedure")
    group.wait_for()
    assert not group.evaluate("d => d.open")  # collapsed: one line, not 17 cards
    group.locator(":scope > summary").click()
    page.locator("#match-pc-counseling").wait_for()
    page.locator("#why-mt-ctdna-resected summary").click()
    assert page.locator("#why-mt-ctdna-resected").evaluate("d => d.open")
    page.select_option("select[name=fact_resectability]", "resectable")  # a refresh
    page.wait_for_selector("#match-panel .group-applies #match-mt-ctdna-resected")
    assert page.locator("#why-mt-ctdna-resected").evaluate("d => d.open")
    assert page.locator(
        "#match-panel details.missing-group", has_text="Planned procedure"
    ).evaluate("d => d.open")
    assert "Any of these" in page.locator("#why-mt-ctdna-resected").inner_text()
    assert page.console_errors == []


def test_an_ended_session_keeps_what_was_typed_and_saves_after_a_new_login(
    site, new_page, django_db_blocker
):
    page = new_page()
    log_in(page, site, "clinician")
    _start_case(page, site, mrn="E2E-0300")
    page.select_option("select[name=fact_primary_site]", "colorectal")
    page.wait_for_selector("#match-mt-cgp-unresectable", state="attached")
    with django_db_blocker.unblock():
        Session.objects.all().delete()  # the session ends while the clinician types
    page.focus("select[name=fact_planned_procedure]")
    page.select_option("select[name=fact_planned_procedure]", "hepatectomy")
    page.wait_for_selector("#session-notice >> text=Your session has ended")
    assert page.locator("#match-panel").is_visible()  # no login page swapped into the panel
    assert page.evaluate("document.activeElement.name") == "fact_planned_procedure"
    page.screenshot(path=str(ARTIFACTS / "session-ended.png"), full_page=True)

    # Saving now keeps everything on the page and says so again.
    page.click("text=Save case")
    page.wait_for_selector("#session-notice >> text=Your session has ended")
    assert page.input_value("input[name=patient_name]") == "Maria Smallscreen"

    # Log in again in another tab, come back, save: what was typed is saved.
    other = page.context.new_page()
    log_in(other, site, "clinician")
    other.close()
    page.click("text=Save case")
    page.wait_for_url(re.compile(r"/cases/\d+/$"))
    with django_db_blocker.unblock():
        case = Case.objects.get(patient__mrn="E2E-0300")
        assert case.facts["planned_procedure"] == "hepatectomy"
        assert case.question == "Resect or treat first?"


def test_after_moving_an_agenda_item_focus_stays_on_its_button(site, new_page, django_db_blocker):
    with django_db_blocker.unblock():
        first = make_case(patient=make_patient(mrn="E2E-0401", name="First Patient"))
        second = make_case(patient=make_patient(mrn="E2E-0402", name="Second Patient"))
        meeting = make_meeting([first, second])
    page = new_page()
    log_in(page, site, "coordinator")
    page.goto(site + meeting.get_absolute_url())
    page.focus(f"button[aria-label='Move case {first.pk} down']")
    page.keyboard.press("Enter")
    page.wait_for_selector(f"#agenda li:first-child >> text=Case {second.pk}")
    # The moved case is now last, so "down" is disabled: focus is on its "up" button.
    focused = "document.activeElement && document.activeElement.getAttribute('aria-label')"
    _wait_until(page, f"{focused} === 'Move case {first.pk} up'")
    page.keyboard.press("Enter")
    page.wait_for_selector(f"#agenda li:first-child >> text=Case {first.pk}")
    _wait_until(page, f"{focused} === 'Move case {first.pk} down'")


def test_the_liver_map_starts_a_lesion_from_the_keyboard(site, new_page, django_db_blocker):
    from tests.e2e.test_accessibility import serious
    from tests.factories import make_lesion

    with django_db_blocker.unblock():
        case = make_case(facts={"primary_site": "colorectal", "cea_ng_ml": 240})
        make_lesion(case, segments=["VI"], diameter_mm=30)
    page = new_page()
    log_in(page, site, "clinician")
    page.goto(site + case.get_absolute_url())
    assert serious(page) == []
    segment = page.locator('.liver-map a[href="?segment=VIII#add-lesion"]')
    segment.focus()
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"\?segment=VIII#add-lesion$"))
    assert page.is_checked("#add-lesion input[value=VIII]")
    page.fill("#add-lesion input[name=new-diameter_mm]", "55")
    page.click("#add-lesion button[type=submit]")
    page.wait_for_selector("#lesions h2:has-text('Liver lesions (2)')")
    # The map, the facts and the scores followed in place.
    assert "Segment VIII: lesion 2" in page.locator(".liver-map").inner_html()
    assert "55 mm" in page.locator("#known-facts").inner_text()
    assert "Tumour burden score" in page.locator("#scores").inner_text()
    assert serious(page) == []
    page.locator("#lesions").screenshot(path=str(ARTIFACTS / "lesions.png"))
    assert page.console_errors == []


def test_a_restaging_is_added_from_the_keyboard_in_under_a_minute(
    site, new_page, django_db_blocker
):
    """Baseline 50 + 30 mm (targets); a restaging typed with the keyboard alone gives the
    response with its arithmetic: 30 + 22 = 52 mm, −35 %: PR."""
    import datetime

    from tests.e2e.test_accessibility import serious
    from tests.factories import make_lesion

    with django_db_blocker.unblock():
        case = make_case(patient=make_patient(mrn="E2E-0300"), facts={"primary_site": "colorectal"})
        for segments, size in ((["VIII"], 50), (["V"], 30)):
            make_lesion(case, segments=segments, diameter_mm=size, imaging="ct",
                        imaging_date=datetime.date(2026, 6, 1), target=True)  # fmt: skip
    page = new_page()
    log_in(page, site, "clinician")
    page.goto(site + case.get_absolute_url())
    started = time.monotonic()
    page.locator("#add-imaging").focus()
    page.keyboard.press("Enter")  # opens the form, the focus in its first field
    page.wait_for_selector("#imaging-form")
    _wait_until(page, "document.activeElement.name === 'imaging-day'")
    page.keyboard.type("09012026")
    _tab_to(page, "imaging-modality")
    page.keyboard.type("CT")
    first, second = (f"imaging-lesion-{pk}-mm" for pk in case.lesions.order_by("number")
                     .values_list("pk", flat=True))  # fmt: skip
    _tab_to(page, first)
    page.keyboard.type("30")
    _tab_to(page, second)
    page.keyboard.type("22")
    page.keyboard.press("Enter")  # submits the form in place
    page.wait_for_selector("#course td.response:has-text('PR')")
    assert time.monotonic() - started < 60
    course = page.locator("#course").inner_text()
    assert "SoD 52 mm, baseline 80 mm: −35 %: PR" in course
    assert "Partial response (PR)" in page.locator("#known-facts").inner_text()
    assert serious(page) == []
    page.locator("#course").screenshot(path=str(ARTIFACTS / "course.png"))
    assert page.console_errors == []
