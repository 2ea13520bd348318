"""The dashboard's filters: board, period and disease area."""

from __future__ import annotations

import datetime
from urllib.parse import urlencode

from django import forms
from django.http import Http404
from django.utils import timezone

from config.periods import last_twelve_months
from guidelines import snapshot
from meetings.models import Board
from quality.report import Scope

DASHBOARD = "quality.view_dashboard"
LONGEST = datetime.timedelta(days=366 * 10)
DATE_WIDGET = forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"})


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


class ScopeForm(forms.Form):
    board = forms.ChoiceField(label="Board", required=False)
    start = forms.DateField(label="From", widget=DATE_WIDGET)
    end = forms.DateField(label="To", widget=DATE_WIDGET)
    area = forms.ChoiceField(label="Disease area", required=False)

    def __init__(self, data, *, boards: list[Board]):
        start, end = last_twelve_months(timezone.localdate())
        data = {"start": start.isoformat(), "end": end.isoformat(), **data.dict()} if data else None
        super().__init__(data, initial={"start": start, "end": end})
        self.boards = boards
        self.fields["board"].choices = [("", "All boards shown")] + [
            (str(board.pk), board.name) for board in boards
        ]
        self.areas = {c.area.slug: c.area for c in snapshot.current().areas.values()}
        self.fields["area"].choices = [("", "Every area")] + [
            (slug, area.name) for slug, area in self.areas.items()
        ]

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start"), cleaned.get("end")
        if start and end and start > end:
            self.add_error("end", "The end of the period is before its start.")
        elif start and end and end - start > LONGEST:
            self.add_error("start", "Choose a period of ten years at the most.")
        return cleaned

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
