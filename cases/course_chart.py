"""The geometry of the course chart: one time axis with the treatments as bars, the imaging
timepoints with their response, and the curve of one fact recorded over time (CEA).

Pure arithmetic on the course (``cases.course``), no ORM; ``svg`` writes the shapes as
inline SVG with presentation attributes only, which the strict CSP allows and WeasyPrint
honours (as the quality charts, ``quality.charts``), so the same chart serves the case page,
meeting mode and the printed section (``templates/cases/_course_chart.html``). Every chart has its table
beside it (the course tables), which says the same in words.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from html import escape

WIDTH = 560
LEFT = 56  # the curve's value labels
RIGHT = 24
TOP = 6
BAR = 14
BAR_GAP = 4
IMAGING = 34  # the band of the imaging timepoints
CURVE = 90
AXIS = 24
INK, LIGHT, MUTED, ACCENT = "#1d2b36", "#cfe0ea", "#5b6b78", "#2f6690"
RESPONSE_INK = {"PD": "#a02c2c", "CR": "#1f6b3a", "PR": "#1f6b3a"}
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


@dataclass(frozen=True)
class Shape:
    kind: str  # rect, line, circle, text, polyline
    attrs: tuple[tuple[str, object], ...]
    text: str = ""


@dataclass(frozen=True)
class CourseChart:
    width: int
    height: int
    shapes: tuple[Shape, ...]
    title: str
    description: str
    curve_label: str = ""

    @property
    def empty(self) -> bool:
        return not self.shapes


def _shape(kind: str, text: str = "", **attrs) -> Shape:
    return Shape(kind, tuple((name.replace("_", "-"), value) for name, value in attrs.items()),
                 text)  # fmt: skip


def _r(value: float) -> float:
    return round(value, 1)


def chart(course, curve_fact: str = "", curve_label: str = "", unit: str = "",
          today: datetime.date | None = None, text=str) -> CourseChart:  # fmt: skip
    """The chart of a course (``cases.course.Course``); ``curve_fact``: the fact whose dated
    values draw the curve (none where it has no values); ``text``: how free text is shown
    (a pseudonymised document's replaces the patient's identifiers)."""
    today = today or datetime.date.today()
    values = list(course.series.get(curve_fact, ())) if curve_fact else []
    treatments = list(course.treatments)
    points = list(course.points)
    days = [p.timepoint.day for p in points] + [v.day for v in values]
    for treatment in treatments:
        days += [treatment.started_on, treatment.ended_on or treatment.started_on]
        if treatment.ongoing:
            days.append(max(today, treatment.started_on))
    if not days:
        return CourseChart(WIDTH, 0, (), "", "")
    start, end = min(days), max(days)
    if (end - start).days < 30:
        start, end = start - datetime.timedelta(days=15), end + datetime.timedelta(days=15)
    span = WIDTH - LEFT - RIGHT

    def x(day: datetime.date) -> float:
        return _r(LEFT + (day - start).days / (end - start).days * span)

    shapes: list[Shape] = []
    y = TOP
    for treatment in treatments:
        x0 = x(treatment.started_on)
        last = treatment.ended_on or (max(today, treatment.started_on) if treatment.ongoing
                                      else treatment.started_on)  # fmt: skip
        width = max(_r(x(last) - x0), 4)
        instant = last == treatment.started_on
        shapes.append(_shape("rect", x=x0, y=y, width=width, height=BAR,
                             fill=ACCENT if instant else LIGHT))  # fmt: skip
        words = text(str(treatment)) + (" (ongoing)" if treatment.ongoing else "")
        label_x = x0 + width + 4 if instant or width < 120 else x0 + 4
        anchor = "start"
        if label_x > WIDTH - 150:  # near the right edge: before the bar
            label_x, anchor = x0 - 4, "end"
        shapes.append(_shape("text", words[:60], x=_r(label_x), y=y + BAR - 3, font_size=10,
                             fill=INK, text_anchor=anchor))  # fmt: skip
        y += BAR + BAR_GAP
    if points:
        line_y = y + IMAGING - 10
        shapes.append(_shape("line", x1=LEFT, y1=line_y, x2=WIDTH - RIGHT, y2=line_y,
                             stroke=MUTED, stroke_width=1))  # fmt: skip
        shapes.append(_shape("text", "Imaging", x=LEFT - 6, y=line_y + 4, font_size=10,
                             fill=MUTED, text_anchor="end"))  # fmt: skip
        for point in points:
            px = x(point.timepoint.day)
            shapes.append(_shape("circle", cx=px, cy=line_y, r=4, fill=ACCENT))
            label = _response_label(point)
            if label:
                shapes.append(_shape("text", label, x=px, y=line_y - 8, font_size=10,
                                     fill=RESPONSE_INK.get(label, INK), text_anchor="middle",
                                     font_weight="bold"))  # fmt: skip
        y += IMAGING
    if values:
        top = max(v.value for v in values) or 1.0
        base = y + CURVE

        def vy(value: float) -> float:
            return _r(base - value / top * (CURVE - 14))

        shapes.append(_shape("line", x1=LEFT, y1=base, x2=WIDTH - RIGHT, y2=base, stroke=MUTED,
                             stroke_width=1))  # fmt: skip
        shapes.append(_shape("text", f"{curve_label}", x=LEFT - 6, y=y + 12, font_size=10,
                             fill=MUTED, text_anchor="end"))  # fmt: skip
        shapes.append(_shape("text", unit, x=LEFT - 6, y=y + 24, font_size=9, fill=MUTED,
                             text_anchor="end"))  # fmt: skip
        coords = [(x(v.day), vy(v.value)) for v in values]
        if len(coords) > 1:
            shapes.append(_shape("polyline", points=" ".join(f"{a},{b}" for a, b in coords),
                                 fill="none", stroke=ACCENT, stroke_width=2))  # fmt: skip
        for (cx, cy), value in zip(coords, values, strict=True):
            shapes.append(_shape("circle", cx=cx, cy=cy, r=3, fill=ACCENT))
            shapes.append(_shape("text", f"{value.value:g}", x=cx, y=_r(cy - 6), font_size=9,
                                 fill=INK, text_anchor="middle"))  # fmt: skip
        y = base
    y += 4
    shapes.append(_shape("line", x1=LEFT, y1=y, x2=WIDTH - RIGHT, y2=y, stroke=INK,
                         stroke_width=1))  # fmt: skip
    for tick in _ticks(start, end):
        tx = x(tick)
        shapes.append(_shape("line", x1=tx, y1=y, x2=tx, y2=y + 4, stroke=INK, stroke_width=1))
        anchor = "end" if tx > WIDTH - 40 else "middle"  # (the last label stays inside)
        shapes.append(_shape("text", f"{MONTHS[tick.month - 1]} {tick.year}", x=tx, y=y + 16,
                             font_size=9, fill=INK, text_anchor=anchor))  # fmt: skip
    return CourseChart(
        width=WIDTH, height=int(y + AXIS), shapes=tuple(shapes),
        title="The patient's course",
        description=_description(treatments, points, values, curve_label, unit),
        curve_label=curve_label if values else "",
    )  # fmt: skip


ELEMENTS = {"rect", "line", "circle", "text", "polyline"}


def svg(chart: CourseChart, chart_id: str) -> str:
    """The chart as inline SVG markup, every attribute and text escaped (built here rather
    than shape by shape in a template: a long course has a few hundred shapes)."""
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" '
        f'aria-labelledby="{escape(chart_id)}-title {escape(chart_id)}-desc" '
        f'viewBox="0 0 {chart.width} {chart.height}" width="{chart.width}" '
        f'height="{chart.height}" font-family="sans-serif">',
        f'<title id="{escape(chart_id)}-title">{escape(chart.title)}</title>',
        f'<desc id="{escape(chart_id)}-desc">{escape(chart.description)}</desc>',
    ]
    for shape in chart.shapes:
        if shape.kind not in ELEMENTS:
            continue
        attrs = " ".join(f'{escape(name)}="{escape(str(value))}"' for name, value in shape.attrs)
        if shape.kind == "text":
            parts.append(f"<text {attrs}>{escape(shape.text)}</text>")
        else:
            parts.append(f"<{shape.kind} {attrs}/>")
    parts.append("</svg>")
    return "".join(parts)


def _response_label(point) -> str:
    assessment = point.assessment
    if assessment is None:
        return ""
    return "BL" if assessment.baseline else assessment.overall


def _ticks(start: datetime.date, end: datetime.date) -> list[datetime.date]:
    """First days of months within the range, every nth so that at most six are drawn."""
    months = []
    day = datetime.date(start.year, start.month, 1)
    while day <= end:
        if day >= start:
            months.append(day)
        day = datetime.date(day.year + day.month // 12, day.month % 12 + 1, 1)
    step = max(1, -(-len(months) // 6))
    return months[::step]


def _description(treatments, points, values, curve_label, unit) -> str:
    parts = [f"{len(treatments)} treatment(s)", f"{len(points)} imaging timepoint(s)"]
    if values:
        parts.append(f"{len(values)} value(s) of {curve_label} ({unit})")
    return "Time axis with " + ", ".join(parts) + "; the tables below give each in words."
