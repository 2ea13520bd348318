"""My work: what the board handed to the signed-in clinician, on one page -- the cases they
entered or present (with their readiness for the next meeting), the actions assigned to
them, the decisions waiting for their signature -- and which e-mail notices they receive."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.db.models import Exists, OuterRef, Q, Subquery
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from accounts.access import require
from accounts.models import NoticeChoice, NoticeKind
from cases import readiness
from cases.models import Case, CaseStatus
from decisions.models import Action, Decision, DecisionStatus
from guidelines import snapshot
from meetings.models import Board

LISTED = 50


class NoticeForm(forms.Form):
    wanted = forms.MultipleChoiceField(
        label="E-mail me when", choices=NoticeKind.choices, required=False,
        widget=forms.CheckboxSelectMultiple,
    )  # fmt: skip


def _cases(user, now):
    """Open cases the user entered or presents at a coming meeting, each with its next
    meeting and readiness as of that day."""
    upcoming = readiness.next_listing(now)
    presents = readiness.upcoming_listings(now).filter(presenter=user).values("case_id")
    cases = list(
        Case.objects.filter(Q(created_by=user) | Q(pk__in=presents))
        .exclude(status=CaseStatus.CLOSED)
        .select_related("patient")
        .prefetch_related(*readiness.relations())
        .annotate(
            next_meeting=Subquery(upcoming.values("meeting__starts_at")[:1]),
            next_meeting_id=Subquery(upcoming.values("meeting_id")[:1]),
            i_present=Exists(presents.filter(case_id=OuterRef("pk"))),
        )
        .order_by("-updated_at")[:LISTED]
    )
    content = snapshot.current()
    for case in cases:
        day = readiness.meeting_day(case.next_meeting) if case.next_meeting else None
        case.readiness = readiness.readiness_of(case, day, content=content)
    return cases


def _to_sign(user, now):
    boards = Board.objects.signed_for_by(user)
    return list(
        Decision.objects.filter(
            status=DecisionStatus.DRAFT, agenda_item__meeting__board__in=boards,
            agenda_item__meeting__starts_at__lte=now,
        )
        .select_related("agenda_item__meeting__board", "agenda_item__case__patient")
        .order_by("agenda_item__meeting__starts_at", "agenda_item__position")[:LISTED]
    )  # fmt: skip


@require_http_methods(["GET", "POST"])
def my_work(request: HttpRequest) -> HttpResponse:
    require(request, "cases.view_case")
    user = request.user
    choice = NoticeChoice.objects.filter(user=user).first()
    off = set(choice.off) if choice else set()
    if request.method == "POST":
        form = NoticeForm(request.POST)
        if form.is_valid():
            wanted = set(form.cleaned_data["wanted"])
            NoticeChoice.objects.update_or_create(
                user=user, defaults={"off": sorted(set(NoticeKind.values) - wanted)}
            )
            messages.success(request, "Your choice of notices is saved.")
            return redirect("my_work")
    else:
        form = NoticeForm(initial={"wanted": [k for k in NoticeKind.values if k not in off]})
    now = timezone.now()
    today = timezone.localdate(now)
    actions = list(
        Action.objects.filter(assignee=user, done_at__isnull=True,
                              decision__in=Decision.objects.in_force())
        .select_related("decision__agenda_item__meeting__board", "decision__agenda_item__case__patient")
        .order_by("due", "pk")[:LISTED]
    )  # fmt: skip
    for action in actions:
        action.overdue = bool(action.due and action.due < today)
    return render(request, "decisions/my_work.html", {
        "cases": _cases(user, now),
        "actions": actions,
        "to_sign": _to_sign(user, now),
        "form": form,
        "has_email": bool(user.email),
    })  # fmt: skip
