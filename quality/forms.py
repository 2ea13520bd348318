"""The dashboard's filters: board, period and disease area."""

from __future__ import annotations

from urllib.parse import urlencode

from django import forms
from django.http import Http404
from django.utils import timezone

from common.periods import PeriodForm, last_twelve_months
from guidelines import snapshot
from meetings.models import Board
from quality.report import Scope

DASHBOARD = "quality.view_dashboard"


def visible_boards(user) -> list[Board]:
    """The boards whose figures a user may see: every board for coordinators and
    administrators; the boards they chair or sign for, for a clinician; none else."""
    if user.has_perm(DASHBOARD):
        return list(Board.objects.order_by("name"))
    return list(Board.objects.signed_for_by(user).order_by("name"))


def boards_or_404(user) -> list[Board]:
    boards = visible_boards(user)
    if not boards:
        raise Http404  # as every refused page: nothing about what exists
    return boards


class ScopeForm(PeriodForm):
    board = forms.ChoiceField(label="Board", required=False)
    area = forms.ChoiceField(label="Disease area", required=False)
    field_order = ["board", "start", "end", "area"]

    def __init__(self, data, *, boards: list[Board]):
        super().__init__(data or None)  # no filters given: the default scope, unbound
        self.boards = boards
        self.fields["board"].choices = [("", "All boards shown")] + [
            (str(board.pk), board.name) for board in boards
        ]
        self.areas = {c.area.slug: c.area for c in snapshot.current().areas.values()}
        self.fields["area"].choices = [("", "Every area")] + [
            (slug, area.name) for slug, area in self.areas.items()
        ]

    def scope(self) -> Scope:
        """The scope of a valid form (the default scope for an unbound one)."""
        data = self.cleaned_data if self.is_bound else {}
        start, end = last_twelve_months(timezone.localdate())
        board = data.get("board")
        boards = [b for b in self.boards if str(b.pk) == board] if board else self.boards
        area = self.areas.get(data.get("area") or "")
        return Scope(
            boards=tuple(boards),
            start=data.get("start", start),
            end=data.get("end", end),
            area_id=area.pk if area else None,
            area_name=area.name if area else "",
        )

    def query(self) -> str:
        """The filters as a query string, for the CSV links and the report."""
        if not self.is_bound or not self.is_valid():
            return ""
        return urlencode({k: v for k, v in self.data.items() if k in self.fields and v})
