"""Periods that reports and exports default to."""

from __future__ import annotations

import datetime

from django import forms
from django.utils import timezone


def last_twelve_months(today: datetime.date) -> tuple[datetime.date, datetime.date]:
    """The twelve months up to today, today included (first and last day)."""
    try:
        start = today.replace(year=today.year - 1)
    except ValueError:  # 29 February
        start = today.replace(year=today.year - 1, day=28)
    return start + datetime.timedelta(days=1), today


LONGEST = datetime.timedelta(days=366 * 10)
DATE_WIDGET = {"format": "%Y-%m-%d", "attrs": {"type": "date"}}


class PeriodForm(forms.Form):
    """A period of days, both included: the last twelve months unless chosen. A bound
    form fills in what was not given from that default; a start after the end, or a
    period longer than ten years, is refused next to the field."""

    start = forms.DateField(label="From", widget=forms.DateInput(**DATE_WIDGET))
    end = forms.DateField(label="To", widget=forms.DateInput(**DATE_WIDGET))

    def __init__(self, data=None, **kwargs):
        start, end = last_twelve_months(timezone.localdate())
        if data is not None:
            data = {"start": start.isoformat(), "end": end.isoformat(), **data.dict()}
        super().__init__(data, initial={"start": start, "end": end}, **kwargs)

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start"), cleaned.get("end")
        if start and end and start > end:
            self.add_error("end", "The end of the period is before its start.")
        elif start and end and end - start > LONGEST:
            self.add_error("start", "Choose a period of ten years at the most.")
        return cleaned
