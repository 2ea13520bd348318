"""The live match panel never loses the last change, whatever else is in flight."""

from __future__ import annotations

import threading

from django.urls import reverse

from guidelines import snapshot
from tests.e2e.browser import log_in


def test_mrn_lookup_does_not_swallow_a_pending_fact_change(site, new_page, monkeypatch):
    # The first preview is held on the server until the MRN lookup has answered, so
    # that the lookup fires while a preview is in flight and the next fact change
    # waits in the form's queue. The lookup has its own queue: it must not replace
    # the waiting preview.
    lookup_answered = threading.Event()
    matches_for = snapshot.matches_for

    def held_matches_for(*args, **kwargs):
        lookup_answered.wait(timeout=10)
        return matches_for(*args, **kwargs)

    page = new_page()
    log_in(page, site, "clinician")
    page.goto(site + reverse("cases:case_create"))
    monkeypatch.setattr(snapshot, "matches_for", held_matches_for)
    with page.expect_response(lambda r: reverse("cases:patient_lookup") in r.url):
        page.select_option("select[name=fact_primary_site]", "colorectal")  # preview 1 starts
        page.select_option("select[name=fact_planned_procedure]", "hepatectomy")  # queued
        page.fill("input[name=mrn]", "E2E-LOOKUP")  # lookup fires 400 ms later
    lookup_answered.set()
    page.wait_for_selector("#match-panel .group-applies #match-pc-counseling", timeout=10_000)
    assert page.console_errors == []
