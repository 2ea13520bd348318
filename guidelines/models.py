"""The guideline library: facts, sources, sections and recommendations.

Every model here is audited (accounts/audit.py): each insert, update and delete
is recorded with who made it, however it was made.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from operator import attrgetter
from types import MappingProxyType
from typing import TypeVar

from django.contrib.postgres.fields import ArrayField
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.urls import reverse

from accounts.audit import Stamped, audited
from guidelines import conditions, facts, matching, registry, terminology

NAME_VALIDATOR = RegexValidator(
    r"^[a-z][a-z0-9_]*$",
    "Use lower-case letters, digits and underscores, starting with a letter.",
)
VALUE_VALIDATOR = RegexValidator(
    r"^[A-Za-z_][A-Za-z0-9_]*$",
    "Use letters, digits and underscores, starting with a letter (as in conditions).",
)


T = TypeVar("T")


def by_section(
    items: Iterable[T], label: Callable[[T], str] = attrgetter("group_label")
) -> list[tuple[str, list[T]]]:
    """Items (fact specs, or anything that names a form group) under their group labels,
    groups in the order they first appear (the catalogue's order is the form's)."""
    grouped: dict[str, list[T]] = {}
    for item in items:
        grouped.setdefault(label(item), []).append(item)
    return list(grouped.items())


@audited
class DiseaseArea(Stamped):
    """A disease area: its own facts, form sections, recommendations and content pack.

    A case belongs to one area and is matched only against that area's published
    recommendations, with that area's facts and the shared ones (facts with no area,
    such as sex and age).
    """

    slug = models.SlugField(
        max_length=40, unique=True, help_text="Stable key used by content packs, e.g. liver."
    )
    name = models.CharField(max_length=120, unique=True, help_text="E.g. 'Liver metastases'.")
    position = models.PositiveIntegerField(default=0, help_text="Order in lists.")
    lesion_module = models.CharField(
        "lesion table",
        max_length=32,
        blank=True,
        choices=registry.LESION_MODULE_CHOICES,
        help_text="The lesion table its cases have (none: no lesion table).",
    )
    rules = ArrayField(
        models.CharField(max_length=40, choices=registry.RULE_CHOICES),
        default=list,
        blank=True,
        verbose_name="scores and derived facts",
        help_text="The scores and rules of derived facts its cases use (guidelines.registry); "
        "each applies where the area has the facts it reads and sets.",
    )
    shared_facts = ArrayField(
        models.CharField(max_length=60),
        default=list,
        blank=True,
        verbose_name="shared facts it reads",
        help_text="The facts shared by every area (sex, age, liver function, …) that its cases "
        "have: those its content pack lists as shared. Another area's shared facts are not "
        "asked on its form.",
    )
    lesion_fields = ArrayField(
        models.CharField(max_length=40, choices=registry.LESION_FIELD_CHOICES),
        default=list,
        blank=True,
        verbose_name="per-lesion fields",
        help_text="The lesion table's optional fields its cases fill in (e.g. the viable "
        "diameter after locoregional treatment).",
    )

    class Meta:
        ordering = ["position", "name"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        unknown = sorted(set(self.rules) - set(registry.RULES))
        if unknown:
            raise ValidationError({"rules": f"No such score or rule: {', '.join(unknown)}."})
        if len(set(self.rules)) != len(self.rules):
            raise ValidationError({"rules": "A score or rule is listed twice."})
        unknown = sorted(set(self.lesion_fields) - set(registry.LESION_FIELDS))
        if unknown:
            raise ValidationError(
                {"lesion_fields": f"No such per-lesion field: {', '.join(unknown)}."}
            )
        if self.lesion_fields and not self.lesion_module:
            raise ValidationError({"lesion_fields": "Per-lesion fields need a lesion table."})


@audited
class FactGroup(Stamped):
    """A group of the case form ("Primary tumour"), in the order a clinician fills them.

    A group with no area is shared by every area (the patient); a computed group holds
    facts computed from others (scores): shown with the case, never typed.
    """

    key = models.CharField(
        max_length=32,
        unique=True,
        validators=[NAME_VALIDATOR],
        help_text="Stable key used by content packs, e.g. primary_tumour.",
    )
    name = models.CharField(max_length=120, help_text="What the form shows, e.g. 'Primary tumour'.")
    position = models.PositiveIntegerField(default=0, help_text="Order on the form.")
    area = models.ForeignKey(
        DiseaseArea,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="fact_groups",
        help_text="Empty: shared by every area.",
    )
    computed = models.BooleanField(
        "computed facts",
        default=False,
        help_text="Its facts are computed from others (scores): shown, never typed.",
    )

    class Meta:
        ordering = ["position", "key"]

    def __str__(self) -> str:
        return self.name


# The kinds of fact are told once, in ``guidelines.facts.KINDS``.
FactKind = models.TextChoices(
    "FactKind", [(kind.key.upper(), (kind.key, kind.label)) for kind in facts.KINDS.values()]
)


def in_area(area) -> models.Q:
    """Facts a case of ``area`` (an area or its id) has: the area's own and the shared ones
    it reads (``DiseaseArea.shared_facts``); without an area, every shared fact."""
    if area is None:
        return models.Q(area__isnull=True)
    if not isinstance(area, DiseaseArea):
        area = DiseaseArea.objects.filter(pk=area).only("shared_facts").first()
        if area is None:
            return models.Q(pk__in=[])
    return models.Q(area=area) | models.Q(area__isnull=True, name__in=area.shared_facts)


class FactQuerySet(models.QuerySet):
    def for_area(self, area):
        return self.filter(in_area(area))

    def catalogue(self) -> facts.Catalogue:
        """The facts as a read-only catalogue in form order, in two queries.

        Callers that match cases read it through ``guidelines.snapshot``, which keeps
        it until the content changes; validation reads it fresh from here.
        """
        found = sorted(
            self.select_related("section").prefetch_related("choices"), key=Fact.form_order
        )
        return MappingProxyType({fact.name: fact.to_spec() for fact in found})


@audited
class Fact(Stamped):
    """One entry of the fact catalogue: something that can be known about a case."""

    name = models.CharField(
        max_length=64,
        unique=True,
        validators=[NAME_VALIDATOR],
        help_text="The name conditions use, e.g. serum_bilirubin_umol_l. Changing it breaks "
        "conditions that use it.",
    )
    label = models.CharField(max_length=120, help_text="What clinicians read on the form.")
    kind = models.CharField(max_length=16, choices=FactKind.choices)
    unit = models.CharField(max_length=40, blank=True)
    minimum = models.FloatField(null=True, blank=True, help_text="Numbers only.")
    maximum = models.FloatField(null=True, blank=True, help_text="Numbers only.")
    help_text = models.TextField(blank=True)
    # Named "section" (its column holds the group's key) as the packs and earlier
    # versions name it.
    section = models.ForeignKey(
        FactGroup,
        to_field="key",
        db_column="section",
        on_delete=models.PROTECT,
        related_name="facts",
        verbose_name="form group",
    )
    position = models.PositiveIntegerField(default=0, help_text="Order within the group.")
    area = models.ForeignKey(
        DiseaseArea,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="facts",
        help_text="The disease area whose cases record it; empty: shared by every area "
        "(facts about the patient, such as sex and age).",
    )

    alternative_units = models.JSONField(
        default=list,
        blank=True,
        help_text="Other units it may be typed in, with the factor to its unit: "
        '[{"unit": "mg/dL", "factor": 17.1}].',
    )
    codes = models.JSONField(
        default=list,
        blank=True,
        help_text='Its codes in standard terminologies: [{"system": "http://loinc.org", '
        '"code": "89247-1"}] (guidelines.terminology).',
    )
    unit_code = models.CharField(
        "UCUM unit code", max_length=40, blank=True, help_text="E.g. umol/L, g/L, mm."
    )
    fhir = models.JSONField(
        "FHIR",
        default=dict,
        blank=True,
        help_text="How the FHIR export writes it, where not as a plain Observation "
        "(guidelines.terminology).",
    )

    over_time = models.BooleanField(
        "recorded over time", default=False,
        help_text="A series of dated values (e.g. CEA, the liver labs): cases record it in "
        "their course, not on the form, and conditions read the latest value.",
    )  # fmt: skip

    objects = FactQuerySet.as_manager()

    class Meta:
        ordering = ["section__position", "position", "name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(minimum__isnull=True)
                | models.Q(maximum__isnull=True)
                | models.Q(minimum__lte=models.F("maximum")),
                name="fact_minimum_not_above_maximum",
            ),
            models.CheckConstraint(
                condition=models.Q(kind__in=FactKind.values), name="fact_kind_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.label} ({self.name})"

    @staticmethod
    def form_order(fact: Fact) -> tuple[int, str, int, str]:
        """Groups in their order, then the facts of each (``section`` selected with it)."""
        return (fact.section.position, fact.section_id, fact.position, fact.name)

    def to_spec(
        self, choices: list[tuple[str, str]] | None = None, not_known: frozenset[str] | None = None
    ) -> facts.FactSpec:
        """A detached copy for pure code, with the saved choices unless others are given."""
        saved = list(self.choices.all()) if self.pk and choices is None else []
        if choices is None:
            choices = [(c.value, c.label) for c in saved]
        if not_known is None:
            not_known = frozenset(c.value for c in saved if c.means_not_known)
        group = self.section if self.section_id else None
        return facts.FactSpec(
            name=self.name,
            label=self.label,
            kind=self.kind,
            choices=tuple(choices),
            minimum=self.minimum,
            maximum=self.maximum,
            unit=self.unit,
            help_text=self.help_text,
            section=self.section_id or "",
            not_known_values=not_known,
            group_label=group.name if group else "",
            computed=bool(group and group.computed),
            alternative_units=terminology.units(self.alternative_units),
            codes=terminology.codings(self.codes),
            unit_code=self.unit_code,
            choice_codes=MappingProxyType(
                {c.value: terminology.codings(c.codes) for c in saved if c.codes}
            ),
            fhir=MappingProxyType(dict(self.fhir or {})),
            over_time=self.over_time,
        )

    def clean(self) -> None:
        if self.name in conditions.KEYWORDS:
            raise ValidationError({"name": f"{self.name!r} is a word of the condition language."})
        if self.kind not in facts.NUMERIC_KINDS and (
            self.minimum is not None or self.maximum is not None
        ):
            raise ValidationError("Only number facts have a minimum and maximum.")
        if self.over_time and self.kind not in facts.NUMERIC_KINDS:
            raise ValidationError({"over_time": "Only number facts are recorded over time."})
        if self.minimum is not None and self.maximum is not None and self.minimum > self.maximum:
            raise ValidationError({"maximum": "The maximum must not be below the minimum."})
        problems = {
            name: problem
            for name, problem in (
                ("alternative_units", terminology.units_problem(self.alternative_units, self)),
                ("codes", terminology.codes_problem(self.codes)),
                ("fhir", terminology.fhir_problem(self.fhir)),
            )
            if problem
        }
        if problems:
            raise ValidationError(problems)
        group = FactGroup.objects.filter(key=self.section_id).first() if self.section_id else None
        if group is not None and group.area_id is not None and group.area_id != self.area_id:
            raise ValidationError(
                {"section": f"The group {group.name!r} belongs to the {group.area} area: "
                 "choose a group of the fact's own area or a shared one."}
            )  # fmt: skip

    def share_with_every_area(self) -> None:
        """A fact an editor makes shared is read by every area (``DiseaseArea.shared_facts``),
        as the admin says; a content pack loaded later lists what its own area reads."""
        for area in DiseaseArea.objects.exclude(shared_facts__contains=[self.name]):
            area.shared_facts = sorted([*area.shared_facts, self.name])
            area.save(update_fields=["shared_facts"])

    def recommendations_using(self) -> list[Recommendation]:
        """Recommendations whose condition reads this fact, under its saved name."""
        names = {self.name}
        if self.pk:
            names |= set(Fact.objects.filter(pk=self.pk).values_list("name", flat=True))
        candidates = (
            Recommendation.objects.exclude(condition="")
            .select_related("subsection__section")
            .only("slug", "condition", "subsection__section__area")
        )
        return [rec for rec in candidates if _reads_any(rec.condition, names)]

    def condition_problems_with(self, spec: facts.FactSpec) -> list[str]:
        """What changing this fact to ``spec`` (in the area this form gives it) would break
        in existing conditions, each checked against the catalogue of its own area."""
        catalogues: dict[int, dict[str, facts.FactSpec]] = {}
        problems = []
        for rec in self.recommendations_using():
            area_id = rec.subsection.section.area_id
            if area_id not in catalogues:
                catalogue = dict(Fact.objects.for_area(area_id).exclude(pk=self.pk).catalogue())
                if self.area_id in (None, area_id):
                    catalogue[spec.name] = spec
                catalogues[area_id] = catalogue
            problems += [
                f"{rec.slug}: {problem}"
                for problem in conditions.validate(rec.condition, catalogues[area_id])
            ]
        return problems


def _reads_any(condition: str, names: set[str]) -> bool:
    try:
        return bool(conditions.facts_used(conditions.parse(condition)) & names)
    except conditions.ConditionError:
        return any(re.search(rf"\b{re.escape(name)}\b", condition) for name in names)


@audited
class FactChoice(models.Model):
    """One allowed value of a choice fact."""

    fact = models.ForeignKey(Fact, on_delete=models.CASCADE, related_name="choices")
    value = models.CharField(max_length=64, validators=[VALUE_VALIDATOR])
    label = models.CharField(max_length=120)
    position = models.PositiveIntegerField(default=0)
    means_not_known = models.BooleanField(
        "means “not known”",
        default=False,
        help_text="Somebody looked and could not decide yet (e.g. “undecided”): matching "
        "treats this value exactly like an empty fact, while the case shows it.",
    )
    codes = models.JSONField(
        default=list,
        blank=True,
        help_text='Its codes in standard terminologies: [{"system": "http://snomed.info/sct", '
        '"code": "94381002"}], each with an optional "when" condition.',
    )

    class Meta:
        ordering = ["fact", "position", "value"]
        constraints = [
            models.UniqueConstraint(fields=["fact", "value"], name="fact_choice_unique_value"),
        ]

    def __str__(self) -> str:
        return f"{self.fact.name} = {self.value}"

    def clean(self) -> None:
        problem = terminology.codes_problem(self.codes)
        if problem:
            raise ValidationError({"codes": problem})


class GuidelineSourceQuerySet(models.QuerySet):
    def in_library(self):
        """Published sources, each with ``published_count``: how many published
        recommendations cite it."""
        return self.filter(is_published=True).annotate(
            published_count=models.Count(
                "recommendations", filter=models.Q(recommendations__is_published=True)
            )
        )


@audited
class GuidelineSource(Stamped):
    """A guideline document, or a secondary summary of one, that content cites."""

    code = models.CharField(
        max_length=16,
        unique=True,
        help_text="Short stable reference used by the content pack, e.g. S1.",
    )
    short_name = models.CharField(
        max_length=80, help_text="How clinicians name it, e.g. 'ERAS Society 2022'."
    )
    society = models.CharField(max_length=200, blank=True)
    title = models.CharField(max_length=400)
    year = models.PositiveSmallIntegerField(null=True, blank=True)
    citation = models.TextField(blank=True)
    doi = models.CharField("DOI", max_length=120, blank=True)
    url = models.URLField("URL", max_length=500, blank=True)
    access_note = models.TextField(
        blank=True,
        help_text="What of this document could actually be read when the content was written.",
    )
    is_published = models.BooleanField(default=True)
    reviewed_on = models.DateField(null=True, blank=True)

    objects = GuidelineSourceQuerySet.as_manager()

    class Meta:
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(year__isnull=True) | models.Q(year__gte=1900),
                name="source_year_plausible",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code}: {self.short_name}"

    def get_absolute_url(self) -> str:
        return reverse("guidelines:library") + f"?source={self.code}"

    @property
    def display_name(self) -> str:
        """Name and year, e.g. 'JSHBPS 2021' or 'ERAS Society 2022 (2023)'."""
        if self.year and str(self.year) not in self.short_name:
            return f"{self.short_name} ({self.year})"
        return self.short_name


@audited
class Section(models.Model):
    """A top-level section of a disease area's guideline digest, e.g. 'Perioperative care'.
    Its recommendations belong to its area."""

    area = models.ForeignKey(DiseaseArea, on_delete=models.PROTECT, related_name="sections")
    name = models.CharField(max_length=120)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["area__position", "position", "name"]
        constraints = [
            models.UniqueConstraint(fields=["area", "name"], name="section_unique_name_in_area"),
        ]

    def __str__(self) -> str:
        return self.name


@audited
class Subsection(models.Model):
    section = models.ForeignKey(Section, on_delete=models.PROTECT, related_name="subsections")
    name = models.CharField(max_length=160)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["section__position", "position", "name"]
        constraints = [
            models.UniqueConstraint(fields=["section", "name"], name="subsection_unique_name"),
        ]

    def __str__(self) -> str:
        return f"{self.section.name} → {self.name}"


class VerificationStatus(models.TextChoices):
    # The detailed note behind the level; worded so that only the guideline's own text
    # reads as a check of it (a summary never shows as "verified").
    VERIFIED_PRIMARY = "verified-primary", "Seen in the guideline's own text"
    VERIFIED_SECONDARY = "verified-secondary", "Seen in a summary of the guideline"
    SEED_ONLY = "seed-only", "Seen only in the digest"
    UNVERIFIED = "unverified", "Not found: placeholder"


class VerificationLevel(models.TextChoices):
    """One level per recommendation (fact sheet revision 2, §0): the weakest part of its
    status. Only ``primary`` is shown without the "not verified" marker."""

    PRIMARY = matching.PRIMARY, "Checked against the guideline's own text"
    SECONDARY = "secondary", "Checked against a summary of the guideline only"
    # The item names the version (``Recommendation.earlier_version_year``): "Checked
    # against the 2016 version only" for the liver pack, "the 2012 version" for HCC's.
    EARLIER_VERSION = "earlier_version", "Checked against an earlier version only"
    PARTIAL = "partial", "Partly checked"
    DIGEST_ONLY = "digest_only", "From the digest only"
    NONE = "none", "Placeholder"


# Strongest first: an edit sends a level back to the weaker of its own and PARTIAL.
LEVEL_ORDER = list(VerificationLevel.values)


def weaker_level(a: str, b: str) -> str:
    return max(a, b, key=LEVEL_ORDER.index)


class Action(models.TextChoices):
    OBTAIN = "obtain", "Obtain"
    CONSIDER = "consider", "Consider"
    OFFER = "offer", "Offer"
    PROVIDE = "provide", "Provide"
    ADVISE = "advise", "Advise"
    PERFORM = "perform", "Perform"
    AVOID = "avoid", "Avoid"
    DO_NOT_USE = "do not use", "Do not use"
    DO = "do", "Do"  # (HCC fact sheet revision 1: staging and tumour board)


class DecisionScope(models.TextChoices):
    """How an item takes part in the board's decision (fact sheet revision 3, §0)."""

    BOARD = "board", "Board decision"
    PATHWAY = "pathway", "Care pathway"


# The key of a group of alternatives, e.g. ``hcc-early-curative`` (HCC fact sheet §0).
ALTERNATIVES_KEY = RegexValidator(
    r"^[a-z][a-z0-9_-]*$",
    "Use a short key: lower-case letters, digits, hyphens and underscores, starting with a letter.",
)

# A modality of the decision's plan, named by its code (``decisions.Modality.code``).
MODALITY_CODE = RegexValidator(
    r"^[a-z][a-z0-9_]*$", "Use a modality's code: lower-case letters, digits and underscores."
)
# The plan's modalities, code -> name: the decisions app, which owns the list, sets this
# when it starts (guidelines cannot import it); None leaves codes unchecked and unnamed.
modality_names: Callable[[], dict[str, str]] | None = None


def _unknown_modalities(codes: Iterable[str]) -> list[str]:
    known = modality_names() if modality_names is not None else None
    return [] if known is None else sorted(set(codes) - set(known))


def modalities_in_words(codes: Iterable[str], names: Mapping[str, str]) -> str:
    """Modality codes as the plan's list names them ("Further imaging"), the code itself
    for one the list no longer holds."""
    return ", ".join(names.get(code, code) for code in codes)


class RecommendationQuerySet(models.QuerySet):
    def published(self):
        return self.filter(is_published=True)

    def in_area(self, area):
        return self.filter(subsection__section__area=area)

    def in_digest_order(self):
        return self.order_by(
            "subsection__section__area__position",
            "subsection__section__area__name",
            "subsection__section__position",
            "subsection__position",
            "slug",
        )

    def with_provenance(self):
        """With what every listing shows of a recommendation: its section and source."""
        return self.select_related("subsection__section__area", "source")

    def in_library(self):
        """What clinicians read and cases are matched against: the published
        recommendations in digest order, with their section, source and cautions."""
        return self.published().with_provenance().prefetch_related("cautions").in_digest_order()

    def rules(self) -> list[matching.Rule]:
        """The published recommendations as the matching engine's rules, in one query."""
        return [rec.to_rule() for rec in self.in_library()]


@audited
class Recommendation(Stamped):
    """One guideline recommendation with its provenance and applicability condition."""

    slug = models.SlugField(
        "ID", max_length=100, unique=True, help_text="Stable identifier, e.g. pc-smoking-cessation."
    )
    subsection = models.ForeignKey(
        Subsection, on_delete=models.PROTECT, related_name="recommendations"
    )
    source = models.ForeignKey(
        GuidelineSource,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="recommendations",
        help_text="The guideline it comes from; empty when unknown.",
    )
    source_detail = models.CharField(
        max_length=300, blank=True, help_text="How the source was used, e.g. 'S5 via S5a'."
    )
    statement = models.TextField()
    action = models.CharField(max_length=20, choices=Action.choices, blank=True)
    source_strength = models.CharField(
        max_length=300,
        blank=True,
        help_text="The source's own strength wording; empty means not seen.",
    )
    source_evidence = models.CharField(
        max_length=300,
        blank=True,
        help_text="The source's own evidence wording; empty means not seen.",
    )
    digest_grade = models.CharField(
        max_length=60,
        blank=True,
        help_text="The digest's own letter. Its scale is unknown: never present it as a GRADE level.",
    )
    verification_status = models.CharField(max_length=24, choices=VerificationStatus.choices)
    verification_detail = models.CharField(
        max_length=300, blank=True, help_text="Qualifiers of the status, e.g. '2016 version only'."
    )
    earlier_version_year = models.PositiveSmallIntegerField(
        "year of the earlier version",
        null=True,
        blank=True,
        validators=[MinValueValidator(1950), MaxValueValidator(2100)],
        help_text="For the level 'checked against an earlier version only': the year of the "
        "version it was checked against, shown in the level's words.",
    )
    verification = models.CharField(
        "verification level",
        max_length=16,
        choices=VerificationLevel.choices,
        default=VerificationLevel.NONE,
        help_text="What the statement was checked against. Every level but the first is shown "
        "with the 'not verified against the primary guideline text' marker. Editing the "
        "statement or the condition asks for it again: an edit is not a verification.",
    )
    verified_by = models.CharField(
        max_length=120, blank=True, help_text="Who checked it against the primary guideline text."
    )
    verified_on = models.DateField(null=True, blank=True)
    condition = models.TextField(
        blank=True,
        help_text="When the recommendation applies, over case facts. Empty: applies to every case.",
    )
    notes = models.TextField(blank=True)
    is_published = models.BooleanField(
        default=False, help_text="Only published recommendations are matched against cases."
    )
    reviewed_on = models.DateField(null=True, blank=True)
    # How the item takes part in the board's decision (fact sheet revision 3, §0).
    decision_scope = models.CharField(
        max_length=8,
        choices=DecisionScope.choices,
        default=DecisionScope.BOARD,
        help_text="Board: a decision the board makes for this patient. Care pathway: a "
        "standard the treating teams apply (e.g. the ERAS perioperative items), judged by the "
        "board as one line, not item by item.",
    )
    plan_modalities = ArrayField(
        models.CharField(max_length=60, validators=[MODALITY_CODE]),
        default=list,
        blank=True,
        help_text="Codes of the plan's modalities that carry the item out, comma-separated "
        "(e.g. further_imaging): a plan with one of them proposes “followed”.",
    )
    contradicted_by = ArrayField(
        models.CharField(max_length=60, validators=[MODALITY_CODE]),
        default=list,
        blank=True,
        help_text="Codes of modalities that go against the item: a plan with one of them "
        "proposes “not followed”.",
    )
    alternatives = models.CharField(
        max_length=60,
        blank=True,
        validators=[ALTERNATIVES_KEY],
        help_text="A key shared by items that are alternative options for the same decision: "
        "following one follows the group.",
    )

    objects = RecommendationQuerySet.as_manager()

    class Meta:
        ordering = ["subsection__section__position", "subsection__position", "slug"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(verification_status__in=VerificationStatus.values),
                name="recommendation_status_valid",
            ),
            models.CheckConstraint(
                condition=~models.Q(is_published=True, verification_status="unverified"),
                name="recommendation_unverified_never_published",
            ),
            models.CheckConstraint(
                condition=models.Q(verification__in=VerificationLevel.values),
                name="recommendation_verification_level_valid",
            ),
            models.CheckConstraint(
                condition=~models.Q(is_published=True, verification=VerificationLevel.NONE),
                name="recommendation_placeholder_never_published",
            ),
            models.CheckConstraint(
                condition=models.Q(verified_on__isnull=True) | ~models.Q(verified_by=""),
                name="recommendation_verification_names_who",
            ),
        ]

    def __str__(self) -> str:
        return self.slug

    def get_absolute_url(self) -> str:
        return reverse("guidelines:recommendation_detail", args=[self.slug])

    @property
    def shows_unverified_marker(self) -> bool:
        """The 'not verified against the primary guideline text' marker: every level but primary."""
        return matching.shows_unverified_marker(self.verification)

    def clean(self) -> None:
        errors = {}
        if self.is_published and (
            self.verification_status == VerificationStatus.UNVERIFIED
            or self.verification == VerificationLevel.NONE
        ):
            errors["is_published"] = (
                "An unverified placeholder cannot be published. Record its verification first."
            )
        if self.verified_on and not self.verified_by:
            errors["verified_by"] = "Say who checked it against the primary guideline text."
        if self.verified_by and not self.verified_on:
            errors["verified_on"] = "Say when it was checked against the primary guideline text."
        problems = self.condition_problems()
        if problems:
            errors["condition"] = [str(problem) for problem in problems]
        for name in ("plan_modalities", "contradicted_by"):
            unknown = _unknown_modalities(getattr(self, name) or [])
            if unknown:
                errors[name] = (
                    f"Not on the plan's modality list: {', '.join(unknown)}. Use the codes of "
                    "Decisions › Modalities (or add the modality there first)."
                )
        if errors:
            raise ValidationError(errors)

    @property
    def area_id(self) -> int | None:
        return self.subsection.section.area_id if self.subsection_id else None

    def condition_problems(self) -> list[conditions.ConditionError]:
        """What is wrong with the condition, read with the facts of the recommendation's
        area (its own and the shared ones): a fact of another area is unknown here."""
        if self.subsection_id is None:
            return []  # the missing subsection is reported on its own field
        catalogue = Fact.objects.for_area(self.area_id).catalogue()
        return conditions.validate(self.condition, catalogue)

    def get_verification_display(self) -> str:
        """The level in words; an earlier version names its year where the item gives it."""
        if self.verification == VerificationLevel.EARLIER_VERSION and self.earlier_version_year:
            return f"Checked against the {self.earlier_version_year} version only"
        return VerificationLevel(self.verification).label if self.verification else ""

    def to_rule(self) -> matching.Rule:
        """The recommendation as the matching engine sees it (needs subsection, source)."""
        return matching.Rule(
            id=self.slug,
            statement=self.statement,
            condition=self.condition,
            section=self.subsection.section.name,
            subsection=self.subsection.name,
            order=(self.subsection.section.position, self.subsection.position),
            source=self.source.display_name if self.source else "unknown",
            action=self.action,
            strength=self.source_strength or "not seen",
            verification_status=self.verification_status,
            verification=self.verification,
            verification_words=self.get_verification_display(),
            decision_scope=self.decision_scope,
            plan_modalities=tuple(self.plan_modalities),
            contradicted_by=tuple(self.contradicted_by),
            alternatives=self.alternatives,
            cautions=tuple(
                matching.Caution(caution.condition, caution.text) for caution in self.cautions.all()
            ),
        )

    def record_verification(self, who: str, on) -> None:
        """Record a check against the primary guideline text (who and when)."""
        self.verified_by = who
        self.verified_on = on
        self.verification_status = VerificationStatus.VERIFIED_PRIMARY
        self.verification = VerificationLevel.PRIMARY


@audited
class Caution(models.Model):
    """A caution shown on a recommendation's card when its condition holds for the case
    (and as "may apply" while not known); a caution never hides the card. Fact sheet
    revision 3: e.g. gadolinium MRI in pregnancy."""

    recommendation = models.ForeignKey(
        Recommendation, on_delete=models.CASCADE, related_name="cautions"
    )
    position = models.PositiveIntegerField(default=0)
    condition = models.TextField(
        "when",
        help_text="When the caution is shown, over case facts (the recommendations' syntax). "
        "Empty: on every card of the recommendation.",
        blank=True,
    )
    text = models.TextField()

    class Meta:
        ordering = ["recommendation", "position", "pk"]
        constraints = [
            models.CheckConstraint(condition=~models.Q(text=""), name="caution_has_text"),
        ]

    def __str__(self) -> str:
        return f"Caution on {self.recommendation_id}: {self.text[:60]}"

    def clean(self) -> None:
        if self.recommendation_id is None:
            return
        area_id = self.recommendation.area_id
        if area_id is None:
            return
        problems = conditions.validate(self.condition, Fact.objects.for_area(area_id).catalogue())
        if problems:
            raise ValidationError({"condition": [str(problem) for problem in problems]})


class Severity(models.TextChoices):
    BLOCKS = "blocks", "Blocks (not ready)"
    WARNS = "warns", "Warns (ready with warnings)"


@audited
class ReadinessItem(Stamped):
    """One item of a disease area's readiness checklist (``guidelines.readiness``): a
    condition over the case's facts and the readiness facts (dates, attachments), which a
    case must meet to be ready for its meeting. Carried in the area's pack."""

    area = models.ForeignKey(DiseaseArea, on_delete=models.CASCADE, related_name="readiness_items")
    key = models.CharField(
        max_length=64, validators=[NAME_VALIDATOR], help_text="Stable key used by content packs."
    )
    position = models.PositiveIntegerField(default=0, help_text="Order on the checklist.")
    text = models.CharField(
        "what is checked", max_length=300,
        help_text="As shown to the clinician, e.g. 'Liver imaging (CT or MRI) within 56 days "
        "of the meeting'.",
    )  # fmt: skip
    condition = models.TextField(
        help_text="Met when this holds, over case facts and the readiness facts "
        "(days_since_ct_or_mri, days_since_values, radiology_report_attached, "
        "pathology_report_attached, decisive_facts_known); the recommendations' syntax.",
    )
    severity = models.CharField(max_length=8, choices=Severity.choices, default=Severity.WARNS)
    local_policy = models.BooleanField(
        "local policy", default=True,
        help_text="An interval or rule the board sets for itself, not a guideline's.",
    )  # fmt: skip
    notes = models.TextField(blank=True, help_text="Why, and where the rule comes from.")

    class Meta:
        ordering = ["area", "position", "key"]
        constraints = [
            models.UniqueConstraint(fields=["area", "key"], name="readiness_key_once_per_area"),
        ]

    def __str__(self) -> str:
        return self.text

    def clean(self) -> None:
        if self.area_id is None:
            return
        from guidelines import readiness

        catalogue = readiness.catalogue_with_readiness(
            Fact.objects.for_area(self.area_id).catalogue()
        )
        problems = conditions.validate(self.condition, catalogue)
        if not self.condition.strip():
            problems = ["Give the condition the case must meet."]
        if problems:
            raise ValidationError({"condition": [str(problem) for problem in problems]})

    def to_item(self):
        from guidelines import readiness

        return readiness.Item(self.key, self.text, self.condition, self.severity,
                              self.local_policy)  # fmt: skip
