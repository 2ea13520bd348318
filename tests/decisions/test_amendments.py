"""After signing: confirmation by a second clinician, amendments that chain their hashes,
actions marked done, and the case status that follows the agenda and the decisions."""

from __future__ import annotations

import io

import pytest
from django.contrib.auth.models import Group, User
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction
from django.urls import reverse

from accounts import roles
from decisions.models import Confirmation, Decision
from meetings import agenda
from meetings.models import Attendance
from tests.decisions.records import PASSWORD, form_data, sign
from tests.factories import make_case, make_meeting

pytestmark = pytest.mark.django_db


def url(name, item, *args):
    return reverse(f"decisions:{name}", args=[item.meeting_id, item.pk, *args])


def verified() -> str:
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("verify_decisions", stdout=out, stderr=err)
    except CommandError as failure:
        return f"{failure}: {err.getvalue()}"
    return out.getvalue()


def test_an_amendment_is_a_new_version_with_a_reason_signed_again_in_a_chain(
    clinician_client, chair_client, item, signed
):
    refused = clinician_client.post(url("decision_amend", item), {"reason": "  "})
    assert refused.context["amend_form"].errors["reason"] == ["This field is required."]
    assert Decision.objects.count() == 1
    response = clinician_client.post(
        url("decision_amend", item), {"reason": "The MRI date was recorded wrongly."}
    )
    assert response.status_code == 302
    amendment = Decision.objects.exclude(pk=signed.pk).get()
    assert (amendment.amends, amendment.previous_hash) == (signed, signed.signature_hash)
    assert amendment.status == "draft" and amendment.plan == signed.plan
    assert [r.judgement for r in amendment.concordance.all()] == [
        r.judgement for r in signed.concordance.all()
    ]
    assert list(amendment.actions.values_list("what", flat=True)) == ["Book liver MRI"]
    # The item's page is the amendment now; the signed version stays readable as it was.
    page = clinician_client.get(url("decision_edit", item)).content.decode()
    assert (
        "Amendment of the version signed" in page and "The MRI date was recorded wrongly." in page
    )
    old = clinician_client.get(signed.get_version_url())
    assert old.context["decision"] == signed and not old.context["can_change"]
    meeting_page = clinician_client.get(item.meeting.get_absolute_url()).content.decode()
    assert "Decision (signed)</a>: Recommendation made" in meeting_page
    assert "amendment in progress, not signed" in meeting_page
    # What the board saw stays: an amendment is not refreshed from the case as it is now.
    clinician_client.post(url("decision_refresh", item))
    amendment.refresh_from_db()
    assert amendment.shown == signed.shown and amendment.version == 1
    # A second amendment of the same signed version is refused: it is no longer in force.
    again = clinician_client.post(url("decision_amend", item), {"reason": "Again."})
    assert again.status_code == 200 and Decision.objects.count() == 2
    clinician_client.post(amendment.get_absolute_url(), form_data(amendment, plan="MRI on 3 Dec."))
    amendment.refresh_from_db()
    assert sign(chair_client, amendment).status_code == 302
    amendment.refresh_from_db()
    assert amendment.is_signed and amendment.signature_hash != signed.signature_hash
    assert verified() == "All 2 signed decision(s) match their signatures.\n"
    # The chain: the amendment signed the hash of the version it amends.
    with connection.cursor() as cursor:
        cursor.execute("SET session_replication_role = replica")
        cursor.execute(
            "UPDATE decisions_decision SET signature_hash = repeat('0', 64) WHERE id = %s",
            [signed.pk],
        )
        cursor.execute("SET session_replication_role = origin")
    report = verified()
    assert f"decision {signed.pk} " in report and f"decision {amendment.pk} " in report


def test_an_amendment_must_name_a_signed_record_and_its_hash(item, signed, clinician):
    with (
        pytest.raises(DatabaseError, match="must name a signed record"),
        transaction.atomic(),
    ):
        Decision.objects.create(
            agenda_item=item, amends=signed, amendment_reason="x", previous_hash="1" * 64,
            created_by=clinician, updated_by=clinician,
        )  # fmt: skip


def test_a_second_clinician_who_attended_confirms_once(client, chair_client, item, signed):
    other = User.objects.create_user(
        "second", password=PASSWORD, first_name="Sam", last_name="Second"
    )
    other.groups.add(Group.objects.get(name=roles.CLINICIAN))
    client.force_login(other)
    data = {"password": PASSWORD, "meaning": "on"}
    # Not at the meeting: no confirmation.
    assert client.get(url("decision_edit", item)).context["confirm_form"] is None
    client.post(url("decision_confirm", item), data)
    assert not Confirmation.objects.exists()
    Attendance.objects.create(
        meeting=item.meeting, name="Sam Second", specialty="Radiology", user=other
    )
    wrong = client.post(url("decision_confirm", item), {**data, "password": "no"})
    assert wrong.context["confirm_form"].errors["password"]
    assert client.post(url("decision_confirm", item), data).status_code == 302
    confirmation = Confirmation.objects.get()
    assert confirmation.confirmed_by == other and confirmation.decision == signed
    page = client.get(url("decision_edit", item)).content.decode()
    assert "Checked for accuracy by Sam Second" in page
    assert client.get(url("decision_edit", item)).context["confirm_form"] is None  # once
    # The signer does not confirm their own signature.
    Attendance.objects.create(meeting=item.meeting, name="Mara Okafor", specialty="HPB surgery",
                              user=signed.signed_by)  # fmt: skip
    chair_client.post(url("decision_confirm", item), data)
    assert Confirmation.objects.count() == 1
    with (
        pytest.raises(DatabaseError, match="is final"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("DELETE FROM decisions_confirmation")


def test_actions_marked_done_close_the_case_and_reopen_it(clinician_client, item, signed):
    item.case.refresh_from_db()
    assert item.case.status == "actions_open"
    action = signed.actions.get()
    clinician_client.post(url("action_done", item, action.pk), {"done": "yes"})
    action.refresh_from_db()
    item.case.refresh_from_db()
    assert action.done_at is not None and action.done_by.username == "clinician"
    assert item.case.status == "closed"
    assert verified() == "All 1 signed decision(s) match their signatures.\n"  # done is not signed
    clinician_client.post(url("action_done", item, action.pk), {"done": "no"})
    item.case.refresh_from_db()
    assert item.case.status == "actions_open"


def test_the_case_status_follows_the_agenda(coordinator_client):
    case = make_case(status="ready")
    meeting = make_meeting()
    coordinator_client.post(reverse("meetings:agenda_add", args=[meeting.pk]), {"case": case.pk})
    case.refresh_from_db()
    assert case.status == "on_agenda"
    item = meeting.agenda_items.get()
    coordinator_client.post(reverse("meetings:agenda_remove", args=[meeting.pk, item.pk]))
    case.refresh_from_db()
    assert case.status == "ready"
    # Staff cannot jump a case to "discussed": the form offers only draft and ready.
    agenda.add_case(meeting, case)
    case.refresh_from_db()
    assert case.status == "on_agenda"


def test_the_case_form_offers_only_the_steps_staff_take(clinician_client):
    case = make_case(status="ready")
    form = clinician_client.get(reverse("cases:case_edit", args=[case.pk])).context["form"]
    assert [value for value, _ in form.fields["status"].choices] == ["draft", "ready"]
    case.status = "on_agenda"
    case.save()
    form = clinician_client.get(reverse("cases:case_edit", args=[case.pk])).context["form"]
    assert form.fields["status"].disabled
