from __future__ import annotations

import datetime
from functools import cached_property

from django import forms
from django.db import models
from django.utils import timezone

from cases.models import Case, CaseStatus
from config.text import BidiSafeFormMixin
from meetings.models import Attendance, Meeting

# Meetings, like referrals, fall in a sensible range of dates: a typo such as year 1
# would otherwise break date arithmetic in some time zones.
EARLIEST_MEETING = datetime.date(2000, 1, 1)
MEETING_HORIZON_DAYS = 2 * 366


class MeetingForm(BidiSafeFormMixin, forms.ModelForm):
    name_fields = ("board_name", "place", "chair")

    class Meta:
        model = Meeting
        fields = ["board_name", "starts_at", "place", "video_link", "chair", "pseudonymise"]
        widgets = {
            "starts_at": forms.DateTimeInput(
                attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"
            )
        }

    video_link = forms.URLField(required=False, assume_scheme="https", max_length=500)

    def clean_board_name(self) -> str:
        name = " ".join(self.cleaned_data["board_name"].split())
        if not name:
            raise forms.ValidationError("Name the board.")
        return name

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

    @cached_property
    def listed(self) -> list[Case]:
        ready_first = models.Case(models.When(status=CaseStatus.READY, then=0), default=1)
        cases = self.fields["case"].queryset
        return list(cases.order_by(ready_first, "-updated_at")[: self.LISTED])

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


class AttendanceForm(BidiSafeFormMixin, forms.ModelForm):
    name_fields = ("name", "specialty")

    class Meta:
        model = Attendance
        fields = ["name", "specialty"]

    def __init__(self, *args, meeting: Meeting, **kwargs):
        super().__init__(*args, **kwargs)
        self.meeting = meeting

    def clean_name(self) -> str:
        name = " ".join(self.cleaned_data["name"].split())
        listed = self.meeting.attendees.filter(name__iexact=name).first()
        if listed:
            raise forms.ValidationError(f"{listed.name} is already listed.")
        return name
