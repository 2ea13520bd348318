"""Helpers for the decision tests: start a record, and complete form data for it."""

from __future__ import annotations

from django.urls import reverse

PASSWORD = "correct horse battery"  # every test user's


def start(client, item):
    return client.post(reverse("decisions:decision_start", args=[item.meeting_id, item.pk]))


def form_data(decision, **changes) -> dict:
    rows = list(decision.concordance.all())
    data = {
        "version": str(decision.version),
        "outcome": "recommendation",
        "intent": "curative",
        "plan": "Resect after two cycles.",
        "information_needed": "",
        "needed_by": "",
        "patient_preferences": "",
        "dissent": "",
        "concordance-TOTAL_FORMS": str(len(rows)),
        "concordance-INITIAL_FORMS": str(len(rows)),
        "actions-TOTAL_FORMS": "1",
        "actions-INITIAL_FORMS": "0",
        "actions-0-what": "Book liver MRI",
        "actions-0-owner": "Dr. Okafor",
        "actions-0-due": "2026-12-15",
    }
    for n, row in enumerate(rows):
        data[f"concordance-{n}-id"] = str(row.pk)
        data[f"concordance-{n}-judgement"] = "followed"
    data.update(changes)
    return data
