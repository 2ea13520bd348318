"""The decision form: outcome, plan, concordance with each recommendation, actions."""

from __future__ import annotations

from django import forms
from django.contrib.auth import authenticate

from config.text import BidiSafeFormMixin
from decisions.models import (
    Action,
    Concordance,
    Decision,
    Judgement,
    Modality,
    NotFollowedReason,
    Outcome,
)
from decisions.signing import CONFIRMATION_MEANING, MEANING

DATE_INPUT = forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"})


class DecisionForm(BidiSafeFormMixin, forms.ModelForm):
    text_fields = ("plan", "information_needed", "patient_preferences", "dissent")

    version = forms.IntegerField(widget=forms.HiddenInput)
    modalities = forms.ModelMultipleChoiceField(
        queryset=Modality.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Recommended plan",
    )

    class Meta:
        model = Decision
        fields = [
            "outcome",
            "intent",
            "modalities",
            "plan",
            "information_needed",
            "needed_by",
            "patient_preferences",
            "dissent",
        ]
        widgets = {
            "outcome": forms.RadioSelect,
            "intent": forms.RadioSelect,
            "needed_by": DATE_INPUT,
            "plan": forms.Textarea(attrs={"rows": 3}),
            "information_needed": forms.Textarea(attrs={"rows": 2}),
            "patient_preferences": forms.Textarea(attrs={"rows": 2}),
            "dissent": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.initial.setdefault("version", self.instance.version)
        self.fields["outcome"].choices = list(Outcome.choices)
        self.fields["intent"].choices = [
            ("", "Not recorded yet"),
            *self.fields["intent"].choices[1:],
        ]


class ConcordanceForm(BidiSafeFormMixin, forms.ModelForm):
    text_fields = ("reason_text",)

    class Meta:
        model = Concordance
        fields = ["judgement", "reason", "reason_text"]
        widgets = {"judgement": forms.RadioSelect, "reason_text": forms.TextInput}
        labels = {"reason_text": "In words"}

    def __init__(self, *args, reasons=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["judgement"].choices = [("", "Not marked yet"), *Judgement.choices]
        # The reasons, read once for every row (the formset passes them), not once a row.
        self.fields["reason"].choices = [
            ("", "Why not followed…"),
            *((reason.pk, reason.name) for reason in (reasons or NotFollowedReason.objects.all())),
        ]

    def clean(self):
        """A draft may be incomplete (signing lists what is missing); a reason belongs
        only to a recommendation not followed, so it goes when the judgement changes."""
        cleaned = super().clean()
        if cleaned.get("judgement") != Judgement.NOT_FOLLOWED:
            cleaned["reason"] = None
            cleaned["reason_text"] = ""
        return cleaned

    def validate_unique(self):
        """Nothing to check here, row by row (two queries each, 19 rows on a typical
        case, on every autosave): the form edits no field of the row's unique pair, and
        ``clean`` keeps a reason only for "not followed"; the database checks both."""


ConcordanceFormSet = forms.modelformset_factory(
    Concordance, form=ConcordanceForm, extra=0, can_delete=False
)


class ActionForm(BidiSafeFormMixin, forms.ModelForm):
    name_fields = ("owner",)
    text_fields = ("what",)

    class Meta:
        model = Action
        fields = ["what", "owner", "due"]
        widgets = {"due": DATE_INPUT}
        labels = {"what": "Action", "owner": "Who", "due": "Due"}


ActionFormSet = forms.inlineformset_factory(
    Decision, Action, form=ActionForm, extra=1, can_delete=True
)


class PasswordAgainForm(forms.Form):
    """An act that stands for the person: their password again."""

    password = forms.CharField(
        label="Your password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    def __init__(self, *args, request, **kwargs):
        super().__init__(*args, **kwargs)
        self.request = request

    def clean_password(self) -> str:
        """Checked like a login, so that failures count towards the lockout and a stolen
        session cannot try passwords here without limit."""
        password = self.cleaned_data["password"]
        user = self.request.user
        again = authenticate(self.request, username=user.get_username(), password=password)
        if again is None or again.pk != user.pk:
            raise forms.ValidationError(
                "That is not your password (or too many attempts: wait, then try again)."
            )
        return password


class SignForm(PasswordAgainForm):
    """Signing: the signer's password again, and what the signature means."""

    version = forms.IntegerField(widget=forms.HiddenInput)
    meaning = forms.BooleanField(label=MEANING)


class ConfirmForm(PasswordAgainForm):
    """A second clinician who attended confirms the signed record ("checked for accuracy")."""

    meaning = forms.BooleanField(label=CONFIRMATION_MEANING)


class AmendForm(BidiSafeFormMixin, forms.Form):
    text_fields = ("reason",)

    reason = forms.CharField(
        label="Why the signed record needs correcting",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="The signed version stays as it was; the amendment is signed again.",
    )
