"""The decision form: outcome, plan, concordance with each recommendation, actions."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib.auth import authenticate
from django.utils.functional import cached_property

from accounts.roles import case_workers
from common.text import BidiSafeFormMixin
from decisions.models import (
    Action,
    Concordance,
    Decision,
    Judgement,
    Modality,
    NotFollowedReason,
    NotOfferedReason,
    Outcome,
    Pathway,
    TrialConsidered,
    TrialOffer,
)
from decisions.signing import CONFIRMATION_MEANING, MEANING

DATE_INPUT = forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"})


def _checked_by_the_database(exclude=None) -> None:
    """Stands in for ``Model.validate_constraints`` (see ``ConstraintsInDatabase``)."""


class ConstraintsInDatabase:
    """A model form whose fields and ``clean`` allow only what the table's constraints
    allow: Django would check every constraint again in Python — a query each, or a query
    built and dropped for the fields the form does not edit — on every autosave, for every
    row. The database still checks them all."""

    def _post_clean(self):
        self.instance.validate_constraints = _checked_by_the_database
        try:
            super()._post_clean()
        finally:
            del self.instance.validate_constraints


class PlanField(forms.ModelMultipleChoiceField):
    """The plan's modalities; the ones the record holds already (read with it) are known
    to exist, so a plan left as it was is checked without reading the list again."""

    known: dict = {}

    def clean(self, value):
        if value and not self.required and set(map(str, value)) <= self.known.keys():
            return [self.known[str(pk)] for pk in dict.fromkeys(map(str, value))]
        return super().clean(value)


class DecisionForm(ConstraintsInDatabase, BidiSafeFormMixin, forms.ModelForm):
    text_fields = ("plan", "information_needed", "patient_preferences", "dissent",
                   "pathway_reason")  # fmt: skip

    version = forms.IntegerField(widget=forms.HiddenInput)
    modalities = PlanField(
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
            "deferral_reason",
            "needed_by",
            "patient_preferences",
            "dissent",
            "pathway",
            "pathway_reason",
        ]
        widgets = {
            "outcome": forms.RadioSelect,
            "intent": forms.RadioSelect,
            "pathway": forms.RadioSelect,
            "pathway_reason": forms.Textarea(attrs={"rows": 2}),
            "needed_by": DATE_INPUT,
            "plan": forms.Textarea(attrs={"rows": 3}),
            "information_needed": forms.Textarea(attrs={"rows": 2}),
            "patient_preferences": forms.Textarea(attrs={"rows": 2}),
            "dissent": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk is not None:
            self.fields["modalities"].known = {str(m.pk): m for m in self.instance.modalities.all()}
        self.initial.setdefault("version", self.instance.version)
        self.fields["outcome"].choices = list(Outcome.choices)
        self.fields["intent"].choices = [
            ("", "Not recorded yet"),
            *self.fields["intent"].choices[1:],
        ]
        self.fields["pathway"].choices = [("", "Not answered yet"), *Pathway.choices]

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("pathway") != Pathway.NO:
            cleaned["pathway_reason"] = ""
        return cleaned


class ReasonField(forms.TypedChoiceField):
    """A choice of rows read once for every form of a formset (the reason for not
    following, an action's assignee): a model choice field would read the database once a
    row, on every autosave."""

    def __init__(self, *args, reasons=(), **kwargs):
        self.reasons = {str(reason.pk): reason for reason in reasons}
        super().__init__(*args, coerce=self.reasons.get, empty_value=None, **kwargs)


class ConcordanceForm(ConstraintsInDatabase, BidiSafeFormMixin, forms.ModelForm):
    text_fields = ("reason_text",)

    class Meta:
        model = Concordance
        fields = ["judgement", "reason", "reason_text"]
        widgets = {"judgement": forms.RadioSelect, "reason_text": forms.TextInput}
        labels = {"reason_text": "In words"}

    def __init__(self, *args, reasons=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["judgement"].choices = [("", "Not marked yet"), *Judgement.choices]
        reasons = list(NotFollowedReason.objects.all() if reasons is None else reasons)
        # Offered: the reasons on the list now, and the one this row gave (if retired).
        offered = [r for r in reasons if r.is_active or r.pk == self.instance.reason_id]
        self.fields["reason"] = ReasonField(
            choices=[("", "Why not followed…"), *((r.pk, r.name) for r in offered)],
            reasons=offered,
            required=False,
            label="Reason",
        )
        self.fields[
            "reason_text"
        ].help_text = "Required for “not relevant”, and for a reason that asks for words."

    def clean(self):
        """A draft may be incomplete (signing lists what is missing); a reason belongs only
        to a recommendation not followed, and words to that or to one not relevant, so they
        go when the judgement changes."""
        cleaned = super().clean()
        judgement = cleaned.get("judgement")
        if judgement != Judgement.NOT_FOLLOWED:
            cleaned["reason"] = None
        if judgement not in (Judgement.NOT_FOLLOWED, Judgement.NOT_RELEVANT):
            cleaned["reason_text"] = ""
        return cleaned

    def validate_unique(self):
        """Nothing to check here, row by row (two queries each, 19 rows on a typical
        case, on every autosave): the form edits no field of the row's unique pair, and
        ``clean`` keeps a reason only for "not followed"; the database checks both."""


class KnownRowField(forms.Field):
    """A row's hidden id, checked against the rows the formset read once (Django's model
    choice field reads the database once a row: on every autosave, once a row)."""

    widget = forms.HiddenInput

    def __init__(self, rows: dict, **kwargs):
        self.rows = rows
        super().__init__(required=False, **kwargs)

    def to_python(self, value):
        if value in self.empty_values:
            return None
        row = self.rows.get(str(value))
        if row is None:
            raise forms.ValidationError(
                "This row is not part of the record.", code="invalid_choice"
            )
        return row

    def has_changed(self, initial, data) -> bool:
        """The row named is the row it was (Django compares the row with its id, and would
        count every row changed, updating each on every autosave)."""
        return str(getattr(initial, "pk", initial) or "") != str(data or "")


class KnownRows:
    """A model formset whose forms' hidden ids are checked against the rows it read once
    (``KnownRowField``)."""

    @cached_property
    def _rows_by_id(self) -> dict:
        return {str(row.pk): row for row in self.get_queryset()}

    def add_fields(self, form, index):
        super().add_fields(form, index)
        name = self._pk_field.name
        form.fields[name] = KnownRowField(self._rows_by_id, initial=form.fields[name].initial)


class RowsOfOneRecord(KnownRows, forms.BaseModelFormSet):
    """The judged rows of one record, validated without a query a row. ``rows``: the rows
    already read with the record (``record_rows``), so that the page and the autosave read
    them once, and the record's rows after a save are the forms' own."""

    def __init__(self, *args, rows=None, **kwargs):
        self.rows = rows
        super().__init__(*args, **kwargs)

    def get_queryset(self):
        return super().get_queryset() if self.rows is None else self.rows


class ActionsOfOneRecord(KnownRows, forms.BaseInlineFormSet):
    """The record's actions, validated without a query an action."""


ConcordanceFormSet = forms.modelformset_factory(
    Concordance, form=ConcordanceForm, formset=RowsOfOneRecord, extra=0, can_delete=False
)


class ActionForm(BidiSafeFormMixin, forms.ModelForm):
    name_fields = ("owner",)
    text_fields = ("what",)

    class Meta:
        model = Action
        fields = ["what", "owner", "assignee", "due"]
        widgets = {"due": DATE_INPUT}
        labels = {"what": "Action", "owner": "Who", "due": "Due"}

    def __init__(self, *args, workers=None, **kwargs):
        super().__init__(*args, **kwargs)
        workers = list(case_workers() if workers is None else workers)
        # Offered: who works on cases now, and whom this action names (if no longer).
        if self.instance.assignee_id and all(w.pk != self.instance.assignee_id for w in workers):
            workers.append(self.instance.assignee)
        old = self.fields["assignee"]
        self.fields["assignee"] = ReasonField(
            label=old.label, help_text=old.help_text, required=False, reasons=workers,
            choices=[("", "No account"),
                     *((str(w.pk), w.get_full_name() or w.get_username()) for w in workers)],
        )  # fmt: skip


def action_formset(data, decision):
    """The record's actions, the accounts they may be assigned to read once for all."""
    return ActionFormSet(data, instance=decision, prefix="actions",
                         form_kwargs={"workers": list(case_workers())})  # fmt: skip


class TrialConsideredForm(ConstraintsInDatabase, BidiSafeFormMixin, forms.ModelForm):
    """Whether the board offered a trial the patient was a possible candidate for."""

    text_fields = ("reason_text",)

    class Meta:
        model = TrialConsidered
        fields = ["offered", "reason", "reason_text"]
        widgets = {"offered": forms.RadioSelect, "reason_text": forms.TextInput}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["offered"].choices = [("", "Not answered yet"), *TrialOffer.choices]
        self.fields["reason"].choices = [("", "Why not offered…"), *NotOfferedReason.choices]
        self.fields["reason_text"].help_text = "Required for “other”."

    def clean(self):
        """A draft may be incomplete (signing lists what is missing); a reason belongs
        only to a trial not offered."""
        cleaned = super().clean()
        if cleaned.get("offered") != TrialOffer.NOT_OFFERED:
            cleaned["reason"], cleaned["reason_text"] = "", ""
        return cleaned


# The trials considered of one record, read with it (``record_rows``).
TrialsConsideredFormSet = forms.modelformset_factory(
    TrialConsidered, form=TrialConsideredForm, formset=RowsOfOneRecord, extra=0, can_delete=False
)


ActionFormSet = forms.inlineformset_factory(
    Decision, Action, form=ActionForm, formset=ActionsOfOneRecord, extra=1, can_delete=True
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
        # An account of the hospital's identity provider has no password here: it
        # authenticates again at the provider (accounts.oidc), within minutes of acting.
        self.single_sign_on = settings.OIDC_ENABLED and not request.user.has_usable_password()
        if self.single_sign_on:
            self.fields["password"].required = False
            self.fields["password"].widget = forms.HiddenInput()

    def clean_password(self) -> str:
        """Checked like a login, so that failures count towards the lockout and a stolen
        session cannot try passwords here without limit."""
        password = self.cleaned_data["password"]
        if self.single_sign_on:
            from accounts.oidc import recently_authenticated

            if not recently_authenticated(self.request):
                raise forms.ValidationError(
                    f"Confirm it is you with {settings.OIDC_PROVIDER_NAME} first (the link "
                    "below), then act within ten minutes."
                )
            return ""
        user = self.request.user
        again = authenticate(self.request, username=user.get_username(), password=password)
        if again is None or again.pk != user.pk:
            raise forms.ValidationError(
                "That is not your password (or too many attempts: wait, then try again)."
            )
        return password


class SignForm(PasswordAgainForm):
    """Signing: the signer's password again, what the signature means, and, where the plan
    and the judgements disagree, that the signer has read each disagreement."""

    version = forms.IntegerField(widget=forms.HiddenInput)
    meaning = forms.BooleanField(label=MEANING)
    disagreements = forms.BooleanField(
        required=False,
        label="I have read the disagreements between the plan and the judgements listed "
        "above, and the record states what the board decided.",
    )


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
