"""The record's concordance as the chair meets it: proposals from the plan taken in one
click, pending items and the pathway line, disagreements confirmed before signing, the
class signed with the record and changed only by an amendment, an autosave whose queries
do not grow with the rows."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from decisions import services, signing
from decisions.models import Classification, Concordance, Decision, Modality, NotFollowedReason
from tests.decisions.records import form_data, sign, start
from tests.helpers import HTMX

pytestmark = pytest.mark.django_db

MRI, CTDNA = "dx-mri-before-resection", "mt-ctdna-resected"
ABLATION_NOT_OVER_RESECTION = "tp-ablation-not-over-resection-crlm"
SPARING = "si-parenchymal-sparing-crlm"


def url(name, item):
    return reverse(f"decisions:{name}", args=[item.meeting_id, item.pk])


def modalities(*codes) -> list[str]:
    return [str(pk) for pk in Modality.objects.filter(code__in=codes).values_list("pk", flat=True)]


def unmarked(decision, **changes) -> dict:
    """The form with every judged row not marked yet."""
    data = form_data(decision, **changes)
    for key in [k for k in data if k.startswith("concordance-") and k.endswith("-judgement")]:
        data[key] = ""
    return data


def judgements(decision) -> dict[str, str]:
    return dict(decision.concordance.filter(frozen_as="applies").values_list(
        "recommendation", "judgement"))  # fmt: skip


def test_the_board_items_are_judged_the_pending_ones_listed_the_pathway_one_line(
    clinician_client, item
):
    start(clinician_client, item)
    decision = Decision.objects.get()
    rows = {r.recommendation: r for r in decision.concordance.all()}
    # The five board items that apply (conftest); the pathway items are not rows.
    assert {slug for slug, r in rows.items() if r.frozen_as == "applies"} == {
        MRI, CTDNA, ABLATION_NOT_OVER_RESECTION, SPARING, "si-minimally-invasive",
    }  # fmt: skip
    pathway = [slug for slug, _ in decision.shown["pathway"]]
    assert "pc-smoking-cessation" in pathway and not set(pathway) & set(rows)
    # A pending row names the facts that would decide it, and is not judged.
    pending = [r for r in rows.values() if r.frozen_as == "pending"]
    assert pending and all(r.pending_on and not r.judgement for r in pending)
    page = clinician_client.get(decision.get_absolute_url()).content.decode()
    assert f"May apply: decided by facts not known ({len(pending)})" in page
    assert "Perioperative care" in page and 'name="pathway"' in page


def test_one_click_takes_the_plans_proposals_and_the_chair_fixes_one(clinician_client, item):
    start(clinician_client, item)
    decision = Decision.objects.get()
    # The plan: a liver MRI and a minor resection; nothing marked yet.
    data = unmarked(decision, modalities=modalities("further_imaging", "hepatic_resection_minor"))
    response = clinician_client.post(url("decision_accept_proposals", item), data, follow=True)
    assert "Took the plan&#x27;s proposal for 2 recommendations" in response.content.decode()
    decision.refresh_from_db()
    # MRI: the plan carries further imaging; parenchymal-sparing: a minor resection.
    # ctDNA (molecular testing), ablation not over resection, minimally invasive: the
    # plan says nothing of them, so they stay for the board.
    assert judgements(decision) == {MRI: "followed", SPARING: "followed", CTDNA: "",
                                    ABLATION_NOT_OVER_RESECTION: "", "si-minimally-invasive": ""}  # fmt: skip
    # The chair fixes one: ctDNA not followed, the patient's preference; marks the rest.
    data = form_data(decision, modalities=modalities("further_imaging", "hepatic_resection_minor"))
    n = [r.recommendation for r in decision.concordance.filter(frozen_as="applies")].index(CTDNA)
    preference = NotFollowedReason.objects.get(name="Patient preference")
    data |= {f"concordance-{n}-judgement": "not_followed",
             f"concordance-{n}-reason": str(preference.pk)}  # fmt: skip
    assert clinician_client.post(decision.get_absolute_url(), data).status_code == 302
    decision.refresh_from_db()
    assert decision.verdict().klass == "discordant"
    assert decision.concordance_summary().startswith(
        "discordant (patient (preference, comorbidity, contraindication)): followed 4 of 5;"
    )


def test_a_proposal_never_overrides_what_the_board_marked(clinician_client, item):
    start(clinician_client, item)
    decision = Decision.objects.get()
    data = unmarked(decision, modalities=modalities("further_imaging"))
    n = [r.recommendation for r in decision.concordance.filter(frozen_as="applies")].index(MRI)
    data[f"concordance-{n}-judgement"] = "not_relevant"
    data[f"concordance-{n}-reason_text"] = "MRI done last week at the referring hospital."
    clinician_client.post(url("decision_accept_proposals", item), data)
    decision.refresh_from_db()
    assert judgements(decision)[MRI] == "not_relevant"


def test_the_autosave_sends_the_proposals_and_the_class_again(clinician_client, item):
    start(clinician_client, item)
    decision = Decision.objects.get()
    mri = decision.concordance.get(recommendation=MRI)
    data = unmarked(decision, modalities=modalities("further_imaging"))
    page = clinician_client.post(url("decision_autosave", item), data, **HTMX).content.decode()
    assert (
        f'id="proposal-{mri.pk}" hx-swap-oob="true">Proposed from the plan: <strong>followed'
        in page
    )
    # Nothing judged yet, items pending and imaging asked for: conditional, so far.
    assert 'id="concordance-class"' in page and "so far conditionally concordant" in page


def test_signing_asks_the_chair_to_confirm_each_disagreement(clinician_client, chair_client, item):
    start(clinician_client, item)
    decision = Decision.objects.get()
    # Every item marked followed, but the plan is a major resection only: it goes against
    # parenchymal-sparing resection, and has neither the MRI nor the ctDNA test.
    data = form_data(decision, modalities=modalities("hepatic_resection_major"))
    clinician_client.post(decision.get_absolute_url(), data)
    decision.refresh_from_db()
    found = decision.disagreements()
    assert len(found) == 3, found
    assert any("the plan has Hepatic resection, major, which goes against" in d for d in found)
    assert any(d.startswith("the plan has no Further imaging") for d in found)
    page = chair_client.get(decision.get_absolute_url()).content.decode()
    assert "The plan and the judgements disagree:" in page and 'name="sign-disagreements"' in page
    refused = sign(chair_client, decision)
    assert "The plan and the judgements disagree" in refused.content.decode()
    assert not Decision.objects.get().is_signed
    assert sign(chair_client, decision, **{"sign-disagreements": "on"}).status_code == 302
    signed = Decision.objects.get()
    assert signed.is_signed and signed.shown["disagreements_read"] == found
    # Items pending, but the plan asks for no investigation: the applying items decide.
    assert signed.shown["concordance_class"] == {"class": "concordant", "reason_groups": []}
    assert signed.classification.klass == "concordant"


def test_a_record_with_pathway_items_says_whether_care_follows_the_pathway(
    clinician_client, chair, item
):
    start(clinician_client, item)
    decision = Decision.objects.get()
    clinician_client.post(decision.get_absolute_url(), form_data(decision, pathway=""))
    decision.refresh_from_db()
    assert signing.problems(decision) == [
        "Say whether perioperative care follows the hospital's pathway."
    ]
    clinician_client.post(decision.get_absolute_url(), form_data(decision, pathway="no"))
    decision.refresh_from_db()
    assert signing.problems(decision) == [
        "Say why perioperative care does not follow the hospital's pathway."
    ]
    reason = "Frail: the anaesthetist's own pathway."
    clinician_client.post(decision.get_absolute_url(),
                          form_data(decision, pathway="no", pathway_reason=reason))  # fmt: skip
    decision.refresh_from_db()
    assert signing.problems(decision) == [] and decision.pathway_reason == reason
    signed = signing.sign(decision, chair, decision.version)
    assert signing.content(signed)["pathway"] == ["no", reason]  # signed with the record


def test_an_amendment_changes_the_class_and_the_first_keeps_its_own(
    clinician_client, chair_client, chair, item
):
    start(clinician_client, item)
    first = Decision.objects.get()
    clinician_client.post(first.get_absolute_url(), form_data(first))
    first.refresh_from_db()
    assert sign(chair_client, first).status_code == 302
    first.refresh_from_db()
    # Every board item followed; items pending and the plan asks for the MRI and the ctDNA
    # test (investigations): conditionally concordant.
    assert first.classification.klass == "conditional"
    amendment = services.amend(first, chair, "ctDNA was not done: the patient declined.")
    data = form_data(amendment)
    n = [r.recommendation for r in amendment.concordance.filter(frozen_as="applies")].index(CTDNA)
    trial = NotFollowedReason.objects.get(name="Clinical trial enrolment")
    data |= {f"concordance-{n}-judgement": "not_followed", f"concordance-{n}-reason": str(trial.pk),
             "modalities": modalities("further_imaging", "hepatic_resection_minor")}  # fmt: skip
    assert clinician_client.post(amendment.get_absolute_url(), data).status_code == 302
    amendment = Decision.objects.get(pk=amendment.pk)
    assert sign(chair_client, amendment).status_code == 302
    classes = dict(Classification.objects.values_list("decision_id", "klass"))
    assert classes == {first.pk: "conditional", amendment.pk: "discordant"}
    assert Classification.objects.get(decision=amendment).reason_groups == ["trial"]
    # Every reader shows the class of the record in force.
    page = clinician_client.get(item.case.get_absolute_url()).content.decode()
    assert "discordant (clinical trial)" in page


def test_a_classification_cannot_be_changed_once_written(chair, clinician_client, item):
    start(clinician_client, item)
    decision = Decision.objects.get()
    clinician_client.post(decision.get_absolute_url(), form_data(decision))
    decision.refresh_from_db()
    signing.sign(decision, chair, decision.version)
    from django.db import DatabaseError, transaction

    with pytest.raises(DatabaseError), transaction.atomic():
        Classification.objects.filter(decision=decision).update(klass="discordant")
    assert Classification.objects.get(decision=decision).klass == "conditional"


def _autosave_queries(client, item, decision) -> int:
    data = form_data(decision)
    with CaptureQueriesContext(connection) as captured:
        assert client.post(url("decision_autosave", item), data, **HTMX).status_code == 200
    return len(captured)


AUTOSAVE_QUERIES = 19  # whatever the number of rows (the accounts actions may be assigned to
# are read once); each judged row changed by the save


def test_an_autosave_runs_the_same_queries_for_5_or_35_rows(clinician_client, item):
    start(clinician_client, item)
    decision = Decision.objects.get()
    _autosave_queries(clinician_client, item, decision)  # the plan's modalities, once
    decision.refresh_from_db()
    decision.concordance.update(judgement="")  # so that the save writes every row
    few = _autosave_queries(clinician_client, item, decision)
    decision.refresh_from_db()
    decision.concordance.update(judgement="")
    Concordance.objects.bulk_create(
        Concordance(decision=decision, position=100 + n, recommendation=f"synthetic-{n}",
                    statement=f"Synthetic item {n}.", source="S", verification="",
                    plan_modalities=["further_imaging"], alternatives="synthetic")
        for n in range(30)
    )  # fmt: skip
    many = _autosave_queries(clinician_client, item, decision)
    decision.refresh_from_db()
    assert decision.concordance.filter(frozen_as="applies", judgement="followed").count() == 35
    assert few == many == AUTOSAVE_QUERIES, (few, many)


def test_a_draft_made_before_classes_is_frozen_again_before_it_is_signed(
    clinician_client, chair, item
):
    start(clinician_client, item)
    decision = Decision.objects.get()
    clinician_client.post(decision.get_absolute_url(), form_data(decision))
    shown = {k: v for k, v in Decision.objects.get().shown.items() if k != "record_format"}
    Decision.objects.filter(pk=decision.pk).update(shown=shown)  # as such drafts were stored
    decision.refresh_from_db()
    assert signing.problems(decision)[0].startswith("This draft was made before")
    clinician_client.post(url("decision_refresh", item))
    decision.refresh_from_db()
    assert signing.problems(decision) == []
    assert set(judgements(decision).values()) == {"followed"}  # kept through the refresh
