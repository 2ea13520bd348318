"""The course chart (``cases.course_chart``) as inline SVG."""

from django import template
from django.utils.safestring import mark_safe

from cases.course_chart import svg

register = template.Library()


@register.simple_tag
def course_svg(chart, chart_id: str = "course-chart"):
    """The chart's markup: built and escaped by ``cases.course_chart.svg``."""
    return mark_safe(svg(chart, chart_id))  # noqa: S308 (every value escaped there)
