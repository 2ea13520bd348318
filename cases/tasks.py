"""Background work on cases: laying out a case's printed section ahead of need."""

from __future__ import annotations

from django_tasks import task

from cases import course, sections
from cases.attachments import image_order
from cases.models import AttachmentKind, Case
from cases.summary import build_section


@task()
def lay_out_section(
    case_id: int, number: int, pseudonymise: bool, key_images: list[int] | None = None
) -> bool:
    """Lay out the case's section as a document would print it now (agenda number,
    pseudonymised or not, with these key images), unless it is stored already or another
    worker is on it; whether this task laid it out."""
    case = (
        Case.objects.select_related("patient")
        .prefetch_related(*course.relations())
        .filter(pk=case_id)
        .first()
    )
    if case is None:
        return False  # deleted meanwhile
    images = case.attachments.filter(pk__in=key_images or [], kind=AttachmentKind.KEY_IMAGE)
    section = build_section(
        case, number, pseudonymise=pseudonymise, key_images=sorted(images, key=image_order)
    )
    return sections.lay_out_if_needed(sections.prepare(section))
