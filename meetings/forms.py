from __future__ import annotations

import datetime
from functools import cached_property

from django import forms
from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts import roles
from cases.models import Case, CaseStatus
from common.text import BidiSafeFormMixin
from meetings.models import Attendance, Board, BoardMember, Meeting

# Meetings, like referrals, fall in a sensible range of dates: a typo such as year 1
# would otherwise break date arithmetic in some time zones.
EARLIEST_MEETING = datetime.date(2000, 1, 1)
MEETING_HORIZON_DAYS = 2 * 366


class MeetingForm(BidiSafeFormMixin, forms.ModelForm):
    name_fields = ("place", "chair")

    class Meta:
        model = Meeting
        fields = ["board", "starts_at", "place", "video_link", "chair", "pseudonymise",
                  "pack_key_images"]  # fmt: skip
        widgets = {
            "starts_at": forms.DateTimeInput(
                attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"
            )
        }

    video_link = forms.URLField(required=False, assume_scheme="https", max_length=500)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["board"].empty_label = "Choose the board…"
        self.fields["board"].help_text = "Boards, their members and quorum are set up in the admin."
        if not self.instance.pk and not self.is_bound:
            boards = list(Board.objects.select_related("default_chair")[:2])
            if len(boards) == 1:  # the usual case: one board, its usual place and chair
                board = boards[0]
                self.initial.setdefault("board", board.pk)
                self.initial.setdefault("place", board.usual_place)
                if board.default_chair is not None:
                    chair = board.default_chair
                    self.initial.setdefault("chair", chair.get_full_name() or chair.get_username())

    def clean_starts_at(self) -> datetime.datetime:
        starts = self.cleaned_data["starts_at"]
        today = timezone.localdate()
        if not (
            EARLIEST_MEETING
            <= starts.date()
            <= today + datetime.timedelta(days=MEETING_HORIZON_DAYS)
        ):
            raise forms.ValidationError(
                f"Enter a date between {EARLIEST_MEETING:%Y} and two years from now."
            )
        return starts

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("place") and not cleaned.get("video_link") and not self.errors:
            self.add_error("place", "Give a place or a video link, so attendees know where to go.")
        return cleaned


class AgendaAddForm(forms.Form):
    """Pick an open case that is not on this meeting's agenda yet.

    The list offers the most recently updated cases, ready ones first; ``find``
    narrows it by patient name, MRN or case number, so that a hospital with
    thousands of cases still gets a short list. A submitted choice is checked
    against every open case, not only the ones that were listed.
    """

    LISTED = 100

    case = forms.ModelChoiceField(
        queryset=Case.objects.none(),
        label="Case to add",
        empty_label="Choose a case…",
        help_text=f"Up to {LISTED} open cases, ready ones and the latest first.",
    )
    presenter = forms.ModelChoiceField(
        queryset=User.objects.none(), required=False, label="Presented by",
        empty_label="Not decided yet",
        help_text="The case appears on their work list, with what it still needs.",
    )  # fmt: skip

    def __init__(self, *args, meeting: Meeting, find: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        cases = (
            Case.objects.exclude(agenda_items__meeting=meeting)
            .exclude(status=CaseStatus.CLOSED)
            .select_related("patient")
        )
        if find:
            cases = cases.search(find)
        self.find = find
        field = self.fields["case"]
        field.queryset = cases  # what a submitted choice is checked against
        field.choices = self._listed_choices  # what is shown: read when rendered
        self.fields["presenter"].queryset = roles.case_workers()
        self.fields["presenter"].label_from_instance = lambda u: u.get_full_name() or u.username

    @cached_property
    def listed(self) -> list[Case]:
        """Ready cases first, then the other open ones, each the latest first: two reads
        in the order of an index each (``case_status_updated``, ``case_open_updated``),
        which stop at the number listed however many cases there are."""
        cases = self.fields["case"].queryset
        ready = list(cases.filter(status=CaseStatus.READY).order_by("-updated_at")[: self.LISTED])
        if len(ready) == self.LISTED:
            return ready
        others = cases.exclude(status=CaseStatus.READY).order_by("-updated_at")
        return ready + list(others[: self.LISTED - len(ready)])

    @property
    def nothing_found(self) -> bool:
        return bool(self.find) and not self.listed

    def _listed_choices(self) -> list[tuple[object, str]]:
        return [("", self.fields["case"].empty_label)] + [
            (case.pk, self.describe(case)) for case in self.listed
        ]

    @staticmethod
    def describe(case: Case) -> str:
        return (
            f"Case {case.pk}: {case.patient.name} ({case.patient.mrn}), "
            f"{case.get_status_display().lower()} — {case.question[:60]}"
        )


class AttendanceForm(BidiSafeFormMixin, forms.Form):
    """Someone present: a member of the meeting's board (name and specialty from the
    board), or a guest with their name and specialty."""

    name_fields = ("name", "specialty", "organisation")

    member = forms.ModelChoiceField(
        queryset=BoardMember.objects.none(),
        required=False,
        label="Board member",
        empty_label="A guest (type below)…",
    )
    name = forms.CharField(max_length=200, required=False, label="Guest's name")
    specialty = forms.CharField(
        max_length=120,
        required=False,
        label="Guest's specialty",
        help_text="As the board's specialties are named, so that the quorum counts it.",
        widget=forms.TextInput(attrs={"list": "specialty-names"}),
    )
    organisation = forms.CharField(
        max_length=200, required=False, label="Guest's organisation", help_text="Optional."
    )

    def __init__(self, *args, meeting: Meeting, **kwargs):
        super().__init__(*args, **kwargs)
        self.meeting = meeting
        # Who is listed already, by name whatever its case: offered no more, refused again.
        self.listed = {
            name.casefold(): name for name in meeting.attendees.values_list("name", flat=True)
        }
        members = (
            BoardMember.objects.filter(board_id=meeting.board_id)
            .select_related("user", "specialty")
            .order_by("specialty__name", "user__last_name", "user__first_name")
        )
        self.fields["member"].queryset = members  # what a submitted choice is checked against
        self.unlisted_members = [m for m in members if m.display_name.casefold() not in self.listed]
        self.fields["member"].choices = [("", self.fields["member"].empty_label)] + [
            (m.pk, str(m)) for m in self.unlisted_members
        ]

    def clean(self):
        cleaned = super().clean()
        member = cleaned.get("member")
        if member is not None:
            cleaned["name"], cleaned["specialty"] = member.display_name, member.specialty.name
            cleaned["organisation"] = ""
        else:
            cleaned["name"] = " ".join((cleaned.get("name") or "").split())
            cleaned["specialty"] = " ".join((cleaned.get("specialty") or "").split())
            cleaned["organisation"] = " ".join((cleaned.get("organisation") or "").split())
            if not cleaned["name"] and "name" not in self.errors:
                self.add_error("name", "Choose a board member, or give the guest's name.")
            if not cleaned["specialty"] and "specialty" not in self.errors:
                self.add_error("specialty", "Give the guest's specialty.")
        name = cleaned.get("name")
        listed = self.listed.get(name.casefold()) if name else None
        if listed:
            self.add_error("member" if member else "name", f"{listed} is already listed.")
        return cleaned

    def save(self) -> Attendance | None:
        """The attendance recorded, or None (with the error on the form) when someone else
        listed the same person a moment ago."""
        data = self.cleaned_data
        try:
            with transaction.atomic():
                return Attendance.objects.create(
                    meeting=self.meeting,
                    name=data["name"],
                    specialty=data["specialty"],
                    organisation=data["organisation"],
                    user=data["member"].user if data.get("member") else None,
                )
        except IntegrityError:
            self.add_error(
                "member" if data.get("member") else "name", f"{data['name']} is already listed."
            )
            return None
