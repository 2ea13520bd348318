"""Signing: only the chair or allowed members, with their password; a signed record is final."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction

from decisions.models import Action, Decision, DecisionStatus
from meetings.models import BoardMember, Specialty
from tests.decisions.records import form_data, sign, start

pytestmark = pytest.mark.django_db


@pytest.fixture
def ready(clinician_client, item):
    """A complete draft, saved."""
    start(clinician_client, item)
    decision = Decision.objects.get()
    assert (
        clinician_client.post(decision.get_absolute_url(), form_data(decision)).status_code == 302
    )
    decision.refresh_from_db()
    return decision


def test_the_chair_signs_with_the_password_and_the_record_says_so(client, chair, ready):
    client.force_login(chair)
    wrong = sign(client, ready, password="not it")
    assert wrong.status_code == 200
    assert wrong.context["sign_form"].errors["password"] == [
        "That is not your password (or too many attempts: wait, then try again)."
    ]
    assert Decision.objects.get().status == DecisionStatus.DRAFT
    response = sign(client, ready)
    assert response.status_code == 302
    signed = Decision.objects.get()
    assert signed.status == DecisionStatus.SIGNED and signed.signed_by == chair
    assert len(signed.signature_hash) == 64
    page = client.get(signed.get_absolute_url()).content.decode()
    assert "Signed by Mara Okafor" in page and signed.signature_hash in page
    assert 'name="sign-password"' not in page  # no second signature


def test_a_member_the_board_allows_may_sign_and_others_may_not(clinician_client, clinician, ready):
    response = sign(clinician_client, ready)
    assert Decision.objects.get().status == DecisionStatus.DRAFT
    assert (
        "Only the chair, or a member the board allows"
        in clinician_client.get(response["Location"]).content.decode()
    )
    surgery = Specialty.objects.create(name="HPB surgery")
    board = ready.agenda_item.meeting.board
    BoardMember.objects.create(board=board, user=clinician, specialty=surgery, may_sign=True)
    assert sign(clinician_client, ready).status_code == 302
    assert Decision.objects.get().status == DecisionStatus.SIGNED


def test_an_incomplete_or_changed_record_is_not_signed(clinician_client, client, chair, item):
    start(clinician_client, item)
    decision = Decision.objects.get()
    client.force_login(chair)
    page = client.get(decision.get_absolute_url()).content.decode()
    assert "Before it can be signed:" in page and "Record the outcome." in page
    response = sign(client, decision)
    assert "Record the outcome." in str(response.context["sign_form"].non_field_errors())
    clinician_client.post(decision.get_absolute_url(), form_data(decision))
    response = sign(client, decision)  # the version the chair read is not the saved one
    assert "saved again since you opened it" in str(
        response.context["sign_form"].non_field_errors()
    )
    assert Decision.objects.get().status == DecisionStatus.DRAFT


def test_a_signed_record_cannot_be_changed_by_the_form_or_by_sql(
    clinician_client, client, chair, ready
):
    client.force_login(chair)
    sign(client, ready)
    signed = Decision.objects.get()
    response = clinician_client.post(signed.get_absolute_url(), form_data(signed, plan="Changed."))
    assert response.status_code == 302
    assert Decision.objects.get().plan == "Resect after two cycles."
    for sql in (
        f"UPDATE decisions_decision SET plan = 'Changed.' WHERE id = {signed.pk}",
        f"DELETE FROM decisions_decision WHERE id = {signed.pk}",
        f"UPDATE decisions_concordance SET judgement = 'not_relevant' WHERE decision_id = {signed.pk}",
        f"DELETE FROM decisions_action WHERE decision_id = {signed.pk}",
        f"UPDATE decisions_action SET what = 'Something else' WHERE decision_id = {signed.pk}",
        "INSERT INTO decisions_decision_modalities (decision_id, modality_id) "
        f"SELECT {signed.pk}, min(id) FROM decisions_modality",
    ):
        with (
            pytest.raises(DatabaseError, match="is signed"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(sql)
    # Marking an action done stays possible.
    assert Action.objects.filter(decision=signed).update(done_by=chair) == 1
    assert signing_matches()


def signing_matches() -> bool:
    try:
        call_command("verify_decisions", stdout=io.StringIO(), stderr=io.StringIO())
    except CommandError:
        return False
    return True


def test_verify_decisions_reports_a_record_changed_behind_the_protection(client, chair, ready):
    client.force_login(chair)
    sign(client, ready)
    signed = Decision.objects.get()
    out = io.StringIO()
    call_command("verify_decisions", stdout=out)
    assert out.getvalue() == "All 1 signed decision(s) match their signatures.\n"
    with connection.cursor() as cursor:  # what only a database superuser could do
        cursor.execute("SET session_replication_role = replica")  # no triggers fire
        cursor.execute(f"UPDATE decisions_decision SET plan = 'Tampered.' WHERE id = {signed.pk}")
        cursor.execute("SET session_replication_role = origin")
    err = io.StringIO()
    with pytest.raises(CommandError, match="1 of 1 signed decision"):
        call_command("verify_decisions", stdout=io.StringIO(), stderr=err)
    on = signed.agenda_item
    assert err.getvalue() == (
        f"decision {signed.pk} (meeting {on.meeting_id}, case {on.case_id}) was changed after "
        "signing: its content no longer gives the SHA-256 it was signed with\n"
    )


def test_the_demo_shows_a_quorate_past_meeting_with_decisions_a_deferral_and_a_draft(settings):
    from meetings.models import Meeting

    settings.DEMO_MODE = True
    call_command("seed_demo", stdout=io.StringIO())
    call_command("seed_demo", stdout=io.StringIO())  # a second run adds nothing
    deferral = Decision.objects.get(status=DecisionStatus.SIGNED, outcome="deferred")
    assert Decision.objects.filter(status=DecisionStatus.DRAFT).count() == 1
    # Each class once: worked out from the demo's plans and the items of each case.
    classes = dict(Decision.objects.filter(status=DecisionStatus.SIGNED).values_list(
        "agenda_item__case__patient__mrn", "classification__klass"))  # fmt: skip
    assert classes == {"DEMO-1006": "concordant", "DEMO-1010": "conditional",
                       "DEMO-1005": "discordant", "DEMO-1001": "not_assessed"}  # fmt: skip
    signed = Decision.objects.get(agenda_item__case__patient__mrn="DEMO-1005", status="signed")
    assert "1 not followed: Patient preference" in signed.concordance_summary()
    assert (
        Decision.objects.get(agenda_item__case__patient__mrn="DEMO-1006", status="signed")
        .concordance_summary()
        .startswith("concordant: followed 1 of 1; 1 not relevant")
    )
    assert [a.done_at is None for a in signed.actions.order_by("pk")] == [True, False]
    assert signed.agenda_item.case.status == "actions_open"
    # Deferred, and already on the next meeting's agenda.
    assert deferral.agenda_item.case.status == "on_agenda"
    assert signing_matches()
    # Demo cases with lesion tables and liver values show the map and the scores at once.
    from cases.models import Case
    from cases.overview import overview

    seen = overview(Case.objects.select_related("patient").get(patient__mrn="DEMO-1001"))
    assert [len(seen.lesions), seen.segments_involved] == [3, ["VI", "VII"]]
    known = {score.name: score.words for score in seen.scores}
    assert known["Child-Pugh"] == "5, class A" and known["Fong"] == "3 of 5, high risk"
    past = signed.agenda_item.meeting
    assert past.quorum().met
    assert past.board.contact_line.startswith("Tumour board coordinator · ")  # the letters
    upcoming = Meeting.objects.exclude(pk=past.pk).get()
    assert not upcoming.quorum().met and upcoming.quorum().missing == ["Pathology"]


def test_a_decision_without_quorum_says_so_and_keeps_saying_so(client, chair, ready):
    from meetings.models import Attendance

    board = ready.agenda_item.meeting.board
    board.required_specialties.set([Specialty.objects.create(name="Pathology")])
    client.force_login(chair)
    page = client.get(ready.get_absolute_url()).content.decode()
    assert "Quorum not met" in page and "missing Pathology" in page
    sign(client, ready)
    meeting = ready.agenda_item.meeting
    Attendance.objects.create(meeting=meeting, name="Dr. Late", specialty="Pathology")
    signed = Decision.objects.get()
    assert signed.shown["quorum"] == {"rule": True, "met": False, "missing": ["Pathology"]}
    page = client.get(signed.get_absolute_url()).content.decode()
    assert "Decided without quorum" in page and "missing Pathology when it was signed" in page
    assert signing_matches()  # the quorum is part of what was signed


@pytest.mark.parametrize(
    ("outcome", "extra", "status"),
    [
        (
            "recommendation",
            {"actions-0-what": "", "actions-0-owner": "", "actions-0-due": ""},
            "discussed",
        ),
        ("recommendation", {}, "actions_open"),
        ("deferred", {"information_needed": "A liver MRI."}, "ready"),
    ],
)
def test_the_case_status_follows_the_signed_decision(
    clinician_client, client, chair, item, outcome, extra, status
):
    start(clinician_client, item)
    decision = Decision.objects.get()
    data = form_data(decision, outcome=outcome, **extra)
    assert clinician_client.post(decision.get_absolute_url(), data).status_code == 302
    decision.refresh_from_db()
    item.case.refresh_from_db()
    case_version = item.case.version
    client.force_login(chair)
    sign(client, decision)
    item.case.refresh_from_db()
    assert item.case.status == status
    assert item.case.version == case_version + 1  # an open case form cannot put it back
