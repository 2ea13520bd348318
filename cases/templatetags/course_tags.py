"""The course chart (``cases.course_chart``) as inline SVG."""

from django import template
from django.utils.safestring import mark_safe

from cases.course_chart import svg
from cases.pseudonym import scrub

register = template.Library()


@register.simple_tag
def course_svg(chart, chart_id: str = "course-chart"):
    """The chart's markup: built and escaped by ``cases.course_chart.svg``."""
    return mark_safe(svg(chart, chart_id))  # noqa: S308 (every value escaped there)


@register.filter
def shown_in(text: str, seen) -> str:
    """Free text of the course as the document shows it: with the patient's identifiers
    replaced where it is pseudonymised (``cases.pseudonym.scrub``)."""
    if not text or not getattr(seen, "pseudonymised", False):
        return text
    return scrub(text, seen.case)
