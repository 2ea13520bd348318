"""The draft is saved as it is typed: never lost, never saved over someone else's."""

from __future__ import annotations

import pytest
from django.urls import reverse

from decisions import services
from decisions.forms import ConcordanceFormSet, DecisionForm, action_formset
from decisions.models import Action, Decision
from tests.decisions.records import form_data, start
from tests.helpers import HTMX

pytestmark = pytest.mark.django_db


def autosave(client, item, data):
    url = reverse("decisions:decision_autosave", args=[item.meeting_id, item.pk])
    return client.post(url, data, **HTMX)


def test_typing_saves_the_draft_and_hands_back_the_new_version_and_action_ids(
    clinician_client, item
):
    start(clinician_client, item)
    decision = Decision.objects.get()
    data = form_data(decision, plan="Resect")
    response = autosave(clinician_client, item, data)
    page = response.content.decode()
    decision.refresh_from_db()
    action = Action.objects.get()
    assert "Draft saved at" in page and decision.plan == "Resect"
    assert f'name="version" value="{decision.version}" id="id_version" hx-swap-oob="true"' in page
    assert f'name="actions-0-id" value="{action.pk}"' in page
    assert 'name="actions-INITIAL_FORMS" value="1"' in page
    # The next keystrokes, sent with what the last answer handed back, update that action.
    data.update({"version": str(decision.version), "actions-0-id": str(action.pk),
                 "actions-INITIAL_FORMS": "1", "actions-0-owner": "Dr. Ng", "plan": "Resect after"})  # fmt: skip
    autosave(clinician_client, item, data)
    decision.refresh_from_db()
    assert decision.plan == "Resect after"
    assert list(Action.objects.values_list("owner", flat=True)) == ["Dr. Ng"]
    # A reload shows what was typed.
    reloaded = clinician_client.get(decision.get_absolute_url())
    assert reloaded.context["form"]["plan"].value() == "Resect after"


def test_an_autosave_from_an_older_version_saves_nothing_and_says_so(clinician_client, item):
    start(clinician_client, item)
    decision = Decision.objects.get()
    stale = form_data(decision, plan="Mine")
    autosave(clinician_client, item, form_data(decision, plan="Theirs"))
    response = autosave(clinician_client, item, stale)
    assert "Not saved: someone else saved this draft" in response.content.decode()
    decision.refresh_from_db()
    assert decision.plan == "Theirs"


def test_an_autosave_with_bad_input_names_the_field_and_saves_nothing(clinician_client, item):
    start(clinician_client, item)
    decision = Decision.objects.get()
    before = decision.version
    response = autosave(clinician_client, item, form_data(decision, needed_by="31.02.2026"))
    assert "Not saved yet:" in response.content.decode()
    assert "Needed by: Enter a valid date." in response.content.decode()
    decision.refresh_from_db()
    assert decision.version == before and decision.plan == ""


def test_an_autosave_does_not_remove_actions(clinician_client, item):
    """Removing waits for "Save the draft": a late autosave cannot remove by position."""
    start(clinician_client, item)
    decision = Decision.objects.get()
    clinician_client.post(decision.get_absolute_url(), form_data(decision))
    decision.refresh_from_db()
    action = Action.objects.get()
    data = form_data(decision, **{"actions-0-id": str(action.pk), "actions-INITIAL_FORMS": "1",
                                  "actions-0-DELETE": "on"})  # fmt: skip
    autosave(clinician_client, item, data)
    assert Action.objects.filter(pk=action.pk).exists()
    decision.refresh_from_db()
    data["version"] = str(decision.version)
    clinician_client.post(decision.get_absolute_url(), data)
    assert not Action.objects.filter(pk=action.pk).exists()


def test_a_save_of_a_draft_signed_meanwhile_is_refused_not_an_error(
    clinician_client, clinician, item
):
    """The page was read, the chair signed (the version stays), then the save arrives."""
    start(clinician_client, item)
    decision = Decision.objects.get()
    data = form_data(decision, plan="Typed while the chair signed.")
    read = Decision.objects.get()
    forms = (
        DecisionForm(data, instance=read),
        ConcordanceFormSet(data, queryset=read.concordance.all(), prefix="concordance"),
        action_formset(data, read),
    )
    assert all(f.is_valid() for f in forms)
    Decision.objects.filter(pk=decision.pk).update(
        status="signed", signed_by=clinician,
        signed_at="2026-11-25T10:00:00Z", signature_hash="0" * 64, signature_mac="0" * 64,
    )  # fmt: skip
    with pytest.raises(services.StaleDecision):
        services.save(read, *forms, None)


def test_an_autosave_checks_the_rows_that_changed_and_saves_only_them(clinician_client, item):
    """Rows posted as they are stored are left alone (they were checked when stored); any
    difference goes through the row's form, with its checks and its message."""
    start(clinician_client, item)
    decision = Decision.objects.get()
    autosave(clinician_client, item, form_data(decision))  # every row followed
    decision.refresh_from_db()
    rows = list(decision.concordance.filter(frozen_as="applies").order_by("position"))
    assert len(rows) >= 2
    version = decision.version
    bad_reason = form_data(decision, **{"concordance-0-judgement": "not_followed",
                                        "concordance-0-reason": "999999"})  # fmt: skip
    response = autosave(clinician_client, item, bad_reason).content.decode()
    assert "Not saved yet:" in response and "Reason: Select a valid choice." in response
    plan = form_data(decision)["modalities"]
    unknown = autosave(clinician_client, item, form_data(decision, modalities=[*plan, "999999"]))
    assert "Select a valid choice. 999999 is not one of the available choices." in (
        unknown.content.decode()
    )  # a plan the record does not hold yet is checked against the list
    stranger = form_data(decision, **{"concordance-1-id": "999999"})
    response = autosave(clinician_client, item, stranger).content.decode()
    assert "Not saved yet:" in response and "This row is not part of the record." in response
    decision.refresh_from_db()
    assert decision.version == version  # neither was saved
    changed = form_data(decision, **{"concordance-1-judgement": "not_relevant",
                                     "concordance-1-reason_text": "Done\u202e elsewhere"})  # fmt: skip
    assert "Draft saved at" in autosave(clinician_client, item, changed).content.decode()
    stored = {row.pk: row for row in decision.concordance.all()}
    assert (stored[rows[1].pk].judgement, stored[rows[1].pk].reason_text) == (
        "not_relevant",
        "Done elsewhere",  # the direction control removed, as by the full save
    )
    assert {stored[row.pk].judgement for row in rows if row != rows[1]} == {"followed"}
