from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString

from cases.models import day_in_words
from liver import liver_map

register = template.Library()


@register.filter
def map_regions(lesions) -> list:
    """The liver map's regions for these lesion rows (``liver.liver_map``)."""
    return liver_map.regions(list(lesions))


@register.filter
def map_summary(lesions) -> str:
    return liver_map.summary(list(lesions))


@register.simple_tag
def lesion_cells(lesion) -> SafeString:
    """One lesion's cells after its number, the case page's table and the PDF's: segments,
    its size at its latest imaging (or not seen / too small), that imaging, the vessels,
    whether it is still visible, the plan. Built here: a table of many rows, each included
    template by template, was a good part of the case page's time."""
    latest = lesion.latest
    seen = latest.words if latest else "not known"  # not seen, too small, or none
    size = f"{lesion.diameter_mm} mm" if lesion.diameter_mm else seen
    gone = lesion.no_longer_visible
    visible = "not known" if gone is None else ("no longer visible" if gone else "still visible")
    if lesion.viable_diameter_mm is not None:  # (the HCC area's per-lesion fields)
        size += f", viable {lesion.viable_diameter_mm} mm"
    vessels = lesion.get_vessels_display() or "not recorded"
    if lesion.bile_duct_contact is not None:
        vessels += "; bile duct contact" if lesion.bile_duct_contact else "; no bile duct contact"
    imaging = lesion.get_imaging_display() or "—"
    if lesion.imaging_date:
        imaging += f", {day_in_words(lesion.imaging_date)}"
    return format_html(
        '<td data-label="Segments">{}</td><td data-label="Largest">{}{}</td>'
        '<td data-label="Imaging">{}</td><td data-label="Major vessels">{}</td>'
        '<td data-label="After neoadjuvant therapy">{}</td><td data-label="Planned">{}</td>',
        ", ".join(lesion.segments), size,
        SafeString(' <span class="target-mark">(target)</span>') if lesion.target else "",
        imaging, vessels, visible,
        lesion.get_planned_treatment_display(),
    )  # fmt: skip
