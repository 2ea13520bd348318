"""Periods that reports and exports default to."""

from __future__ import annotations

import datetime


def last_twelve_months(today: datetime.date) -> tuple[datetime.date, datetime.date]:
    """The twelve months up to today, today included (first and last day)."""
    try:
        start = today.replace(year=today.year - 1)
    except ValueError:  # 29 February
        start = today.replace(year=today.year - 1, day=28)
    return start + datetime.timedelta(days=1), today
