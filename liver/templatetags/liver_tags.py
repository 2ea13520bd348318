from django import template

from liver import liver_map

register = template.Library()


@register.filter
def map_regions(lesions) -> list:
    """The liver map's regions for these lesion rows (``liver.liver_map``)."""
    return liver_map.regions(list(lesions))


@register.filter
def map_summary(lesions) -> str:
    return liver_map.summary(list(lesions))
