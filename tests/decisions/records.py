"""Helpers for the decision tests: start a record, and complete form data for it."""

from __future__ import annotations

from django.urls import reverse

from decisions.models import Modality

PASSWORD = "correct horse battery"  # every test user's


def start(client, item):
    return client.post(reverse("decisions:decision_start", args=[item.meeting_id, item.pk]))


# A typical plan for the test case (conftest ``item``): the MRI and ctDNA it asks for, and
# a minor resection; every board item that applies followed agrees with it.
TYPICAL_PLAN = ("further_imaging", "molecular_testing", "hepatic_resection_minor")


def sign(client, decision, password=PASSWORD, **extra):
    """Post the sign form of ``decision`` as saved (its version), as ``client``'s user."""
    item = decision.agenda_item
    data = {"sign-version": str(decision.version), "sign-password": password,
            "sign-meaning": "on", **extra}  # fmt: skip
    return client.post(reverse("decisions:decision_sign", args=[item.meeting_id, item.pk]), data)


def form_data(decision, **changes) -> dict:
    """A complete record: a typical plan, every board item that applied followed, the care
    pathway (when pathway items applied) followed, one action."""
    rows = list(decision.concordance.filter(frozen_as="applies"))
    plan = Modality.objects.filter(code__in=TYPICAL_PLAN).values_list("pk", flat=True)
    data = {
        "version": str(decision.version),
        "outcome": "recommendation",
        "intent": "curative",
        "plan": "Resect after two cycles.",
        "modalities": [str(pk) for pk in plan],
        "information_needed": "",
        "needed_by": "",
        "patient_preferences": "",
        "dissent": "",
        "pathway": "yes" if decision.shown.get("pathway") else "",
        "pathway_reason": "",
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
