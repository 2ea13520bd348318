"""Tumor board meetings: agenda, attendance and the handouts printed for them."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

import pghistory
from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone

from accounts.audit import Authored, audited
from cases.models import Case
from documents.models import PROGRESS_FIELDS, Rendering, RenderingQuerySet, Status
from printing.pdf import Rendered, paper_size


class Specialty(models.Model):
    """A clinical specialty a board member or guest brings (an editable list)."""

    name = models.CharField(max_length=120, unique=True)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "specialties"
        constraints = [
            models.CheckConstraint(condition=~models.Q(name=""), name="specialty_named"),
        ]

    def __str__(self) -> str:
        return self.name


class BoardQuerySet(models.QuerySet):
    def signed_for_by(self, user):
        """The boards a user chairs by default or signs decisions for."""
        if user.pk is None:
            return self.none()
        return self.filter(
            models.Q(default_chair=user) | models.Q(members__user=user, members__may_sign=True)
        ).distinct()


@audited
class Board(Authored):
    """A standing tumor board: who belongs to it, and which specialties make a quorum."""

    name = models.CharField(max_length=200, unique=True)
    required_specialties = models.ManyToManyField(
        Specialty,
        blank=True,
        related_name="+",
        help_text="The core specialties that must be present for the board to be quorate.",
    )
    default_chair = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="Who usually chairs; a meeting may name someone else.",
    )
    usual_place = models.CharField(max_length=200, blank=True)
    usual_time = models.TimeField(null=True, blank=True)
    # Whom a reader of the board's letters contacts (printed at the foot of each letter).
    contact_name = models.CharField(
        "contact", max_length=200, blank=True, help_text="E.g. “Tumor board coordinator”."
    )
    contact_phone = models.CharField("contact telephone", max_length=50, blank=True)
    contact_email = models.EmailField("contact email", blank=True)

    objects = BoardQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(condition=~models.Q(name=""), name="board_named"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def contact_line(self) -> str:
        """Whom to contact, in one line ("" when nothing is set)."""
        return " · ".join(
            part for part in (self.contact_name, self.contact_phone, self.contact_email) if part
        )

    def may_sign(self, user) -> bool:
        """The default chair, and members the board allows, sign its decisions."""
        if user.pk is None:
            return False
        if self.default_chair_id == user.pk:
            return True
        return self.members.filter(user=user, may_sign=True).exists()


@audited
class BoardMember(models.Model):
    """A person who belongs to a board, with the specialty they bring to it."""

    board = models.ForeignKey(Board, on_delete=models.CASCADE, related_name="members")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="board_memberships"
    )
    specialty = models.ForeignKey(Specialty, on_delete=models.PROTECT, related_name="+")
    may_sign = models.BooleanField(
        default=False, help_text="May sign the board's decisions (besides its default chair)."
    )

    class Meta:
        ordering = ["board", "specialty__name", "user__last_name", "user__first_name"]
        constraints = [
            models.UniqueConstraint(fields=["board", "user"], name="board_member_once"),
        ]

    def __str__(self) -> str:
        return f"{self.display_name} ({self.specialty})"

    @property
    def display_name(self) -> str:
        return self.user.get_full_name() or self.user.get_username()


@audited
class Meeting(Authored):
    board = models.ForeignKey(Board, on_delete=models.PROTECT, related_name="meetings")
    starts_at = models.DateTimeField("date and time")
    place = models.CharField(
        max_length=200, blank=True, help_text="Room, or leave empty for video only."
    )
    video_link = models.URLField(max_length=500, blank=True)
    chair = models.CharField(max_length=200, blank=True)
    pseudonymise = models.BooleanField(
        "pseudonymised handouts",
        default=False,
        help_text="Print initials, year of birth and case number instead of name, MRN and date of birth.",
    )
    pack_key_images = models.BooleanField(
        "key images in the pack",
        default=False,
        help_text="Print each case's key images in its section of the meeting pack.",
    )
    cases = models.ManyToManyField(Case, through="AgendaItem", related_name="meetings")

    class Meta:
        ordering = ["-starts_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(
                    starts_at__gte=datetime.datetime(1999, 12, 31, tzinfo=datetime.UTC)
                ),
                name="meeting_starts_after_1999",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.board.name}, {timezone.localtime(self.starts_at):%d %b %Y %H:%M}"

    def has_started(self, now: datetime.datetime | None = None) -> bool:
        """Whether the meeting has begun, allowing ``MEETING_CLOCK_SKEW_MINUTES`` for clocks
        that differ: before it, nothing the board decides can be signed or written to."""
        skew = datetime.timedelta(minutes=settings.MEETING_CLOCK_SKEW_MINUTES)
        return (now or timezone.now()) >= self.starts_at - skew

    def get_absolute_url(self) -> str:
        return reverse("meetings:meeting_detail", args=[self.pk])

    def quorum(self, attendees: list[Attendance] | None = None) -> Quorum:
        """Each specialty the board requires, present or missing among those attending.

        Pass ``attendees`` when the caller has them already (the meeting page does).
        """
        if attendees is None:
            attendees = list(self.attendees.all())
        present = {attendance.specialty.casefold() for attendance in attendees}
        required = sorted(self.board.required_specialties.values_list("name", flat=True))
        return Quorum(tuple((name, name.casefold() in present) for name in required))


@dataclass(frozen=True)
class Quorum:
    specialties: tuple[tuple[str, bool], ...]  # (required specialty, present), by name

    @property
    def is_set(self) -> bool:
        """Whether the board requires any specialty at all."""
        return bool(self.specialties)

    @property
    def met(self) -> bool:
        return all(present for _, present in self.specialties)

    @property
    def missing(self) -> list[str]:
        return [name for name, present in self.specialties if not present]


@audited
class AgendaItem(models.Model):
    """One case on a meeting's agenda, in order."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="agenda_items")
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="agenda_items")
    position = models.PositiveIntegerField()
    presenter = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+", help_text="Who presents the case (their work list shows it).",
    )  # fmt: skip

    class Meta:
        ordering = ["meeting", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "case"], name="agenda_case_once_per_meeting"
            ),
            models.UniqueConstraint(
                fields=["meeting", "position"],
                name="agenda_unique_position",
                deferrable=models.Deferrable.DEFERRED,
            ),
        ]

    def __str__(self) -> str:
        return f"{self.position}. {self.case}"


@audited
class AttachmentRelease(models.Model):
    """An attachment that may name the patient, released by the coordinator for one
    pseudonymised meeting (shown in its meeting mode and printed in its pack)."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="releases")
    attachment = models.ForeignKey(
        "cases.Attachment", on_delete=models.CASCADE, related_name="releases"
    )
    released_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    released_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "attachment"], name="attachment_released_once_per_meeting"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.attachment} released for {self.meeting}"


@audited
class Attendance(models.Model):
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attendees")
    name = models.CharField(max_length=200)
    specialty = models.CharField(max_length=120)
    organisation = models.CharField(
        max_length=200, blank=True, help_text="A guest's hospital or practice."
    )
    # A board member's account (who may then confirm a decision); empty for guests.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["meeting", "name"]
        verbose_name_plural = "attendance"
        constraints = [
            models.UniqueConstraint(fields=["meeting", "name"], name="attendance_once_per_meeting"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.specialty})"


class HandoutKind(models.TextChoices):
    MEETING_PACK = "meeting_pack", "Meeting pack"
    MINUTES = "minutes", "Minutes"
    LETTER = "letter", "Outcome letter"  # of one agenda item


class HandoutQuerySet(RenderingQuerySet):
    def start_pack(
        self, meeting: Meeting, user, kind: str = HandoutKind.MEETING_PACK, item=None
    ) -> tuple[Handout, bool]:
        """The meeting's document of that kind being made (a letter: of that item), or a
        new queued one (and whether it is new).

        Locks the meeting, so that two clicks at once queue one; a render whose worker
        stopped is failed first, so that it does not block a new one.
        """
        Meeting.objects.select_for_update().get(pk=meeting.pk)
        meeting.handouts.expire_stale()
        running = meeting.handouts.filter(kind=kind, agenda_item=item).in_progress().first()
        if running is not None:
            return running, False
        return self.create(
            kind=kind,
            meeting=meeting,
            agenda_item=item,
            requested_by=user,
            # A letter goes to the referring clinician, who must know whom it is about.
            pseudonymised=meeting.pseudonymise and kind != HandoutKind.LETTER,
            paper_size=paper_size(),
            cases_total=1 if item is not None else meeting.agenda_items.count(),
        ), True

    def record_pack(
        self,
        meeting: Meeting,
        rendered: Rendered,
        user=None,
        kind: str = HandoutKind.MEETING_PACK,
        item=None,
    ) -> Handout:
        """Store a document rendered outside the queue (``manage.py render_handout``)."""
        return self.create(
            kind=kind,
            meeting=meeting,
            agenda_item=item,
            status=Status.DONE,
            content=rendered.pdf,
            page_count=rendered.page_count,
            pseudonymised=meeting.pseudonymise and kind != HandoutKind.LETTER,
            paper_size=paper_size(),
            content_versions=rendered.content_versions,
            requested_by=user,
            finished_at=timezone.now(),
        )


# Handouts are audited (who printed what, when, and any deletion), without the PDF
# itself and without the progress counters a render updates every half second.
@pghistory.track(
    pghistory.InsertEvent(),
    pghistory.UpdateEvent(),
    pghistory.DeleteEvent(),
    exclude=PROGRESS_FIELDS,
)
class Handout(Rendering):
    """A meeting's printed document (its pack, minutes or a letter: ``documents.kinds``),
    kept as printed, with the content versions it showed.

    ``content_versions`` maps each recommendation shown to the id of its audit
    event (the exact row version), and each case to its version, so the content
    behind a PDF can be traced after editors change it. The PDF itself is kept
    in PostgreSQL, so every web server can hand it out.
    """

    kind = models.CharField(max_length=16, choices=HandoutKind.choices)
    # Required (see the constraint); nullable in the column only because the audit
    # history keeps events of the case summaries that were stored here until they
    # moved to ``cases.CaseSummary``.
    meeting = models.ForeignKey(
        Meeting, null=True, on_delete=models.CASCADE, related_name="handouts"
    )
    # The case a letter is about (only letters name one).
    agenda_item = models.ForeignKey(
        AgendaItem, null=True, blank=True, on_delete=models.CASCADE, related_name="letters"
    )

    objects = HandoutQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind__in=HandoutKind.values, meeting__isnull=False),
                name="handout_is_a_meeting_pack",
            ),
            models.CheckConstraint(
                condition=models.Q(kind=HandoutKind.LETTER, agenda_item__isnull=False)
                | (~models.Q(kind=HandoutKind.LETTER) & models.Q(agenda_item__isnull=True)),
                name="handout_letter_names_its_item",
            ),
            models.CheckConstraint(
                condition=models.Q(cases_done__lte=models.F("cases_total")),
                name="handout_progress_within_total",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.pk} ({self.get_status_display()})"

    def get_absolute_url(self) -> str:
        return reverse("meetings:handout_download", args=[self.pk])


def handout_filename(handout: Handout) -> str:
    """meeting-12-2026-12-07-pack.pdf, …-minutes.pdf, …-letter-case-34.pdf"""
    day = timezone.localtime(handout.meeting.starts_at).date().isoformat()
    what = {
        HandoutKind.MEETING_PACK: "pack",
        HandoutKind.MINUTES: "minutes",
        HandoutKind.LETTER: f"letter-case-{handout.agenda_item.case_id if handout.agenda_item else ''}",
    }[handout.kind]
    return f"meeting-{handout.meeting_id}-{day}-{what}.pdf"


class PrintedCover(models.Model):
    """A meeting pack's cover laid out bare (no page headers; ``printing.merge``), kept so
    that a pack made again lays out only what changed: its agenda holds a row per case
    (about 5 ms of layout a row). ``key`` digests the cover's HTML and how it is laid out,
    as a case section's (``cases.sections``); the time of printing is not on the cover but
    in every page's footer, drawn at the merge. One cover is kept per meeting, the latest.
    """

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="covers")
    key = models.CharField(max_length=64)
    pdf = models.BinaryField(editable=False)
    page_count = models.PositiveIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["meeting", "key"], name="printed_cover_once"),
            models.CheckConstraint(condition=models.Q(page_count__gt=0), name="cover_has_pages"),
        ]

    def __str__(self) -> str:
        return f"Cover of {self.meeting} ({self.page_count} pages)"
