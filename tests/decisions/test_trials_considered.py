"""The record's trials considered: the possible candidates frozen with it, the board's
answer for each, what signing asks, and that a signed answer is final."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, transaction

from decisions import services, signing
from decisions.models import Decision, Modality
from tests.decisions.records import form_data, sign, start
from tests.factories import liver
from trials.models import Criterion, Trial

pytestmark = pytest.mark.django_db


@pytest.fixture
def trials(db):
    """One trial the item's colorectal case is a possible candidate for, one it is not."""
    made = []
    for identifier, rule in (("NCT-CRC", "primary_site = colorectal"),
                             ("NCT-NET", "primary_site = neuroendocrine")):  # fmt: skip
        trial = Trial.objects.create(
            area=liver(), identifier=identifier, title=f"{identifier} study"
        )
        Criterion.objects.create(trial=trial, kind="inclusion", text="Primary", rule=rule)
        Criterion.objects.create(trial=trial, kind="inclusion", text="Consent", rule="", position=2)
        made.append(trial)
    return made


def answered(decision, offered="", reason="", reason_text="", **changes) -> dict:
    rows = list(decision.trials.all())
    data = form_data(decision, **changes)
    data |= {"trials-TOTAL_FORMS": str(len(rows)), "trials-INITIAL_FORMS": str(len(rows))}
    for n, row in enumerate(rows):
        data |= {f"trials-{n}-id": str(row.pk), f"trials-{n}-offered": offered,
                 f"trials-{n}-reason": reason, f"trials-{n}-reason_text": reason_text}  # fmt: skip
    return data


def test_the_record_lists_the_possible_candidates_as_they_screened(clinician_client, item, trials):
    start(clinician_client, item)
    decision = Decision.objects.get()
    [row] = decision.trials.all()
    assert (row.trial_identifier, row.title, row.offered) == ("NCT-CRC", "NCT-CRC study", "")
    assert row.screening == "possible candidate: 1 met, 1 check by hand"
    page = clinician_client.get(decision.get_absolute_url()).content.decode()
    assert "Trials considered (1)" in page and "NCT-CRC" in page


def test_signing_asks_for_an_answer_and_a_reason_for_each_trial_not_offered(
    clinician_client, chair_client, item, trials
):
    start(clinician_client, item)
    decision = Decision.objects.get()
    url = decision.get_absolute_url()
    clinician_client.post(url, answered(decision))
    decision = Decision.objects.get()
    assert (
        "Say whether each trial considered was offered (1 not answered yet)."
        in signing.problems(decision)
    )
    clinician_client.post(url, answered(decision, offered="not_offered"))
    decision = Decision.objects.get()
    assert "Give the reason for each trial not offered." in signing.problems(decision)
    clinician_client.post(url, answered(decision, offered="not_offered", reason="other"))
    decision = Decision.objects.get()
    assert (
        "Say in words why a trial was not offered, where the reason is “other”."
        in signing.problems(decision)
    )
    clinician_client.post(url, answered(decision, offered="not_offered", reason="declined"))
    decision = Decision.objects.get()
    assert signing.problems(decision) == []
    assert sign(chair_client, decision).status_code == 302
    decision = Decision.objects.get()
    assert signing.content(decision)["trials"] == [
        [
            "NCT-CRC",
            "NCT-CRC study",
            "possible candidate: 1 met, 1 check by hand",
            "not_offered",
            "declined",
            "",
        ]
    ]  # signed with the record
    row = decision.trials.get()
    with pytest.raises(IntegrityError, match="is signed"), transaction.atomic():
        type(row).objects.filter(pk=row.pk).update(offered="offered", reason="")
    amendment = services.amend(decision, decision.signed_by, "The patient changed their mind.")
    assert list(amendment.trials.values_list("trial_identifier", "reason")) == [
        ("NCT-CRC", "declined")
    ]


def test_a_trial_offered_asks_for_the_trial_referral_in_the_plan(clinician_client, item, trials):
    start(clinician_client, item)
    decision = Decision.objects.get()
    clinician_client.post(decision.get_absolute_url(), answered(decision, offered="offered"))
    decision = Decision.objects.get()
    assert decision.trials.get().reason == ""
    assert (
        "NCT-CRC offered, but the plan does not include “Clinical trial referral”"
        in decision.disagreements()
    )
    referral = Modality.objects.get(code="clinical_trial_referral")
    data = answered(decision, offered="offered")
    data["modalities"] = [*data["modalities"], str(referral.pk)]
    clinician_client.post(decision.get_absolute_url(), data)
    assert not any("offered" in d for d in Decision.objects.get().disagreements())


def test_showing_the_case_again_keeps_answers_and_drops_trials_no_longer_screened(
    clinician_client, item, trials
):
    start(clinician_client, item)
    decision = Decision.objects.get()
    clinician_client.post(decision.get_absolute_url(), answered(decision, offered="offered"))
    # (an update in SQL is an audited change too: the list is read again)
    trials[1].criteria.filter(text="Primary").update(rule="primary_site = colorectal")
    services.freeze(Decision.objects.get())
    rows = dict(Decision.objects.get().trials.values_list("trial_identifier", "offered"))
    assert rows == {"NCT-CRC": "offered", "NCT-NET": ""}
    Trial.objects.filter(identifier="NCT-CRC").update(status="COMPLETED")
    services.freeze(Decision.objects.get())
    assert list(Decision.objects.get().trials.values_list("trial_identifier", flat=True)) == [
        "NCT-NET"
    ]


def test_a_page_opened_before_trials_were_screened_still_saves(clinician_client, item, trials):
    """Its form has no trials part: the draft is saved, the trials' answers left as they are."""
    start(clinician_client, item)
    decision = Decision.objects.get()
    response = clinician_client.post(decision.get_absolute_url(), form_data(decision, plan="Kept"))
    assert response.status_code == 302 and Decision.objects.get().plan == "Kept"
