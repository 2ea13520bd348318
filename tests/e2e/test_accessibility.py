"""axe-core on the main pages: no serious or critical accessibility violations."""

from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.urls import reverse

from decisions import services
from tests.e2e.browser import log_in
from tests.factories import make_case, make_meeting


def serious(page) -> list[str]:
    results = Axe().run(page)
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:3]}"
        for v in results.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]


@pytest.fixture
def meeting(site, django_db_blocker):
    with django_db_blocker.unblock():
        case = make_case(facts={"primary_site": "colorectal", "planned_procedure": "hepatectomy"})
        meeting = make_meeting([case])
        services.start(meeting.agenda_items.get(), None)  # a decision record (a draft)
        return meeting


def test_login_page(site, new_page):
    page = new_page()
    page.goto(site + reverse("login"))
    assert serious(page) == []
    page.click("button[type=submit]")  # nothing typed: each field says what is missing
    page.wait_for_selector("#id_username_error")
    assert serious(page) == []


def test_case_form_case_page_and_meeting_page(site, new_page, meeting):
    page = new_page()
    log_in(page, site, "coordinator")
    item = meeting.agenda_items.get()
    case = item.case
    for path in (
        reverse("cases:case_create"),
        case.get_absolute_url(),
        meeting.get_absolute_url(),
        reverse("decisions:decision_edit", args=[meeting.pk, item.pk]),
        reverse("cases:case_list"),
        reverse("guidelines:library"),
        reverse("quality:dashboard"),
        reverse("meetings:calendar"),
        reverse("api_tokens"),
        reverse("interop:fhir_import"),
    ):
        page.goto(site + path)
        assert serious(page) == [], path
    assert page.console_errors == []
