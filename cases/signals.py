"""What the apps above learn of changes to cases, in this app's words.

``section_changed`` is sent (with ``case_ids``) whenever what a case's printed section
shows may have changed: the case or its patient saved or deleted, however (a form, the
admin, a command), a row of the patient's course (every case of the patient shows it), or
the rows of its lesion table (the lesion module sends it), its attachments (a key
image may be printed; a deleted one's files are removed once the deletion is committed). The
apps above listen to this rather than to this app's
models (``meetings.prerender`` lays sections out ahead).
"""

from __future__ import annotations

from django.db.models.signals import post_delete, post_save
from django.dispatch import Signal

section_changed = Signal()


def _case(sender, instance, **kwargs) -> None:
    section_changed.send(sender=sender, case_ids=[instance.pk])


def _patient(sender, instance, created=False, **kwargs) -> None:
    if not created:
        case_ids = list(instance.cases.values_list("pk", flat=True))
        section_changed.send(sender=sender, case_ids=case_ids)


def _course(sender, instance, **kwargs) -> None:
    from cases.models import Case

    case_ids = list(
        Case.objects.filter(patient_id=instance.patient_id).values_list("pk", flat=True)
    )
    section_changed.send(sender=sender, case_ids=case_ids)


def _attachment(sender, instance, **kwargs) -> None:
    section_changed.send(sender=sender, case_ids=[instance.case_id])


def _attachment_deleted(sender, instance, **kwargs) -> None:
    from cases.attachments import delete_files

    delete_files(instance)
    _attachment(sender, instance)


def connect() -> None:
    """(``CasesConfig.ready``)"""
    from cases.models import Attachment, Case, DatedValue, ImagingTimepoint, Patient, Treatment

    receivers = [(Case, _case), (Patient, _patient),
                 *((model, _course) for model in (ImagingTimepoint, DatedValue, Treatment))]  # fmt: skip
    for model, receiver in receivers:
        uid = f"section-changed-{model._meta.label}"
        post_save.connect(receiver, sender=model, dispatch_uid=uid)
        post_delete.connect(receiver, sender=model, dispatch_uid=uid)
    uid = "section-changed-attachment"
    post_save.connect(_attachment, sender=Attachment, dispatch_uid=uid)
    post_delete.connect(_attachment_deleted, sender=Attachment, dispatch_uid=uid)
