"""What every document made in the background shares: its states, its progress, its
lease and its file (``Rendering``, abstract). Each kind of document is registered in
``documents.kinds``; the rows of each are kept by the app whose records they print
(``meetings.Handout``: meeting packs, minutes and letters; ``quality.QualityReport``),
because they belong to those records and go when those records go."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import models
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from documents import kinds


class Status(models.TextChoices):
    QUEUED = "queued", "Waiting for a worker"
    RUNNING = "running", "Rendering"
    DONE = "done", "Ready"
    FAILED = "failed", "Failed"


class Stage(models.TextChoices):
    PREPARING = "preparing", "Preparing cases"
    SECTIONS = "sections", "Laying out case sections"
    MERGING = "merging", "Merging the sections"
    LAYING_OUT = "laying_out", "Laying out pages"
    WRITING = "writing", "Writing the PDF"


WORKER_STOPPED = (
    "The worker stopped while making this document (it was ended, ran out of memory, or its "
    "server restarted). Make it again."
)
# Fields a render updates as it goes: not worth an audit event each.
PROGRESS_FIELDS = ["content", "stage", "cases_done", "pages_done", "detail", "heartbeat_at"]


class RenderingQuerySet(models.QuerySet):
    def expire_stale(self) -> int:
        """Fail the renders whose worker stopped renewing its lease; return how many.

        A worker renews ``heartbeat_at`` every few seconds while it renders. One that
        was killed cannot, so once the lease (``HANDOUT_LEASE_SECONDS``) has run out
        the document is marked failed, its task too, and a new one can be made at once.
        """
        now = timezone.now()
        cutoff = now - datetime.timedelta(seconds=settings.HANDOUT_LEASE_SECONDS)
        stale = self.filter(status=Status.RUNNING).filter(
            models.Q(heartbeat_at__lt=cutoff)
            | models.Q(heartbeat_at__isnull=True, started_at__lt=cutoff)
        )
        found = list(stale.values_list("pk", "task_id"))  # one query when nothing is stale
        if not found:
            return 0
        task_ids = [task for _, task in found if task]
        expired = self.model.objects.filter(
            pk__in=[pk for pk, _ in found], status=Status.RUNNING
        ).update(status=Status.FAILED, error=WORKER_STOPPED, finished_at=now)
        if task_ids:
            DBTaskResult.objects.filter(id__in=task_ids, status="RUNNING").update(
                status="FAILED",
                finished_at=now,
                exception_class_path="documents.tasks.WorkerStopped",
                traceback=WORKER_STOPPED,
            )
        return expired

    def in_progress(self):
        return self.filter(status__in=[Status.QUEUED, Status.RUNNING])


class Rendering(models.Model):
    """A document rendered in the background: its progress, its lease, the file or the
    failure (``documents.tasks.run_render``). ``kind`` names its entry in
    ``documents.kinds``: a field where a table keeps several kinds, else a class
    attribute."""

    status = models.CharField(max_length=8, choices=Status.choices, default=Status.QUEUED)
    stage = models.CharField(max_length=12, choices=Stage.choices, blank=True)
    cases_done = models.PositiveIntegerField(default=0)
    cases_total = models.PositiveIntegerField(default=0)
    pages_done = models.PositiveIntegerField(default=0)
    # What the worker is doing at this stage, in words ("case 4": the section it lays out).
    detail = models.CharField(max_length=120, blank=True)
    error = models.TextField(blank=True)
    # The file, of the type its kind says (a PDF, a spreadsheet, a FHIR bundle).
    content = models.BinaryField(null=True, blank=True, editable=False)
    page_count = models.PositiveIntegerField(null=True, blank=True)
    pseudonymised = models.BooleanField(default=False)
    paper_size = models.CharField(max_length=8, default="A4")
    content_versions = models.JSONField(default=dict, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # The render's lease: renewed by the worker while it works (see expire_stale).
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    task_id = models.CharField(max_length=64, blank=True)

    objects = RenderingQuerySet.as_manager()

    class Meta:
        abstract = True

    @property
    def is_finished(self) -> bool:
        return self.status in (Status.DONE, Status.FAILED)

    @property
    def document_kind(self) -> kinds.Kind:
        return kinds.get(self.kind)

    @property
    def filename(self) -> str:
        return self.document_kind.filename(self)
