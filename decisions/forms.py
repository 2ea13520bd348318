"""The decision form: outcome, plan, concordance with each recommendation, actions."""

from __future__ import annotations

from django import forms

from config.text import BidiSafeFormMixin
from decisions.models import Action, Concordance, Decision, Judgement, Modality, Outcome
from decisions.signing import MEANING

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

    def clean(self):
        cleaned = super().clean()
        if (
            cleaned.get("outcome") == Outcome.DEFERRED
            and not (cleaned.get("information_needed") or "").strip()
        ):
            self.add_error("information_needed", "Say what the board needs before it decides.")
        return cleaned


class ConcordanceForm(BidiSafeFormMixin, forms.ModelForm):
    text_fields = ("reason_text",)

    class Meta:
        model = Concordance
        fields = ["judgement", "reason", "reason_text"]
        widgets = {"judgement": forms.RadioSelect, "reason_text": forms.TextInput}
        labels = {"reason_text": "In words"}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["judgement"].choices = [("", "Not marked yet"), *Judgement.choices]
        self.fields["reason"].empty_label = "Why not followed…"

    def clean(self):
        cleaned = super().clean()
        judgement, reason = cleaned.get("judgement"), cleaned.get("reason")
        if judgement == Judgement.NOT_FOLLOWED:
            if reason is None:
                self.add_error("reason", "Give the reason it was not followed.")
            elif reason.needs_text and not (cleaned.get("reason_text") or "").strip():
                self.add_error("reason_text", f"“{reason}”: say more in words.")
        elif reason is not None:
            self.add_error("reason", "A reason is given only for a recommendation not followed.")
        return cleaned


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


class SignForm(forms.Form):
    """Signing: the signer's password again, and what the signature means."""

    version = forms.IntegerField(widget=forms.HiddenInput)
    password = forms.CharField(
        label="Your password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    meaning = forms.BooleanField(label=MEANING)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_password(self) -> str:
        password = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise forms.ValidationError("That is not your password.")
        return password
