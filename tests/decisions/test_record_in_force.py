"""One record in force: the latest *signed* version of an item's record, asked by every
reader. A draft -- a first record not signed yet, or an amendment in progress -- is never
the board's decision: with signed v1 and a draft v2, every reader shows v1; once v2 is
signed, every reader shows v2."""

from __future__ import annotations

import csv
import datetime
import io

import pytest
from django.contrib.auth.models import User
from django.urls import reverse
from django.utils import timezone

from cases.models import Case
from decisions import documents, services, signing
from decisions.models import Decision, Outcome, latest_version, record_in_force
from documents.tasks import render_document
from interop.fhir import case_bundle
from meetings.models import Handout, HandoutKind
from quality.report import Scope, build
from tests.decisions.records import form_data, sign, start
from tests.factories import make_meeting
from tests.helpers import pdf_text

pytestmark = pytest.mark.django_db

V1, V2 = "Plan of the first signed version.", "Plan of the amendment."
# The readers that print or return a record's plan.
PLAN_READERS = ("case page", "meeting mode", "minutes", "letter", "api decisions",
                "spreadsheet", "fhir")  # fmt: skip


def _url(name, item):
    return reverse(f"decisions:{name}", args=[item.meeting_id, item.pk])


def _sign(chair_client, item, decision):
    decision.refresh_from_db()
    assert sign(chair_client, decision).status_code == 302


@pytest.fixture
def versions(clinician_client, chair_client, item):
    """Signed v1 (plan V1) and a draft amendment v2 (plan V2) of the item's record."""
    start(clinician_client, item)
    first = Decision.objects.get()
    clinician_client.post(first.get_absolute_url(), form_data(first, plan=V1))
    _sign(chair_client, item, first)
    clinician_client.post(_url("decision_amend", item), {"reason": "The plan was misheard."})
    second = Decision.objects.exclude(pk=first.pk).get()
    # The amendment defers the case instead (its action kept from v1, as amendments do).
    clinician_client.post(
        second.get_absolute_url(),
        form_data(second, plan=V2, outcome="deferred", information_needed="A PET-CT.",
                  needed_by="2026-12-30", **{"actions-TOTAL_FORMS": "0"}),
    )  # fmt: skip
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.is_signed, second.is_signed, second.plan) == (True, False, V2)
    return first, second


def _readers(client, item) -> dict[str, str]:
    """What each reader says of the item's decision, as text."""
    case, meeting = item.case, item.meeting
    later = make_meeting([case], board_name="Later board")  # meeting mode's previous ones
    api = client.get(f"/api/v1/meetings/{meeting.pk}").json()["agenda"][0]
    listed = client.get("/api/v1/decisions", {"case": case.pk}).json()["items"]
    export = client.get(reverse("decisions:decision_export", args=["csv"]))
    rows = list(csv.DictReader(io.StringIO(export.content.decode("utf-8-sig"))))
    scope = Scope((meeting.board,), timezone.localdate() - datetime.timedelta(days=1),
                  timezone.localdate())  # fmt: skip
    return {
        "case page": client.get(case.get_absolute_url()).content.decode(),
        "meeting page": client.get(meeting.get_absolute_url()).content.decode(),
        "meeting mode": client.get(
            reverse("decisions:meeting_mode", args=[later.pk, later.agenda_items.get().pk])
        ).content.decode(),
        "minutes": " ".join(" ".join(pdf_text(documents.render_minutes(meeting).pdf)).split()),
        "letter": " ".join(" ".join(pdf_text(documents.render_letter(item).pdf)).split()),
        "api meeting": f"decision {api['decision']} draft {api['draft']}",
        "api decisions": " ".join(f"{d['id']}: {d['plan']}" for d in listed),
        "api class": " ".join(d["concordance_class"]["words"] for d in listed),
        "spreadsheet": " ".join(row["Plan"] for row in rows),
        "spreadsheet class": " ".join(row["Concordance class"] for row in rows),
        "fhir": str(case_bundle(Case.objects.select_related("patient").get(pk=case.pk))),
        "quality": str(build(scope).outcomes),
        "case status": Case.objects.get(pk=case.pk).status,
    }


@pytest.mark.slow
def test_every_reader_shows_the_signed_version_never_the_draft_amendment(
    clinician_client, chair_client, item, versions
):
    first, second = versions
    seen = _readers(clinician_client, item)
    for reader in PLAN_READERS:
        assert V1 in seen[reader], reader
        assert V2 not in seen[reader], reader
    assert "amendment in progress, not signed" in seen["meeting page"]
    assert "Amendment in progress, not signed" in seen["case page"]
    assert seen["api meeting"] == f"decision {first.pk} draft {second.pk}"
    assert seen["api decisions"] == f"{first.pk}: {V1}"
    assert seen["quality"] == "{'recommendation': 1}"
    assert seen["case status"] == "actions_open"  # v1's: a recommendation with an action
    # v1's class: every board item followed, items pending, the plan asks for an MRI and
    # a ctDNA test (investigations): conditionally concordant, in every reader.
    for reader in ("case page", "meeting mode", "minutes", "fhir"):
        assert "conditionally concordant: followed 5 of 5" in seen[reader], reader
    assert "depending on the investigations it asks for" in seen["letter"]
    assert seen["api class"] == seen["spreadsheet class"] == "conditionally concordant"

    _sign(chair_client, item, second)
    seen = _readers(clinician_client, item)
    for reader in PLAN_READERS:
        assert V2 in seen[reader], reader
        assert V1 not in seen[reader], reader
    assert "amendment in progress" not in seen["meeting page"].lower()
    assert seen["api meeting"] == f"decision {second.pk} draft None"
    assert seen["quality"] == "{'deferred': 1}"
    for reader in ("case page", "meeting mode", "minutes", "fhir"):
        assert "not assessed (deferred)" in seen[reader], reader
    assert "Not measured against the guidelines: the board has not decided yet." in seen["letter"]
    assert seen["api class"] == seen["spreadsheet class"] == "not assessed"
    # v2's: deferred, and the case is listed for a later meeting without a decision there
    assert seen["case status"] == "on_agenda"


def test_a_first_draft_is_nobodys_decision(clinician_client, item):
    start(clinician_client, item)
    draft = Decision.objects.get()
    assert not Decision.objects.in_force().exists()
    assert record_in_force([draft]) is None and latest_version([draft]) == draft
    api = clinician_client.get(f"/api/v1/meetings/{item.meeting_id}").json()["agenda"][0]
    assert (api["decision"], api["draft"]) == (None, draft.pk)
    assert documents.minutes_context(item.meeting)["entries"][0].state == (
        "No signed decision: a draft record exists, which is not the board's decision"
    )


def test_the_sql_and_the_python_rule_agree(item, chair):
    """``in_force()`` over querysets and ``record_in_force`` over versions read alike."""
    first = services.start(item, None)
    Decision.objects.filter(pk=first.pk).update(
        status="signed", signed_at=timezone.now(), signed_by=chair, signature_hash="a" * 64, signature_mac="a" * 64,
        outcome=Outcome.RECOMMENDATION,
    )  # fmt: skip
    first.refresh_from_db()
    second = services.amend(first, chair, "A correction.")
    for expected in (first, second):
        versions = list(Decision.objects.filter(agenda_item=item))
        assert list(Decision.objects.filter(agenda_item=item).in_force()) == [expected]
        assert record_in_force(versions) == expected
        if expected == first:
            Decision.objects.filter(pk=second.pk).update(
                status="signed", signed_at=timezone.now(), signed_by=chair,
                signature_hash="b" * 64, signature_mac="b" * 64,
            )  # fmt: skip


def test_a_case_listed_again_with_only_a_draft_there_stays_on_the_agenda(
    clinician_client, chair_client, item
):
    """A deferral puts the case back to "ready", unless it is listed on another agenda and
    not decided there: a draft (a proposal) there is no decision."""
    later = make_meeting([item.case], board_name="Next board",
                         starts_at=timezone.now() + datetime.timedelta(days=7))  # fmt: skip
    services.start(later.agenda_items.get(), None)  # a proposal for the next meeting
    start(clinician_client, item)
    decision = Decision.objects.get(agenda_item=item)
    data = form_data(decision, outcome="deferred", information_needed="A PET-CT.",
                     needed_by="2026-12-30")  # fmt: skip
    clinician_client.post(decision.get_absolute_url(), data)
    _sign(chair_client, item, decision)
    assert Case.objects.get(pk=item.case_id).status == "on_agenda"


def test_nobody_signs_before_the_meeting_and_the_message_says_why(
    clinician_client, chair_client, item, settings
):
    settings.MEETING_CLOCK_SKEW_MINUTES = 10
    start(clinician_client, item)
    decision = Decision.objects.get()
    clinician_client.post(decision.get_absolute_url(), form_data(decision))
    meeting = item.meeting
    meeting.starts_at = timezone.now() + datetime.timedelta(minutes=30)
    meeting.save()
    decision.refresh_from_db()
    with pytest.raises(signing.CannotSign, match="a decision is the board's once it has met"):
        signing.sign(decision, User.objects.get(username="chair"), decision.version)
    response = sign(chair_client, decision)
    assert "a decision is the board&#x27;s once it has met" in response.content.decode()
    assert not Decision.objects.get().is_signed
    # Within the allowed clock difference it may be signed.
    meeting.starts_at = timezone.now() + datetime.timedelta(minutes=5)
    meeting.save()
    signing.sign(decision, User.objects.get(username="chair"), decision.version)
    assert Decision.objects.get().is_signed


def test_no_letter_before_the_meeting_even_for_a_record_signed_earlier(
    clinician_client, item, chair
):
    """A letter never says the board met on a date still to come (a record signed before
    this rule existed, or with a meeting moved later)."""
    first = services.start(item, None)
    Decision.objects.filter(pk=first.pk).update(
        status="signed", signed_at=timezone.now(), signed_by=chair, signature_hash="a" * 64, signature_mac="a" * 64,
        outcome=Outcome.RECOMMENDATION,
    )  # fmt: skip
    meeting = item.meeting
    meeting.starts_at = timezone.now() + datetime.timedelta(days=2)
    meeting.save()
    with pytest.raises(documents.NotSigned, match="so it is made after the meeting"):
        documents.letter_context(item)
    response = clinician_client.post(_url("letter_generate", item))
    page = clinician_client.get(response["Location"]).content.decode()
    assert "a letter states what the board decided, so it is made after the meeting" in page


@pytest.mark.slow
def test_minutes_made_before_a_signature_say_they_are_out_of_date(
    clinician_client, chair_client, coordinator_client, item, django_capture_on_commit_callbacks
):
    start(clinician_client, item)
    decision = Decision.objects.get()
    clinician_client.post(decision.get_absolute_url(), form_data(decision, plan=V1))
    url = reverse("decisions:minutes_generate", args=[item.meeting_id])
    with django_capture_on_commit_callbacks(execute=False):
        coordinator_client.post(url)
    minutes = Handout.objects.get(kind=HandoutKind.MINUTES)
    render_document.call(minutes.kind, minutes.pk)
    minutes.refresh_from_db()
    assert minutes.status == "done", minutes.error
    text = " ".join(" ".join(pdf_text(minutes.content)).split())
    assert "No signed decision: a draft record exists" in text and V1 not in text
    page = coordinator_client.get(item.meeting.get_absolute_url()).content.decode()
    assert "out of date" not in page
    _sign(chair_client, item, decision)
    page = coordinator_client.get(item.meeting.get_absolute_url()).content.decode()
    assert "The minutes are out of date" in page and "1 decision signed since" in page
    clinician_client.post(_url("decision_amend", item), {"reason": "Misheard."})
    amendment = Decision.objects.exclude(pk=decision.pk).get()
    _sign(chair_client, item, amendment)
    page = coordinator_client.get(item.meeting.get_absolute_url()).content.decode()
    assert "1 decision amended since" in page


def test_a_deferred_record_is_not_assessed_never_followed_none(item, chair):
    decision = services.start(item, None)
    Decision.objects.filter(pk=decision.pk).update(outcome=Outcome.DEFERRED)
    decision.refresh_from_db()
    assert decision.concordance.count() > 0
    assert decision.concordance_summary() == "not assessed (deferred)"
    Decision.objects.filter(pk=decision.pk).update(outcome=Outcome.NOTED)
    decision.refresh_from_db()
    assert decision.concordance_summary() == "not assessed (noted without discussion)"
