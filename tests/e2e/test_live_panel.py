"""The live match panel never loses the last change, whatever else is in flight."""

from __future__ import annotations

import time

from cases import views
from tests.e2e.conftest import log_in


def test_mrn_lookup_does_not_swallow_a_pending_fact_change(site, new_page, monkeypatch):
    # Slow previews down so that the MRN lookup fires while one is still in flight
    # and the next fact change waits in the form's queue. The lookup has its own
    # queue: it must not replace the waiting preview.
    matches = views._matches

    def slow_matches(*args, **kwargs):
        time.sleep(1.0)
        return matches(*args, **kwargs)

    page = new_page()
    log_in(page, site, "clinician")
    page.goto(f"{site}/cases/new/")
    monkeypatch.setattr(views, "_matches", slow_matches)
    with page.expect_response(lambda r: "/cases/patients/lookup/" in r.url):
        page.select_option("select[name=fact_primary_site]", "colorectal")  # preview 1 starts
        page.select_option("select[name=fact_planned_procedure]", "hepatectomy")  # queued
        page.fill("input[name=mrn]", "E2E-LOOKUP")  # lookup fires 400 ms later
    page.wait_for_selector("#match-panel .group-applies #match-pc-counseling", timeout=10_000)
    assert page.console_errors == []
