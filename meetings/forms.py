from __future__ import annotations

from django import forms

from cases.models import Case
from meetings.models import Attendance, Meeting


class MeetingForm(forms.ModelForm):
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

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("place") and not cleaned.get("video_link") and not self.errors:
            self.add_error("place", "Give a place or a video link, so attendees know where to go.")
        return cleaned


class AgendaAddForm(forms.Form):
    case = forms.ModelChoiceField(
        queryset=Case.objects.none(), label="Case to add", empty_label="Choose a case…"
    )

    def __init__(self, *args, meeting: Meeting, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["case"].queryset = (
            Case.objects.exclude(agenda_items__meeting=meeting)
            .exclude(status="closed")
            .select_related("patient")
            .order_by("-updated_at")
        )
        self.fields["case"].label_from_instance = lambda case: (
            f"Case {case.pk}: {case.patient.name} ({case.patient.mrn}) — {case.question[:60]}"
        )


class AttendanceForm(forms.ModelForm):
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
