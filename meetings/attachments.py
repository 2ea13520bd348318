"""A case's attachments at a meeting: a pseudonymised meeting holds back those whose kind
may name the patient (reports, letters) until the coordinator releases them for it."""

from __future__ import annotations

from cases.models import Attachment, Case
from meetings.models import AttachmentRelease, Meeting


def at_meeting(meeting: Meeting, case: Case) -> tuple[list[Attachment], list[Attachment]]:
    """(shown, held back) for this case at this meeting."""
    found = list(case.attachments.select_related("timepoint"))
    if not meeting.pseudonymise:
        return found, []
    released = set(
        AttachmentRelease.objects.filter(meeting=meeting, attachment__case=case).values_list(
            "attachment_id", flat=True
        )
    )
    shown = [a for a in found if not a.may_name_patient or a.pk in released]
    return shown, [a for a in found if a not in shown]


def release(meeting: Meeting, case: Case, ids: list[int], user) -> int:
    """Release these attachments of the case for the meeting; how many were new."""
    wanted = case.attachments.filter(pk__in=ids).values_list("pk", flat=True)
    made = AttachmentRelease.objects.bulk_create(
        [AttachmentRelease(meeting=meeting, attachment_id=pk, released_by=user) for pk in wanted],
        ignore_conflicts=True,
    )
    return len(made)
