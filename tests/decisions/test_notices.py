"""E-mail notices, received by a real SMTP server (aiosmtpd) that the test starts: an
action assigned when its decision is signed, and the daily overdue actions, cases not
ready and decisions to sign; headers and body checked, and nothing that identifies the
patient in them. Also My work, which lists the same."""

from __future__ import annotations

import datetime
import io

import pytest
from django.contrib.auth.models import Group, User
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from accounts import roles
from accounts.models import Notice, NoticeChoice
from decisions import notify
from decisions.models import Action, Decision
from tests.decisions.records import PASSWORD, form_data, sign, start
from tests.factories import make_case, make_meeting, make_patient, make_timepoint
from tests.smtp import free_port

pytestmark = pytest.mark.django_db


def _user(name, email="", role=roles.CLINICIAN):
    user = User.objects.create_user(name, email=email, password=PASSWORD)
    user.groups.add(Group.objects.get(name=role))
    return user


def _signed(item, signer, actions=()) -> Decision:
    """A signed record in force with these actions ((what, assignee, due) each); its hash
    need not be the record's for these tests."""
    record = Decision.objects.create(agenda_item=item, outcome="recommendation")
    for what, who, due in actions:
        Action.objects.create(decision=record, what=what, assignee=who, due=due)
    Decision.objects.filter(pk=record.pk).update(
        status="signed",
        signed_by=signer,
        signed_at=timezone.now(),
        signature_hash="0" * 64,
        signature_mac="0" * 64,
    )
    return record


def _body(message) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()


def assert_names_no_patient(message, case) -> None:
    text = str(message["Subject"]) + _body(message)
    for secret in (case.patient.name, case.patient.mrn, *case.patient.name.split(),
                   "Book liver MRI", f"{case.patient.date_of_birth:%Y}"):  # fmt: skip
        assert secret not in text


def test_the_assignee_is_told_when_the_decision_is_signed(
    client, item, chair, inbox, django_capture_on_commit_callbacks
):
    surgeon = _user("surgeon", "surgeon@example.org")
    client.force_login(chair)
    start(client, item)
    decision = Decision.objects.get()
    url = reverse("decisions:decision_edit", args=[item.meeting_id, item.pk])
    client.post(url, form_data(decision, **{"actions-0-assignee": str(surgeon.pk)}))
    decision.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        assert sign(client, decision).status_code == 302
    assert inbox.messages == []  # queued for the worker, not sent by the signer's request
    [queued] = DBTaskResult.objects.filter(task_path=notify.actions_assigned.module_path)
    assert queued.args_kwargs == {"args": [decision.pk], "kwargs": {}}
    notify.actions_assigned.call(decision.pk)  # as the worker runs it
    [message] = inbox.messages
    assert message["To"] == "surgeon@example.org"
    assert message["From"] == "tumorboard@example.org"
    assert message["Subject"] == f"Tumor board: an action on case {item.case_id} is assigned to you"
    body = _body(message)
    assert f"assigned an action on case {item.case_id} to you, due 15 Dec 2026" in body
    link = f"https://board.example.org/meetings/{item.meeting_id}/run/{item.pk}/"
    assert f"Open it in Tumor board: {link}" in body
    assert_names_no_patient(message, item.case)
    # The assignee is signed with the record.
    assert Action.objects.get().assignee == surgeon


def test_the_daily_notices_go_once_a_day_to_who_wants_them(inbox, settings):
    now = timezone.now()
    presenter = _user("presenter", "presenter@example.org")
    chair = _user("chair2", "chair@example.org")
    quiet = _user("quiet", "quiet@example.org")
    NoticeChoice.objects.create(user=quiet, off=["action_overdue"])
    # A case presented in three days with no imaging: not ready (the liver list blocks).
    case = make_case(patient=make_patient(mrn="N-1", name="Nora Notready"))
    coming = make_meeting([case], starts_at=now + datetime.timedelta(days=3))
    item = coming.agenda_items.get()
    item.presenter = presenter
    item.save()
    # A signed record with an overdue action for "quiet" (who turned those off) and one for
    # the presenter; a draft of a meeting that has started, for the board's chair.
    done = make_case(patient=make_patient(mrn="N-2", name="Olga Overdue"))
    past = make_meeting([done], board_name="Liver board")
    past.board.default_chair = chair
    past.board.save()
    due = timezone.localdate() - datetime.timedelta(days=2)
    _signed(past.agenda_items.get(), chair,
            [("Call Olga Overdue", who, due) for who in (quiet, presenter)])  # fmt: skip
    draft_case = make_case(patient=make_patient(mrn="N-3", name="Dora Draft"))
    draft_item = make_meeting([draft_case], board_name="Liver board").agenda_items.get()
    Decision.objects.create(agenda_item=draft_item)

    call_command("send_notices", stdout=io.StringIO())
    got = {(m["To"], str(m["Subject"])) for m in inbox.messages}
    assert got == {
        ("presenter@example.org", f"Tumor board: case {case.pk} is not ready for its meeting"),
        ("presenter@example.org", f"Tumor board: an action on case {done.pk} is overdue"),
        ("chair@example.org",
         f"Tumor board: the decision on case {draft_case.pk} waits for a signature"),
    }  # fmt: skip
    for message in inbox.messages:
        for named in (case, done, draft_case):
            assert_names_no_patient(message, named)
        assert "Olga" not in _body(message)
    not_ready = next(m for m in inbox.messages if "not ready" in str(m["Subject"]))
    assert "is not ready: 1 item of the checklist still open" in _body(not_ready)
    assert f"https://board.example.org/cases/{case.pk}/" in _body(not_ready)
    # Again the same day: nothing twice.
    call_command("send_notices", stdout=io.StringIO())
    assert len(inbox.messages) == 3
    # Once the case has recent imaging, it is no longer "not ready".
    make_timepoint(case, timezone.localdate())
    assert notify.not_ready(now) == []


def test_a_notice_that_cannot_be_sent_is_tried_again(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", free_port()  # nobody listens
    user = _user("someone", "someone@example.org")
    message = notify.Message(user, "action_overdue", "action-1", "x", ("y",), "/")
    assert notify.send([message]) == 0
    assert not Notice.objects.exists()


def test_my_work_lists_my_cases_actions_and_decisions_to_sign(client, settings):
    me = _user("me", "me@example.org")
    client.force_login(me)
    mine = make_case(patient=make_patient(mrn="M-1", name="Mina Mine"), created_by=me)
    other = make_case(patient=make_patient(mrn="M-2", name="Otto Other"))
    meeting = make_meeting([other], starts_at=timezone.now() + datetime.timedelta(days=2))
    item = meeting.agenda_items.get()
    item.presenter = me
    item.save()
    past = make_meeting([mine])
    past.board.default_chair = me
    past.board.save()
    record = Decision.objects.create(agenda_item=past.agenda_items.get())
    _signed(make_meeting([other], board_name="Other board").agenda_items.get(), me,
            [("Review the MRI", me, timezone.localdate() - datetime.timedelta(days=1))])  # fmt: skip
    page = client.get(reverse("my_work")).content.decode()
    assert f"Case {mine.pk}: Mina Mine" in page and f"Case {other.pk}: Otto Other" in page
    assert "you present" in page and "Not ready" in page
    assert "Review the MRI" in page and "overdue" in page
    assert reverse("decisions:decision_edit", args=[past.pk, record.agenda_item_id]) in page
    # Turning a kind of notice off.
    client.post(reverse("my_work"), {"wanted": ["action_assigned", "decision_to_sign"]})
    assert NoticeChoice.objects.get(user=me).off == ["action_overdue", "case_not_ready"]
