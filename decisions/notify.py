"""E-mail notices that bring the board's work to the people who own it.

Four kinds (``accounts.NoticeKind``): an action assigned to you (when its decision is
signed: a task for the worker), an action of yours overdue, a case you present not ready N days before its
meeting, and a decision waiting for your signature; the last three by the daily
``manage.py send_notices``. Each user chooses which to receive (``NoticeChoice``).

A notice names no patient and no hospital number, nor anything typed about the patient
(an action's text may name them): only the case number, the meeting and a link into the
app, where the reader signs in and is shown what their role allows. At most one notice of
a kind about the same thing goes to a user a day (``Notice``), so running the command
twice sends nothing twice.
"""

from __future__ import annotations

import datetime
import logging
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django_tasks import task

from accounts.models import Notice, NoticeChoice, NoticeKind
from decisions.models import Action, Decision, DecisionStatus
from meetings import readiness as meeting_readiness
from meetings.models import Board, Meeting

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Message:
    user: object
    kind: str
    about: str  # what it is about, for sending it once a day ("action-12")
    subject: str
    lines: tuple[str, ...]
    path: str  # the app's address of what it is about


def wants(user, kind: str) -> bool:
    if not user.is_active or not user.email:
        return False
    choice = NoticeChoice.objects.filter(user=user).first()
    return choice is None or kind not in choice.off


def meeting_words(meeting: Meeting) -> str:
    """E.g. "Liver board, 8 Dec 2026 07:30" (no patient in it)."""
    return f"{meeting.board.name}, {timezone.localtime(meeting.starts_at):%-d %b %Y %H:%M}"


def send(messages: list[Message], today: datetime.date | None = None) -> int:
    """Send each message its user wants and has not had today; how many were sent. A
    message that could not be sent is not recorded, so the next run tries again."""
    today = today or timezone.localdate()
    sent = 0
    connection = get_connection(fail_silently=False)
    for message in messages:
        if not wants(message.user, message.kind):
            continue
        try:
            with transaction.atomic():
                Notice.objects.create(
                    user=message.user, kind=message.kind, about=message.about, day=today
                )
                link = f"{settings.SITE_URL}{message.path}"
                body = "\n\n".join([*message.lines, f"Open it in Tumor board: {link}",
                                    "You receive this notice because of your choices under "
                                    f"My work: {settings.SITE_URL}{reverse('my_work')}"])  # fmt: skip
                EmailMessage(
                    f"Tumor board: {message.subject}", body, to=[message.user.email],
                    connection=connection,
                ).send()  # fmt: skip
        except IntegrityError:
            continue  # sent today already
        except OSError as error:
            log.error("notice %s to user %s not sent: %s", message.kind, message.user.pk, error)
            continue
        sent += 1
    return sent


def _item_path(item) -> str:
    return reverse("decisions:meeting_mode", args=[item.meeting_id, item.pk])


def _assigned(action: Action) -> Message:
    item = action.decision.agenda_item
    due = f", due {action.due:%-d %b %Y}" if action.due else ""
    return Message(
        action.assignee, NoticeKind.ACTION_ASSIGNED, f"action-{action.pk}",
        f"an action on case {item.case_id} is assigned to you",
        (f"The board ({meeting_words(item.meeting)}) assigned an action on case "
         f"{item.case_id} to you{due}.",),
        _item_path(item),
    )  # fmt: skip


@task()
def actions_assigned(decision_id: int) -> int:
    """Tell the assignee of each open action of a decision just signed. A task (queued
    when the signature is committed): an SMTP server that is slow or away never holds up
    the signer's page, and the worker's next run of the daily notices is not needed."""
    decision = Decision.objects.filter(pk=decision_id).first()
    if decision is None:
        return 0
    actions = decision.actions.filter(assignee__isnull=False, done_at__isnull=True).select_related(
        "assignee", "decision__agenda_item__meeting__board"
    )
    return send([_assigned(action) for action in actions])


def overdue(today: datetime.date) -> list[Message]:
    """Open actions of signed records in force, past their due date, to their assignees."""
    actions = (
        Action.objects.filter(
            due__lt=today, done_at__isnull=True, assignee__isnull=False,
            decision__in=Decision.objects.in_force(),
        )
        .select_related("assignee", "decision__agenda_item__meeting__board")
        .order_by("due", "pk")
    )  # fmt: skip
    found = []
    for action in actions:
        item = action.decision.agenda_item
        found.append(Message(
            action.assignee, NoticeKind.ACTION_OVERDUE, f"action-{action.pk}",
            f"an action on case {item.case_id} is overdue",
            (f"An action on case {item.case_id} from {meeting_words(item.meeting)} was due "
             f"on {action.due:%-d %b %Y} and is not marked done.",),
            _item_path(item),
        ))  # fmt: skip
    return found


def not_ready(now: datetime.datetime) -> list[Message]:
    """Cases not ready (a blocking item open) on the agendas of the meetings of the next
    READINESS_NOTICE_DAYS, to who presents them."""
    found = []
    for meeting, listed in meeting_readiness.not_ready(meeting_readiness.coming(now=now),
                                                       warnings=False):  # fmt: skip
        for entry in listed:
            if entry.item.presenter is None:
                continue
            count = sum(1 for check in entry.readiness.open if check.blocks)
            found.append(Message(
                entry.item.presenter, NoticeKind.CASE_NOT_READY, f"item-{entry.item.pk}",
                f"case {entry.item.case_id} is not ready for its meeting",
                (f"Case {entry.item.case_id}, which you present at {meeting_words(meeting)}, "
                 f"is not ready: {count} item{'s' if count != 1 else ''} of the checklist "
                 "still open. The case page says what to complete.",),
                reverse("cases:case_detail", args=[entry.item.case_id]),
            ))  # fmt: skip
    return found


def to_sign(now: datetime.datetime) -> list[Message]:
    """Draft records of meetings that have started, to each account that may sign for
    the meeting's board (its default chair and members who may sign)."""
    drafts = (
        Decision.objects.filter(
            status=DecisionStatus.DRAFT, agenda_item__meeting__starts_at__lte=now,
            agenda_item__meeting__starts_at__gte=now - datetime.timedelta(days=30),
        )
        .select_related("agenda_item__meeting__board")
        .order_by("pk")
    )  # fmt: skip
    signers: dict[int, list] = {}
    found = []
    for decision in drafts:
        item = decision.agenda_item
        board = item.meeting.board
        if board.pk not in signers:
            signers[board.pk] = list(signers_of(board))
        for user in signers[board.pk]:
            found.append(Message(
                user, NoticeKind.DECISION_TO_SIGN, f"decision-{decision.pk}",
                f"the decision on case {item.case_id} waits for a signature",
                (f"The record of case {item.case_id} at {meeting_words(item.meeting)} is a "
                 "draft; you may sign for this board.",),
                _item_path(item),
            ))  # fmt: skip
    return found


def signers_of(board: Board):
    """Active accounts that may sign for the board (``Board.may_sign``)."""
    from django.contrib.auth.models import User

    return User.objects.filter(
        Q(pk=board.default_chair_id)
        | Q(board_memberships__board=board, board_memberships__may_sign=True),
        is_active=True,
    ).distinct()


def daily(now: datetime.datetime | None = None) -> dict[str, int]:
    """The daily notices (``manage.py send_notices``): how many of each kind were sent."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    return {
        NoticeKind.ACTION_OVERDUE: send(overdue(today), today),
        NoticeKind.CASE_NOT_READY: send(not_ready(now), today),
        NoticeKind.DECISION_TO_SIGN: send(to_sign(now), today),
    }
