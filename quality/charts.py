"""The geometry of the report's charts: horizontal bars, one per row.

Pure arithmetic, no ORM: ``templates/quality/_bar_chart.html`` draws the result as
inline SVG with presentation attributes only (``fill=``, ``font-size=``), which the
strict CSP allows and WeasyPrint honours (it ignores CSS classes inside inline SVG),
so the same chart serves the dashboard and the PDF.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from decisions.concordance import CLASS_WORDS

WIDTH = 560
LABEL_WIDTH = 190
VALUE_WIDTH = 70
ROW = 22
BAR = 14
TOP = 6
COLOURS = ("#2f6690", "#9ab8cc")  # the bar, the second bar of a pair (dark enough on white)


@dataclass(frozen=True)
class Bar:
    label: str
    text: str  # the value as it reads ("75 %", "12 days")
    x: float
    y: float
    width: float
    height: float
    fill: str
    label_y: float


@dataclass(frozen=True)
class Chart:
    bars: tuple[Bar, ...]
    width: int
    height: int
    label_x: float  # where the labels end (they are right-aligned)
    value_x: float
    axis_x: float

    @property
    def empty(self) -> bool:
        return not self.bars


def bars(
    rows: Sequence[tuple[str, float | None, str]],
    *,
    maximum: float | None = None,
    paired: Sequence[tuple[float | None, str]] = (),
) -> Chart:
    """A chart of ``rows`` (label, value, value in words), bars scaled to ``maximum``
    (the largest value when not given). ``paired`` adds a second, lighter bar under
    each row (e.g. the 90th percentile under the median). A value of None draws no bar
    (its words still say why)."""
    values = [v for _, v, _ in rows if v is not None] + [v for v, _ in paired if v is not None]
    top = maximum if maximum is not None else max(values, default=0)
    span = WIDTH - LABEL_WIDTH - VALUE_WIDTH
    per_row = ROW + (BAR if paired else 0)
    drawn = []
    for index, (label, value, text) in enumerate(rows):
        y = TOP + index * per_row
        drawn.append(_bar(label, value, text, y, top, span, COLOURS[0]))
        if paired:
            second, second_text = paired[index]
            drawn.append(_bar("", second, second_text, y + BAR, top, span, COLOURS[1]))
    return Chart(
        bars=tuple(drawn),
        width=WIDTH,
        height=TOP * 2 + len(rows) * per_row,
        label_x=LABEL_WIDTH - 6,
        value_x=WIDTH - VALUE_WIDTH + 6,
        axis_x=LABEL_WIDTH,
    )


LABEL_CHARACTERS = 30


def _bar(label, value, text, y, top, span, fill) -> Bar:
    width = 0.0 if value is None or top <= 0 else max(0.0, min(1.0, value / top)) * span
    if len(label) > LABEL_CHARACTERS:  # the table beside the chart has it in full
        label = label[: LABEL_CHARACTERS - 1] + "…"
    return Bar(label, text, LABEL_WIDTH, y, round(width, 1), BAR - 2, fill, y + BAR - 3)


def _percent(share) -> str:
    return "–" if share.percent is None else f"{share.percent:.0f} %"


def report_charts(report) -> dict[str, Chart]:
    """The report's charts by table name (``quality.report.tables`` names the same
    tables, with the titles): one geometry for the dashboard and the PDF."""
    intervals = report.intervals
    return {
        "activity": bars(
            [(label, n, str(n)) for label, n in report.activity],
        ),
        "concordance-classes": bars(
            [(CLASS_WORDS[klass].capitalize(), n, str(n)) for klass, n in report.classes.items()],
        ),
        "concordance-by-area": bars(
            [(s.label, s.percent, _percent(s)) for s in report.by_area], maximum=100
        ),
        "discordant-by-reason-group": bars(
            [(s.label, s.percent, _percent(s)) for s in report.discordant_by_group],
            maximum=100,
        ),
        "beside-concordance": bars(
            [
                (s.label, s.percent, _percent(s))
                for s in (report.not_relevant, report.with_pending, report.pathway)
            ],
            maximum=100,
        ),  # fmt: skip
        "concordance-by-section": bars(
            [(s.label, s.percent, _percent(s)) for s in [*report.by_section, report.concordance]],
            maximum=100,
        ),
        "reasons-not-followed": bars(
            [(reason, n, str(n)) for reason, _, n in report.reasons],
        ),
        "intervals": bars(
            [(i.name, i.median, _days(i.median)) for i in intervals],
            paired=[(i.p90, _days(i.p90)) for i in intervals],
        ),
        "trials": bars(
            [
                (s.label, s.percent, _percent(s))
                for s in (report.trial_candidates, report.trial_offered)
            ],
            maximum=100,
        ),  # fmt: skip
        "attendance": bars(
            [(s.label, s.percent, _percent(s)) for s in report.attendance],
            maximum=100,
        ),
    }


def _days(value) -> str:
    return "–" if value is None else f"{value:g} d"
