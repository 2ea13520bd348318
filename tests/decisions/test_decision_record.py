"""The decision record: what the board saw is frozen, concordance is checked, drafts are safe."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from decisions.models import Classification, Decision, Judgement, Modality, NotFollowedReason
from guidelines.models import Recommendation
from tests.decisions.records import form_data, start
from tests.factories import make_meeting

pytestmark = pytest.mark.django_db


def test_starting_freezes_the_facts_and_the_applying_recommendations(clinician_client, item):
    response = start(clinician_client, item)
    decision = Decision.objects.get()
    assert response["Location"] == decision.get_absolute_url()
    slugs = [row.recommendation for row in decision.concordance.all()]
    assert "dx-mri-before-resection" in slugs
    smoking = decision.concordance.get(recommendation="dx-mri-before-resection")
    assert smoking.statement == Recommendation.objects.get(slug="dx-mri-before-resection").statement
    assert smoking.content_version is not None
    facts = dict(row for _, rows in decision.shown["facts"] for row in rows)
    assert facts["Current smoker"] == "Yes"
    # A second click does not make a second record.
    start(clinician_client, item)
    assert Decision.objects.count() == 1


def test_later_edits_of_the_case_and_the_guidelines_do_not_change_the_record(
    clinician_client, item
):
    start(clinician_client, item)
    case = item.case
    case.facts = {"primary_site": "gastric"}
    case.save()
    rec = Recommendation.objects.get(slug="dx-mri-before-resection")
    rec.statement = "Edited after the meeting."
    rec.save()
    decision = Decision.objects.get()
    page = clinician_client.get(decision.get_absolute_url()).content.decode()
    assert "Current smoker" in page and "Edited after the meeting." not in page
    assert decision.concordance.filter(recommendation="dx-mri-before-resection").exists()


def test_a_draft_is_saved_with_its_concordance_plan_and_actions(clinician_client, item):
    start(clinician_client, item)
    decision = Decision.objects.get()
    smoking = decision.concordance.get(recommendation="dx-mri-before-resection")
    rows = list(decision.concordance.filter(frozen_as="applies"))
    pending = decision.concordance.filter(frozen_as="pending").count()
    n = rows.index(smoking)
    preference = NotFollowedReason.objects.get(name="Patient preference")
    data = form_data(
        decision,
        modalities=[str(Modality.objects.get(name="Hepatic resection, major").pk)],
        **{
            f"concordance-{n}-judgement": "not_followed",
            f"concordance-{n}-reason": str(preference.pk),
        },
    )
    response = clinician_client.post(decision.get_absolute_url(), data)
    assert response.status_code == 302, response.context["form"].errors
    before = decision.version
    decision.refresh_from_db()
    assert decision.version == before + 1 and decision.outcome == "recommendation"
    assert [m.name for m in decision.modalities.all()] == ["Hepatic resection, major"]
    assert decision.actions.get().what == "Book liver MRI"
    smoking.refresh_from_db()
    assert smoking.judgement == Judgement.NOT_FOLLOWED and smoking.reason == preference
    followed = len(rows) - 1
    assert pending and decision.concordance_summary() == (
        "discordant (patient (preference, comorbidity, contraindication)): "
        f"followed {followed} of {len(rows)}; 1 not followed: Patient preference; "
        f"{pending} pending"
    )
    # On the case page a draft is said to be one, never shown as the board's decision.
    page = clinician_client.get(item.case.get_absolute_url()).content.decode()
    assert "Board decisions on this patient (1)" in page
    assert "Draft, not signed: not the board's decision yet" in page
    assert "1 not followed: Patient preference" not in page


@pytest.mark.parametrize(
    ("reason", "text", "problem"),
    [
        (None, "", "Give the reason for each recommendation not followed."),
        ("Other", "", "Say in words why, where the reason asks for it."),
    ],
)
def test_a_draft_may_lack_a_reason_but_cannot_be_signed_without_it(
    clinician_client, item, reason, text, problem
):
    """A draft saves what the board has said so far (it is saved as it is typed); what
    is missing stops the signature, and the page says what."""
    start(clinician_client, item)
    decision = Decision.objects.get()
    reason_pk = str(NotFollowedReason.objects.get(name=reason).pk) if reason else ""
    data = form_data(
        decision,
        **{"concordance-0-judgement": "not_followed", "concordance-0-reason": reason_pk,
           "concordance-0-reason_text": text},
    )  # fmt: skip
    response = clinician_client.post(decision.get_absolute_url(), data, follow=True)
    decision.refresh_from_db()
    assert decision.outcome == "recommendation"
    assert decision.concordance.order_by("position")[0].judgement == Judgement.NOT_FOLLOWED
    assert response.context["sign_problems"] == [problem]


def test_a_reason_goes_when_the_recommendation_is_followed_after_all(clinician_client, item):
    start(clinician_client, item)
    decision = Decision.objects.get()
    other = NotFollowedReason.objects.get(name="Other")
    row = {"concordance-0-reason": str(other.pk), "concordance-0-reason_text": "Frail"}
    clinician_client.post(decision.get_absolute_url(), form_data(decision, **row))
    decision.refresh_from_db()
    first = decision.concordance.order_by("position")[0]
    assert (first.judgement, first.reason, first.reason_text) == ("followed", None, "")


def test_bad_input_saves_nothing(clinician_client, item):
    start(clinician_client, item)
    decision = Decision.objects.get()
    data = form_data(decision, needed_by="31.02.2026", **{"concordance-0-judgement": "maybe"})
    response = clinician_client.post(decision.get_absolute_url(), data)
    assert response.status_code == 200
    assert response.context["form"].errors["needed_by"] == ["Enter a valid date."]
    assert response.context["concordance"].forms[0].errors["judgement"] == [
        "Select a valid choice. maybe is not one of the available choices."
    ]
    before = decision.version
    decision.refresh_from_db()
    assert decision.version == before and decision.outcome == "" and not decision.actions.exists()


def test_a_deferral_says_what_is_needed_before_it_is_signed(clinician_client, item):
    start(clinician_client, item)
    decision = Decision.objects.get()
    response = clinician_client.post(
        decision.get_absolute_url(), form_data(decision, outcome="deferred"), follow=True
    )
    assert "Say what the board needs before it decides." in response.context["sign_problems"]


def test_a_draft_saved_by_someone_else_meanwhile_is_not_overwritten(clinician_client, item):
    start(clinician_client, item)
    decision = Decision.objects.get()
    stale = form_data(decision, plan="My plan.")
    assert (
        clinician_client.post(decision.get_absolute_url(), form_data(decision)).status_code == 302
    )
    response = clinician_client.post(decision.get_absolute_url(), stale)
    assert "Someone else saved this decision meanwhile" in response.content.decode()
    before = decision.version
    decision.refresh_from_db()
    assert decision.plan == "Resect after two cycles." and decision.version == before + 1


def test_a_case_with_a_record_stays_on_the_agenda(coordinator_client, item):
    start(coordinator_client, item)
    url = reverse("meetings:agenda_remove", args=[item.meeting_id, item.pk])
    response = coordinator_client.post(url, follow=True)
    assert "has a decision record on this meeting" in response.content.decode()
    assert item.meeting.agenda_items.count() == 1


def test_refreshing_a_draft_keeps_judgements_of_what_still_applies(clinician_client, item):
    start(clinician_client, item)
    decision = Decision.objects.get()
    clinician_client.post(decision.get_absolute_url(), form_data(decision))
    case = item.case
    case.facts = {**case.facts, "planned_procedure": "systemic_only"}
    case.save()
    clinician_client.post(reverse("decisions:decision_refresh", args=[item.meeting_id, item.pk]))
    slugs = set(decision.concordance.values_list("recommendation", flat=True))
    assert "dx-mri-before-resection" not in slugs
    judged = decision.concordance.filter(frozen_as="applies")
    assert judged.exists() and set(judged.values_list("judgement", flat=True)) == {"followed"}


def test_the_case_page_lists_decisions_in_a_fixed_number_of_queries(
    clinician_client, item, django_assert_num_queries
):
    def discussed_again(n: int) -> None:  # the same patient, at another meeting
        later = make_meeting([item.case], board_name=f"Board {n}").agenda_items.get()
        start(clinician_client, later)

    start(clinician_client, item)
    discussed_again(0)
    url = item.case.get_absolute_url()
    clinician_client.get(url)
    # the page (16, its lesions, the patient's course and the trial list's version
    # included); the records' concordance and plan modalities (2); the history's users and
    # the meetings it names (2)
    with django_assert_num_queries(22):
        clinician_client.get(url)
    for n in range(1, 4):
        discussed_again(n)
    with django_assert_num_queries(22):
        page = clinician_client.get(url).content.decode()
    assert "Board decisions on this patient (5)" in page


def test_a_form_opened_before_a_refresh_is_not_saved_over_it(clinician_client, item):
    start(clinician_client, item)
    decision = Decision.objects.get()
    opened = form_data(decision)
    clinician_client.post(reverse("decisions:decision_refresh", args=[item.meeting_id, item.pk]))
    response = clinician_client.post(decision.get_absolute_url(), opened)
    assert "Someone else saved this decision meanwhile" in response.content.decode()
    assert Decision.objects.get().outcome == ""


def test_signed_decisions_on_the_case_page_read_their_class_without_a_query_each(
    clinician_client, item
):
    """Each signed record prints its class (stored when it was signed): read with the
    records, not once a record."""

    def signed_at(meeting_item) -> None:
        start(clinician_client, meeting_item)
        decision = Decision.objects.get(agenda_item=meeting_item)
        Decision.objects.filter(pk=decision.pk).update(
            status="signed", outcome="recommendation", signed_at=timezone.now(),
            signed_by=User.objects.get(username="clinician"), signature_hash="b" * 64, signature_mac="b" * 64,
        )  # fmt: skip
        Classification.objects.create(decision=decision, klass="concordant")

    def at_another_meeting(n: int):
        return make_meeting([item.case], board_name=f"Board {n}").agenda_items.get()

    signed_at(item)
    signed_at(at_another_meeting(0))
    url = item.case.get_absolute_url()
    clinician_client.get(url)
    with CaptureQueriesContext(connection) as two:
        clinician_client.get(url)
    for n in range(1, 4):
        signed_at(at_another_meeting(n))
    with CaptureQueriesContext(connection) as five:
        page = clinician_client.get(url).content.decode()
    assert page.count("concordant: followed 0 of") == 5
    assert len(two) == len(five)
