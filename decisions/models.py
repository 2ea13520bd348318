"""The board's decision on each agenda item, checked against the guideline content.

A decision freezes what the board saw -- the case's known facts and the
recommendations that applied, each with its content version -- so that later
edits of the case or of the guideline content never change what the record
says was shown. For each recommendation the board marks followed, not followed
(with a coded reason) or not relevant to this decision.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from operator import attrgetter

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse

from accounts.audit import Authored, audited
from decisions import concordance
from guidelines.models import MODALITY_CODE
from meetings.models import AgendaItem


class Modality(models.Model):
    """A treatment or step a board can recommend (an editable list). Guideline items name
    the modalities that carry them out by ``code`` (``Recommendation.plan_modalities``)."""

    name = models.CharField(max_length=120, unique=True)
    code = models.CharField(
        max_length=60,
        unique=True,
        validators=[MODALITY_CODE],
        help_text="Stable code that guideline content names (e.g. further_imaging).",
    )
    investigation = models.BooleanField(
        default=False,
        help_text="An investigation (imaging, biopsy, testing): a plan that asks for one makes "
        "a decision with pending recommendations conditionally concordant.",
    )
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["position", "name"]
        verbose_name_plural = "modalities"

    def __str__(self) -> str:
        return self.name


class NotFollowedReason(models.Model):
    """Why a board did not follow a recommendation that applied (an editable coded list)."""

    name = models.CharField(max_length=120, unique=True)
    position = models.PositiveIntegerField(default=0)
    needs_text = models.BooleanField(
        default=False, help_text="The board must say more in words (e.g. “other”)."
    )
    group = models.CharField(
        max_length=12,
        # How deviations are reported (concordance.md §2): the groups of one list.
        choices=[(group, words.capitalize()) for group, words in concordance.REASON_GROUPS.items()],
        default="judgement",
        help_text="How the quality figures report a deviation for this reason.",
    )
    is_active = models.BooleanField(
        "offered",
        default=True,
        help_text="Offered on new records (a reason retired from the list stays on the records "
        "that gave it).",
    )

    class Meta:
        ordering = ["position", "name"]

    def __str__(self) -> str:
        return self.name


class Outcome(models.TextChoices):
    RECOMMENDATION = "recommendation", "Recommendation made"
    DEFERRED = "deferred", "Deferred: more information needed"
    NOTED = "noted", "Noted without discussion"


class DeferralReason(models.TextChoices):
    MISSING_INFORMATION = "missing_information", "Information missing (imaging, pathology, results)"
    NOT_REACHED = "not_reached", "Not reached in the meeting"
    OTHER = "other", "Other"


class Intent(models.TextChoices):
    CURATIVE = "curative", "Curative"
    PALLIATIVE = "palliative", "Palliative"
    UNDETERMINED = "undetermined", "Not yet determined"


class DecisionStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    SIGNED = "signed", "Signed"


class Pathway(models.TextChoices):
    """The one line a record holds for the care-pathway items (the ERAS perioperative
    items), which the board does not judge one by one."""

    YES = "yes", "Yes: perioperative care follows the hospital's pathway"
    NO = "no", "No (say why)"
    NOT_APPLICABLE = "not_applicable", "Not applicable to this decision"


# The record's form: 2 from the concordance of concordance.md (board items judged,
# pending items frozen, one line for the care pathway, a class). Earlier records keep
# what they signed, and are read as they were.
RECORD_FORMAT = 2


class DecisionQuerySet(models.QuerySet):
    def with_rows(self):
        """With the rows (and their reasons) and the plan's modalities, read once for the
        proposals, the pending list, the disagreements, what stops signing and the class."""
        return self.prefetch_related(*record_rows())

    def in_force(self):
        """Of these records, each agenda item's record in force: its latest **signed**
        version (an amendment is made after the version it corrects, and replaces it once
        it is signed). A draft -- a first record not signed yet, or an amendment in
        progress -- is never the board's decision.

        The one rule every reader asks: the case and meeting pages, meeting mode's
        previous decisions, minutes, letters, the API, spreadsheets, FHIR, the quality
        report and the case's status (``record_in_force`` is the same rule over versions
        already read)."""
        signed = self.filter(status=DecisionStatus.SIGNED)
        latest = signed.values("agenda_item").annotate(latest=models.Max("pk")).values("latest")
        return self.model.objects.filter(pk__in=latest)


def record_rows() -> tuple:
    """The prefetches of ``DecisionQuerySet.with_rows``, for a record already read
    (``prefetch_related_objects([decision], *record_rows())``)."""
    return (
        models.Prefetch("concordance", queryset=Concordance.objects.select_related("reason")),
        "modalities",
        "trials",
    )


def record_in_force(versions: Iterable[Decision]) -> Decision | None:
    """One agenda item's record in force among its versions already read (e.g.
    prefetched): its latest signed version, as ``DecisionQuerySet.in_force``."""
    return max((v for v in versions if v.is_signed), key=attrgetter("pk"), default=None)


def draft_in_progress(versions: Iterable[Decision]) -> Decision | None:
    """The version not signed yet (a first draft, or an amendment in progress), if any."""
    latest = latest_version(versions)
    return latest if latest is not None and not latest.is_signed else None


def latest_version(versions: Iterable[Decision]) -> Decision | None:
    """The version being worked on: the latest, signed or a draft. Only the record's own
    page, amending and signing read it; every reader shows ``record_in_force``."""
    return max(versions, key=attrgetter("pk"), default=None)


@audited
class Decision(Authored):
    """One agenda item's decision record (a draft until it is signed)."""

    agenda_item = models.ForeignKey(AgendaItem, on_delete=models.PROTECT, related_name="decisions")
    # A correction of a signed record is a new record (an amendment) that names the one
    # it corrects, why, and that record's hash (part of what the amendment signs).
    amends = models.OneToOneField(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="amendment",
        editable=False,
    )
    amendment_reason = models.TextField("reason for the amendment", blank=True)
    previous_hash = models.CharField(max_length=64, blank=True, editable=False)
    status = models.CharField(
        max_length=12, choices=DecisionStatus.choices, default=DecisionStatus.DRAFT
    )
    outcome = models.CharField(max_length=16, choices=Outcome.choices, blank=True)
    intent = models.CharField(max_length=16, choices=Intent.choices, blank=True)
    modalities = models.ManyToManyField(Modality, blank=True, related_name="+")
    plan = models.TextField("recommended plan, in words", blank=True)
    information_needed = models.TextField(
        blank=True, help_text="Deferred: what the board needs before it decides."
    )
    deferral_reason = models.CharField(
        "why it was deferred", max_length=24, choices=DeferralReason.choices, blank=True
    )
    needed_by = models.DateField(null=True, blank=True)
    patient_preferences = models.TextField(
        "the patient's preferences and understanding (as reported)", blank=True
    )
    dissent = models.TextField(blank=True, help_text="Who disagreed, and why.")
    pathway = models.CharField(
        "perioperative care follows the hospital's pathway",
        max_length=16,
        choices=Pathway.choices,
        blank=True,
    )
    pathway_reason = models.TextField("why not", blank=True)
    # What the board saw when the record was made (or last refreshed while a draft):
    # {"facts": [[section, [[label, value], ...]], ...], "case_version": n,
    #  "content_version": [...]}. The recommendations are the concordance rows.
    shown = models.JSONField(default=dict, editable=False)
    # Optimistic locking, as for cases: a save must name the version it started from.
    version = models.PositiveIntegerField(default=1)
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    signed_at = models.DateTimeField(null=True, blank=True)
    # SHA-256 of the signed content (decisions/signing.py); a signed row, its concordance,
    # plan and actions cannot be changed or deleted (database triggers, migration 0004).
    signature_hash = models.CharField(max_length=64, blank=True)
    # HMAC-SHA256 of that hash with DECISION_SIGNING_KEY, a key kept outside the database:
    # a record changed and given a recomputed SHA-256 no longer matches it.
    signature_mac = models.CharField(max_length=64, blank=True, editable=False)

    objects = DecisionQuerySet.as_manager()

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(outcome__in=["", *Outcome.values]), name="decision_outcome_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(intent__in=["", *Intent.values]), name="decision_intent_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(
                    status="draft", signed_at__isnull=True, signature_hash="", signature_mac=""
                )
                | models.Q(
                    status="signed",
                    signed_at__isnull=False,
                    signed_by__isnull=False,
                    signature_hash__regex=r"^[0-9a-f]{64}$",
                    signature_mac__regex=r"^[0-9a-f]{64}$",
                ),
                name="decision_signed_with_keyed_hash",
            ),
            # One first record per item; every later one amends the one before it.
            models.UniqueConstraint(
                fields=["agenda_item"],
                condition=models.Q(amends__isnull=True),
                name="decision_first_once_per_item",
            ),
            models.CheckConstraint(
                condition=models.Q(amends__isnull=True, amendment_reason="", previous_hash="")
                | (
                    models.Q(amends__isnull=False, previous_hash__regex=r"^[0-9a-f]{64}$")
                    & ~models.Q(amendment_reason="")
                ),
                name="decision_amendment_has_reason_and_hash",
            ),
        ]

    def __str__(self) -> str:
        kind = "Amendment" if self.amends_id else "Decision"
        return f"{kind} on case {self.agenda_item.case_id} ({self.get_status_display().lower()})"

    @property
    def is_signed(self) -> bool:
        return self.status == DecisionStatus.SIGNED

    @property
    def verification_code(self) -> str:
        """A signed record's verification code, printed on its letter: the first 16 hex
        digits of its SHA-256 in groups of four (its page shows both)."""
        head = self.signature_hash[:16].upper()
        return "-".join(head[n : n + 4] for n in range(0, len(head), 4))

    def get_absolute_url(self) -> str:
        item = self.agenda_item
        return reverse("decisions:decision_edit", args=[item.meeting_id, item.pk])

    def get_version_url(self) -> str:
        """This version of the record, also once an amendment replaced it."""
        item = self.agenda_item
        return reverse("decisions:decision_version", args=[item.meeting_id, item.pk, self.pk])

    def plan_codes(self) -> list[str]:
        """The codes of the plan's modalities (reads prefetched modalities)."""
        return [modality.code for modality in self.modalities.all()]

    def proposals(self) -> dict[int, str]:
        """Per judged row (by pk), the judgement the plan proposes ("" for none):
        ``decisions.concordance.proposals``. Reads prefetched rows and modalities."""
        rows = [row for row in self.concordance.all() if row.frozen_as == FrozenAs.APPLIES]
        proposed = concordance.proposals(
            [row.as_row(with_reason=False) for row in rows], self.plan_codes()
        )
        return {row.pk: proposal for row, proposal in zip(rows, proposed, strict=True)}

    def disagreements(self) -> list[str]:
        """Where the plan and the judgements disagree, in words, for the signer to read;
        and where the trials considered and the record do."""
        names = dict(Modality.objects.values_list("code", "name"))
        rows = [row.as_row(with_reason=False) for row in self.concordance.all()]
        found = concordance.contradictions(rows, self.plan_codes(), names)
        considered = list(self.trials.all())
        offered = [row.trial_identifier for row in considered if row.offered == TrialOffer.OFFERED]
        referral = names.get(TRIAL_REFERRAL, "clinical trial referral")
        if offered and TRIAL_REFERRAL not in self.plan_codes():
            found.append(
                f"{', '.join(offered)} offered, but the plan does not include “{referral}”"
            )
        for_a_trial = [row for row in self.concordance.all()
                       if row.judgement == Judgement.NOT_FOLLOWED and row.reason
                       and row.reason.group == concordance.TRIAL_GROUP]  # fmt: skip
        if for_a_trial and considered and not offered:  # (a trial elsewhere: no contradiction)
            found.append(
                f"{len(for_a_trial)} recommendation(s) not followed for a clinical trial, but none "
                "of the trials considered here is marked offered"
            )
        return found

    def verdict(self) -> concordance.Verdict:
        """The record's concordance class: as classified when it was signed (or, for a
        record signed before classes, by the migration that introduced them); a draft's as
        its rows stand now (a preview). Reads prefetched rows and modalities."""
        if self.is_signed:
            try:
                return self.classification.verdict
            except Classification.DoesNotExist:
                pass
        asks = any(modality.investigation for modality in self.modalities.all())
        rows = [row.as_row() for row in self.concordance.all()]
        return concordance.classify(self.outcome, rows, asks)

    def concordance_summary(self) -> str:
        """The class and how it came about, e.g. 'discordant (patient …): followed 2 of 3;
        1 not followed: Patient preference; 1 pending'. A deferral or a case noted without
        discussion decided nothing to measure: 'not assessed (deferred)'."""
        if not self.outcome:
            return "not assessed yet: no outcome recorded"
        if self.outcome in (Outcome.DEFERRED, Outcome.NOTED):
            return f"not assessed ({'deferred' if self.outcome == Outcome.DEFERRED else 'noted without discussion'})"
        rows = list(self.concordance.all())
        applying = [r for r in rows if r.frozen_as == FrozenAs.APPLIES]
        pending = [r for r in rows if r.frozen_as == FrozenAs.PENDING]
        if not applying and not pending:
            return "not assessed: no board recommendation applied"
        satisfied = [r for r in applying if r.judgement in concordance.SATISFIED]
        not_followed = [r for r in applying if r.judgement == Judgement.NOT_FOLLOWED]
        relevant = [r for r in applying if r.judgement != Judgement.NOT_RELEVANT]
        verdict = self.verdict()
        # A draft with items not marked yet has no class yet: what it would be so far.
        words = verdict.words if verdict.complete else f"so far {verdict.words}"
        text = f"{words}: followed {len(satisfied)} of {len(relevant)}"
        if not_followed:
            reasons = sorted({str(r.reason) for r in not_followed if r.reason_id})
            text += f"; {len(not_followed)} not followed" + (
                f": {', '.join(reasons)}" if reasons else ""
            )
        counts = (
            (len(applying) - len(relevant), "not relevant"),
            (sum(1 for r in applying if not r.judgement), "not yet marked"),
            (len(pending), "pending"),
        )
        return text + "".join(f"; {n} {words}" for n, words in counts if n)


class Judgement(models.TextChoices):
    FOLLOWED = "followed", "Followed"
    ALREADY_DONE = "already_done", "Already done"
    ALTERNATIVE_CHOSEN = "alternative_chosen", "Alternative chosen"
    NOT_FOLLOWED = "not_followed", "Not followed"
    NOT_RELEVANT = "not_relevant", "Not relevant to this decision"


class FrozenAs(models.TextChoices):
    APPLIES = "applies", "Applied"
    PENDING = "pending", "Pending: may apply"


@audited
class Concordance(models.Model):
    """A recommendation that applied when the board decided, as it read then, and whether
    the decision followed it."""

    decision = models.ForeignKey(Decision, on_delete=models.CASCADE, related_name="concordance")
    position = models.PositiveIntegerField()
    recommendation = models.SlugField(max_length=100)
    statement = models.TextField()
    source = models.CharField(max_length=200)
    verification = models.CharField(max_length=120)  # the level in words, as shown
    content_version = models.BigIntegerField(
        null=True, help_text="The recommendation's audit event id: the exact version shown."
    )
    judgement = models.CharField(max_length=20, choices=Judgement.choices, blank=True)
    reason = models.ForeignKey(
        NotFollowedReason, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reason_text = models.TextField(blank=True)
    # How the item entered the record (it applied, or it may apply: pending, with the
    # facts that would decide it), and how it takes part in the decision, as it read then.
    frozen_as = models.CharField(max_length=8, choices=FrozenAs.choices, default=FrozenAs.APPLIES)
    pending_on = models.TextField(blank=True, help_text="Pending: the facts that would decide it.")
    plan_modalities = ArrayField(models.CharField(max_length=60), default=list, blank=True)
    contradicted_by = ArrayField(models.CharField(max_length=60), default=list, blank=True)
    alternatives = models.CharField(max_length=60, blank=True)

    class Meta:
        ordering = ["decision", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["decision", "recommendation"], name="concordance_once_per_decision"
            ),
            models.CheckConstraint(
                condition=models.Q(judgement__in=["", *Judgement.values]),
                name="concordance_judgement_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(reason__isnull=True) | models.Q(judgement="not_followed"),
                name="concordance_reason_only_when_not_followed",
            ),
            models.CheckConstraint(
                condition=models.Q(frozen_as="applies") | models.Q(judgement=""),
                name="concordance_pending_not_judged",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.recommendation}: {self.get_judgement_display() or 'not yet marked'}"

    def as_row(self, *, with_reason: bool = True) -> concordance.Row:
        """The row as ``decisions.concordance`` reads it; ``with_reason``: with its reason's
        group (read ``reason`` with the rows), which only the class needs."""
        return concordance.Row(
            statement=self.statement,
            frozen_as=self.frozen_as,
            judgement=self.judgement,
            reason_group=self.reason.group if with_reason and self.reason_id else "",
            plan_modalities=tuple(self.plan_modalities),
            contradicted_by=tuple(self.contradicted_by),
            alternatives=self.alternatives,
        )


@audited
class Classification(models.Model):
    """The concordance class of a signed record (``decisions.concordance``): computed when
    it is signed (and frozen into what is signed), or, for records signed before classes
    existed, by the migration that introduced them from their rows as they stand."""

    decision = models.OneToOneField(
        "Decision", on_delete=models.PROTECT, related_name="classification"
    )
    klass = models.CharField("class", max_length=16, choices=[
        (key, words) for key, words in concordance.CLASS_WORDS.items()
    ])  # fmt: skip
    # One group per item not followed, in row order (a decision may deviate twice).
    reason_groups = ArrayField(models.CharField(max_length=12), default=list, blank=True)
    # Records made before the care pathway was one line judged its items row by row:
    # those rows are set aside (counted here), not classified.
    pathway_rows_set_aside = models.PositiveIntegerField(default=0)
    by_migration = models.BooleanField(default=False)

    class Meta:
        ordering = ["decision"]

    def __str__(self) -> str:
        return f"Decision {self.decision_id}: {concordance.CLASS_WORDS[self.klass]}"

    @property
    def verdict(self) -> concordance.Verdict:
        return concordance.Verdict(self.klass, tuple(self.reason_groups))


@audited
class Action(models.Model):
    """Something to be done after the meeting, e.g. 'Book liver MRI'."""

    decision = models.ForeignKey(Decision, on_delete=models.CASCADE, related_name="actions")
    what = models.CharField(max_length=300)
    owner = models.CharField(max_length=200, blank=True)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+", verbose_name="assigned to",
        help_text="An account: the action appears on their work list and they are told.",
    )  # fmt: skip
    due = models.DateField(null=True, blank=True)
    done_at = models.DateTimeField(null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["decision", "due", "pk"]

    def __str__(self) -> str:
        return self.what


@audited
class Confirmation(models.Model):
    """A second clinician who attended checked the signed record for accuracy."""

    decision = models.ForeignKey(Decision, on_delete=models.PROTECT, related_name="confirmations")
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    confirmed_at = models.DateTimeField()

    class Meta:
        ordering = ["decision", "confirmed_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["decision", "confirmed_by"], name="confirmation_once_per_person"
            ),
        ]

    def __str__(self) -> str:
        return f"Checked for accuracy by {self.confirmed_by}"


# What the letter's words may name; each is filled in from the record.
LETTER_PLACEHOLDERS = {
    "referring_clinician": "the referring clinician, as the case names them",
    "referring_clinician_name": "the referring clinician's name: what the case gives before "
    "the first comma (“Dr P. Laine” of “Dr P. Laine, GP, Kallio Health Centre”)",
    "patient": "the patient's name",
    "board": "the board's name",
    "meeting_date": "the meeting's date",
    "signed_by": "who signed the decision",
}
PLACEHOLDER = re.compile(r"\{([^{}]*)\}")


def _only_known_placeholders(text: str) -> None:
    unknown = sorted(set(PLACEHOLDER.findall(text)) - set(LETTER_PLACEHOLDERS))
    if unknown:
        raise ValidationError(
            "Unknown placeholder(s): %(names)s. Use only %(known)s.",
            params={
                "names": ", ".join(f"{{{name}}}" for name in unknown),
                "known": ", ".join(f"{{{name}}}" for name in LETTER_PLACEHOLDERS),
            },
        )


@audited
class LetterTemplate(models.Model):
    """The words of the outcome letter around the board's decision, which an
    administrator edits. Placeholders in braces are filled in from the record."""

    greeting = models.CharField(
        max_length=200,
        default="Dear {referring_clinician_name},",
        validators=[_only_known_placeholders],
    )
    opening = models.TextField(
        default="The {board} discussed your patient {patient} at its meeting on "
        "{meeting_date}. This letter sets out the board's decision.",
        validators=[_only_known_placeholders],
    )
    closing = models.TextField(
        default="If anything in this letter is unclear or no longer correct, please contact "
        "the board: its contact details are at the foot of this letter.",
        validators=[_only_known_placeholders],
    )
    sign_off = models.CharField(
        max_length=200, default="Yours sincerely,", validators=[_only_known_placeholders]
    )

    class Meta:
        verbose_name = "outcome letter wording"
        verbose_name_plural = "outcome letter wording"

    def __str__(self) -> str:
        return "Outcome letter wording"

    @classmethod
    def current(cls) -> LetterTemplate:
        """The wording in use: the one row, or the defaults until an administrator saves it."""
        return cls.objects.order_by("pk").first() or cls()

    def filled(self, values: dict[str, str]) -> dict[str, str]:
        """Each part of the wording with its placeholders filled in (plain text)."""
        fill = lambda text: PLACEHOLDER.sub(lambda m: values.get(m.group(1), m.group(0)), text)  # noqa: E731
        return {
            part: fill(getattr(self, part))
            for part in ("greeting", "opening", "closing", "sign_off")
        }


TRIAL_REFERRAL = "clinical_trial_referral"  # the plan modality of a trial offered


class TrialOffer(models.TextChoices):
    OFFERED = "offered", "Offered"
    NOT_OFFERED = "not_offered", "Not offered"


class NotOfferedReason(models.TextChoices):
    NOT_ELIGIBLE = "not_eligible", "Not eligible on review"
    DECLINED = "declined", "Patient declined"
    NO_PLACE = "no_place", "No place in the trial"
    OTHER = "other", "Other"


class TrialConsidered(models.Model):
    """A trial the patient was a possible candidate for when the record was made
    (``trials.screening``), kept as it read then, and whether the board offered it."""

    decision = models.ForeignKey(Decision, on_delete=models.CASCADE, related_name="trials")
    position = models.PositiveIntegerField(default=0)
    trial_identifier = models.CharField(max_length=60)
    title = models.CharField(max_length=500)
    screening = models.CharField(max_length=300, help_text="How it screened, in words.")
    offered = models.CharField(max_length=12, choices=TrialOffer, blank=True)
    reason = models.CharField(
        "why not offered", max_length=14, choices=NotOfferedReason, blank=True
    )
    reason_text = models.CharField("in words", max_length=500, blank=True)

    class Meta:
        ordering = ["decision", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["decision", "trial_identifier"], name="trial_considered_once"
            ),
            models.CheckConstraint(
                condition=models.Q(reason="") | models.Q(offered="not_offered"),
                name="trial_reason_only_when_not_offered",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.trial_identifier}: {self.get_offered_display() or 'not answered yet'}"

    @property
    def answer(self) -> str:
        """E.g. "not offered (patient declined)"."""
        if self.offered != TrialOffer.NOT_OFFERED:
            return self.get_offered_display().lower() or "not answered"
        why = self.get_reason_display().lower() if self.reason else "no reason given"
        return f"not offered ({why}{': ' + self.reason_text if self.reason_text else ''})"
