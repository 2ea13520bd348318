"""Guideline content packs: a versioned YAML file <-> the guideline library.

A pack holds one disease area: the area itself, its facts (and the shared facts
it reads, marked ``shared``), the sources, its section structure and its
recommendations. ``apply_pack`` makes the database match a pack (creating and
updating items by their stable keys, never deleting), validating every item
with the same model validation the admin uses; ``export_pack`` writes the
database back in the same format, so that one hospital's content can be
loaded by another.

Everything is applied in one transaction: a pack with any error changes nothing.
"""

from __future__ import annotations

import datetime
import json
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

import yaml
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import models, transaction

from guidelines import conditions, facts, registry, terminology
from guidelines.models import (
    Caution,
    CautionEvent,
    DiseaseArea,
    Fact,
    FactChoice,
    FactChoiceEvent,
    FactGroup,
    GuidelineSource,
    ReadinessItem,
    Recommendation,
    Section,
    Subsection,
)

FORMAT = "tumorboard-content-pack/4"
# Format 3 came before areas as data: the form's groups were fixed and shared by every
# area (``LEGACY_GROUPS``), an area had a lesion table or not (the liver's), every score
# and rule applied where the facts were, and codes and alternative units were not in it.
FORMAT_3 = "tumorboard-content-pack/3"
LEGACY_GROUPS = [
    {"key": "patient", "name": "Patient", "shared": True},
    {"key": "primary_tumour", "name": "Primary tumour", "shared": True},
    {"key": "liver_disease", "name": "Liver disease", "shared": True},
    {"key": "molecular_profile", "name": "Molecular profile", "shared": True},
    {"key": "treatment", "name": "Treatment history and plan", "shared": True},
    {"key": "perioperative_risk", "name": "Perioperative risk", "shared": True},
    {"key": "scores", "name": "Computed values and scores", "computed": True, "shared": True},
]
# Format 2 came before the decision fields and cautions of fact sheet revision 3: its
# items are board decisions without modalities or cautions (what an absent key means).
FORMAT_2 = "tumorboard-content-pack/2"
# Format 1 came before disease areas: its packs are the liver library, whose facts of the
# form's "Patient" section are shared (as the migration that introduced areas decided).
FORMAT_1 = "tumorboard-content-pack/1"
FORMAT_1_AREA = {"slug": "liver", "name": "Liver metastases", "position": 1, "lesion_table": True}
OLD_FORMATS = (FORMAT_3, FORMAT_2, FORMAT_1)
FORMAT_1_SHARED_SECTION = "patient"
PACKS = Path(__file__).resolve().parent / "content"
DEFAULT_PACK = PACKS / "liver-metastases.yaml"

AREA_FIELDS = {
    "name": ("name", ""),
    "position": ("position", 0),
    "lesion_module": ("lesion_module", ""),
    "rules": ("rules", []),
    "lesion_fields": ("lesion_fields", []),
}
GROUP_FIELDS = {
    "name": ("name", ""),
    "computed": ("computed", False),
}

# Pack key -> model field, with the value an absent key stands for.
FACT_FIELDS = {
    "label": ("label", ""),
    "kind": ("kind", ""),
    "section": ("section_id", ""),
    "unit": ("unit", ""),
    "minimum": ("minimum", None),
    "maximum": ("maximum", None),
    "help_text": ("help_text", ""),
    "alternative_units": ("alternative_units", []),
    "unit_code": ("unit_code", ""),
    "codes": ("codes", []),
    "fhir": ("fhir", {}),
    "over_time": ("over_time", False),
}
SOURCE_FIELDS = {
    "short_name": ("short_name", ""),
    "society": ("society", ""),
    "title": ("title", ""),
    "year": ("year", None),
    "citation": ("citation", ""),
    "doi": ("doi", ""),
    "url": ("url", ""),
    "access_note": ("access_note", ""),
    "published": ("is_published", True),
    "reviewed_on": ("reviewed_on", None),
}
RECOMMENDATION_FIELDS = {
    "source_detail": ("source_detail", ""),
    "status": ("verification_status", ""),
    "verification": ("verification", "none"),
    "earlier_version_year": ("earlier_version_year", None),
    "status_detail": ("verification_detail", ""),
    "published": ("is_published", False),
    "statement": ("statement", ""),
    "action": ("action", ""),
    "source_strength": ("source_strength", ""),
    "source_evidence": ("source_evidence", ""),
    "digest_grade": ("digest_grade", ""),
    "condition": ("condition", ""),
    "notes": ("notes", ""),
    "verified_by": ("verified_by", ""),
    "verified_on": ("verified_on", None),
    "reviewed_on": ("reviewed_on", None),
    "decision_scope": ("decision_scope", "board"),
    "plan_modalities": ("plan_modalities", []),
    "contradicted_by": ("contradicted_by", []),
    "alternatives": ("alternatives", ""),
}
READINESS_FIELDS = {
    "text": ("text", ""),
    "condition": ("condition", ""),
    "severity": ("severity", "warns"),
    "local_policy": ("local_policy", True),
    "notes": ("notes", ""),
}
LIST_FIELDS = {"plan_modalities", "contradicted_by", "rules", "lesion_fields"}
DATE_FIELDS = {"verified_on", "reviewed_on"}
# Keys of older packs that are read without effect: revision 1's marker flag, which
# the verification level replaces (every level but "primary" shows the marker).
IGNORED_KEYS = {"needs_primary_check"}


class PackError(Exception):
    """A pack that cannot be loaded; the message names the item and the problem."""


@dataclass
class Change:
    kind: str  # "area", "fact", "source", "section", "subsection", "recommendation"
    key: str
    action: str  # "create" or "update"
    fields: list[str] = field(default_factory=list)
    # (field, before, after) of an update, for the dry run to show exactly what changes
    differences: list[tuple[str, Any, Any]] = field(default_factory=list)

    def __str__(self) -> str:
        if self.action == "create":
            return f"create {self.kind} {self.key}"
        return f"update {self.kind} {self.key}: {', '.join(self.fields)}"


@dataclass
class Skip:
    """An item the pack would change but that was left as it is, and why."""

    kind: str
    key: str
    reason: str
    # (field, the value here, the pack's value), so an editor can compare the two
    differences: list[tuple[str, Any, Any]]

    @property
    def fields(self) -> list[str]:
        return [name for name, _, _ in self.differences]

    def __str__(self) -> str:
        return f"left alone {self.kind} {self.key} ({', '.join(self.fields)}): {self.reason}"


@dataclass
class Guard:
    """What a load must not do without being asked for the item (``take``).

    It never changes an item whose latest change was not made by a content pack (an
    editor in the admin, another command, or SQL), and never publishes an item that
    is unpublished here.
    """

    take: frozenset[str] = frozenset()
    only: frozenset[str] | None = None  # apply only these items (None: all)
    skipped: list[Skip] = field(default_factory=list)

    def wants(self, key: str) -> bool:
        return self.only is None or key in self.only

    def left_alone(self, key: str, *, since: int) -> bool:
        """Whether the item was left alone (skipped) since ``since`` skips were recorded."""
        return len(self.skipped) > since and self.skipped[-1].key == key

    def check(
        self, obj, kind: str, key: str, values: dict, changed: list[str], here: dict | None = None
    ) -> list[str]:
        """The fields that may be changed (all, some or none); records what was left.

        ``here`` gives the current value of a field that is not an attribute (choices).
        """
        if key in self.take:
            return changed
        edited_by = last_change_not_by_a_pack(obj)
        here = here or {}
        differences = [
            (name, here[name] if name in here else getattr(obj, name, None), values.get(name))
            for name in changed
        ]
        if edited_by:
            reason = f"changed by {edited_by} since it was loaded"
            self.skipped.append(Skip(kind, key, reason, differences))
            return []
        if "is_published" in changed and values["is_published"] and not obj.is_published:
            reason = "unpublished here; the pack would publish it"
            self.skipped.append(Skip(kind, key, reason, [("is_published", False, True)]))
            return [name for name in changed if name != "is_published"]
        return changed


def last_change_not_by_a_pack(obj) -> str | None:
    """Who made the item's latest change, when that was not ``load_content``."""
    events = [obj.events.order_by("-pgh_id").first()]
    if isinstance(obj, Fact):  # its allowed values are part of it
        events.append(FactChoiceEvent.objects.filter(fact_id=obj.pk).order_by("-pgh_id").first())
    if isinstance(obj, Recommendation):  # and its cautions of a recommendation
        events.append(
            CautionEvent.objects.filter(recommendation_id=obj.pk).order_by("-pgh_id").first()
        )
    events = [event for event in events if event is not None]
    if not events:
        return None
    latest = max(events, key=lambda event: event.pgh_created_at)
    context = latest.pgh_context.metadata if latest.pgh_context else {}
    if context.get("command") == "load_content":
        return None
    when = f"{latest.pgh_created_at:%Y-%m-%d %H:%M}"
    if context.get("user"):
        user = get_user_model().objects.filter(pk=context["user"]).first()
        return f"{user.get_username() if user else 'a deleted user'} on {when}"
    if context.get("command"):
        return f"manage.py {context['command']} on {when}"
    return f"a change made directly in the database on {when}"


@dataclass
class Report:
    changes: list[Change]
    counts: dict[str, int]  # items per kind in the pack
    untouched: dict[str, int]  # items per kind in the database but not in the pack
    skipped: list[Skip] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.changes)


# --- Reading ---------------------------------------------------------------------


def read_pack(path: Path | str) -> dict[str, Any]:
    """Read and structurally check a pack file; PackError says what is wrong."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise PackError(f"cannot read {path}: {error.strerror}") from None
    except UnicodeDecodeError:
        raise PackError(f"{path} is not UTF-8 text") from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(error, "problem", None) or str(error)
        raise PackError(f"{path} is not valid YAML{where}: {problem}") from None
    if not isinstance(data, dict) or data.get("format") not in (FORMAT, *OLD_FORMATS):
        raise PackError(f"{path} is not a content pack: its first key must be 'format: {FORMAT}'")
    for key in ("groups", "facts", "sources", "sections", "recommendations", "readiness"):
        items = data.get(key, [])
        if not isinstance(items, list) or not all(isinstance(item, dict) for item in items):
            raise PackError(f"{path}: '{key}' must be a list of mappings")
        data[key] = items
    if data["format"] == FORMAT_1:
        data["area"] = dict(FORMAT_1_AREA)
        for item in data["facts"]:
            if item.get("section") == FORMAT_1_SHARED_SECTION:
                item["shared"] = True
    area = data.get("area")
    if not isinstance(area, dict) or not all(
        isinstance(area.get(key), str) and area.get(key) for key in ("slug", "name")
    ):
        raise PackError(
            f"{path}: 'area' must name the pack's disease area, with a 'slug' and a 'name'"
        )
    if data["format"] in OLD_FORMATS:
        _as_format_4(data)
    return data


def _as_format_4(data: dict[str, Any]) -> None:
    """An older pack read as format 4 says what it meant: the fixed groups of the form,
    the liver's lesion table where it had one, and every score and rule (which then
    applied wherever the facts were)."""
    area = data["area"]
    area["lesion_module"] = "liver" if area.pop("lesion_table", False) else ""
    area.setdefault("rules", list(registry.FIRST_AREA_RULES))
    if not data["groups"]:
        data["groups"] = [dict(group) for group in LEGACY_GROUPS]


# --- Applying ---------------------------------------------------------------------


def apply_pack(
    data: dict[str, Any],
    *,
    dry_run: bool = False,
    take: frozenset[str] = frozenset(),
    only: frozenset[str] | None = None,
) -> Report:
    """Make the database match the pack, as far as ``Guard`` allows; ``take`` names the
    items (fact names, source codes, recommendation ids) to overwrite all the same, and
    ``only`` limits the load to some items. With dry_run, report and change nothing."""
    guard = Guard(take, only)
    with transaction.atomic():
        changes: list[Change] = []
        area, change = _apply_area(data["area"], guard, _shared_names(data["facts"]))
        changes += [change] if change else []
        changes += _apply_groups(data["groups"], area, guard)
        changes += _apply_facts(data["facts"], area, guard)
        _check_code_conditions(data["facts"], area)
        changes += _apply_sources(data["sources"], guard)
        changes += _apply_sections(data["sections"], area, guard)
        changes += _apply_recommendations(data["recommendations"], area, guard)
        changes += _apply_readiness(data["readiness"], area, guard)
        counts = {
            "facts": len(data["facts"]),
            "sources": len(data["sources"]),
            "recommendations": len(data["recommendations"]),
        }
        untouched = {  # of this area (and the shared facts)
            "facts": Fact.objects.for_area(area)
            .exclude(name__in=[f.get("name") for f in data["facts"]])
            .count(),
            "sources": GuidelineSource.objects.exclude(
                code__in=[s.get("code") for s in data["sources"]]
            )
            .filter(in_pack_of(area))
            .count(),
            "recommendations": Recommendation.objects.in_area(area)
            .exclude(slug__in=[r.get("id") for r in data["recommendations"]])
            .count(),
        }
        if dry_run:
            transaction.set_rollback(True)
    return Report(changes, counts, {k: v for k, v in untouched.items() if v}, guard.skipped)


def _shared_names(items: list[dict]) -> list[str]:
    """The shared facts a pack lists: those its area reads (``DiseaseArea.shared_facts``)."""
    return sorted(
        item["name"] for item in items if item.get("shared") and isinstance(item.get("name"), str)
    )


def _apply_area(item: dict, guard: Guard, shared: list[str]) -> tuple[DiseaseArea, Change | None]:
    slug = item["slug"]
    values = _pack_values(item, AREA_FIELDS, "area", slug)
    # A pack that lists no shared fact reads them all, as every pack did before areas
    # chose theirs (its conditions may name sex or age without listing them).
    values["shared_facts"] = shared or sorted(
        Fact.objects.filter(area__isnull=True).values_list("name", flat=True)
    )
    if guard.only is not None:  # loading some items: the area as it is, if it exists
        area = DiseaseArea.objects.filter(slug=slug).first()
        if area is not None:
            return area, None
    return _upsert(DiseaseArea, {"slug": slug}, values, "area", slug, guard)


def _apply_groups(items: list[dict], area: DiseaseArea, guard: Guard) -> list[Change]:
    changes = []
    owners = dict(FactGroup.objects.values_list("key", "area__slug"))
    for index, key in enumerate(_unique_keys(items, "key", "group"), start=1):
        item = items[index - 1]
        values = _pack_values(item, GROUP_FIELDS, "group", key)
        if not isinstance(item.get("shared", False), bool):
            raise PackError(f"group {key}: shared must be true or false")
        position = item.get("position", index)
        if isinstance(position, bool) or not isinstance(position, int) or position < 0:
            raise PackError(f"group {key}: position must be a whole number (0 or more)")
        values["area"] = None if item.get("shared") else area
        if not _keeps_its_place(owners, key, item):
            values["position"] = position
        if guard.only is not None:
            continue  # the structure is loaded only with the whole pack
        owner = owners.get(key, None if item.get("shared") else area.slug)
        if key in owners and owner != (None if item.get("shared") else area.slug):
            raise PackError(
                f"group {key}: it is {'shared by every area' if owner is None else f'a group of the {owner} area'} "
                "here; group keys are unique across areas: rename one, or change its area in the admin"
            )
        _, change = _upsert(FactGroup, {"key": key}, values, "group", key, guard)
        if change:
            changes.append(change)
    return changes


def _keeps_its_place(owners: dict, key: str, item: dict) -> bool:
    """A shared group or fact that exists keeps its place: packs of several areas list it,
    each in its own order, and must not reorder each other's forms."""
    return key in owners and owners[key] is None and bool(item.get("shared"))


def in_pack_of(area) -> models.Q:
    """Sources an area's pack carries: those its recommendations cite, and those no
    recommendation cites (a source is not owned by an area)."""
    return models.Q(recommendations__subsection__section__area=area) | models.Q(
        recommendations__isnull=True
    )


def _key(item: dict, name: str, kind: str, index: int) -> str:
    value = item.get(name)
    if not isinstance(value, str) or not value:
        raise PackError(f"{kind} number {index + 1} has no '{name}'")
    return value


def _unique_keys(items: list[dict], name: str, kind: str) -> list[str]:
    keys = [_key(item, name, kind, i) for i, item in enumerate(items)]
    seen = set()
    for key in keys:
        if key in seen:
            raise PackError(f"{kind} {key} appears twice in the pack")
        seen.add(key)
    return keys


KEYS = {"area": {"slug"}, "group": {"key", "shared", "position"}, "fact": {"name", "choices", "shared"},
        "source": {"code"}, "readiness item": {"key"},
        "recommendation": {"id", "section", "subsection", "source", "cautions"}}  # fmt: skip


def _pack_values(item: dict, mapping: dict, kind: str, key: str) -> dict[str, Any]:
    unknown = set(item) - set(mapping) - KEYS[kind] - IGNORED_KEYS
    if unknown:
        raise PackError(f"{kind} {key}: unknown key(s) {', '.join(sorted(unknown))}")
    values = {}
    for pack_key, (model_field, default) in mapping.items():
        value = item.get(pack_key, default)
        if value is None and default is not None:
            value = default
        if model_field in LIST_FIELDS:
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                raise PackError(f"{kind} {key}: {pack_key} must be a list of codes")
            value = list(value)
        if model_field in DATE_FIELDS and isinstance(value, str):
            try:
                value = datetime.date.fromisoformat(value)
            except ValueError:
                raise PackError(
                    f"{kind} {key}: {pack_key} {value!r} is not a date (YYYY-MM-DD)"
                ) from None
        values[model_field] = value
    return values


def _upsert(
    model, lookup: dict, values: dict, kind: str, key: str, guard: Guard
) -> tuple[Any, Change | None]:
    """Create or update one item, validated like the admin validates it.

    An update the guard refuses leaves the item as it is (the change is None).
    """
    obj = model.objects.filter(**lookup).first()
    if obj is None:
        obj = model(**lookup, **values)
        change = Change(kind, key, "create")
    else:
        changed = [name for name, value in values.items() if getattr(obj, name) != value]
        if changed:
            changed = guard.check(obj, kind, key, values, changed)
        if not changed:
            return obj, None
        differences = [(name, getattr(obj, name), values[name]) for name in changed]
        for name in changed:
            setattr(obj, name, values[name])
        change = Change(kind, key, "update", changed, differences)
    try:
        obj.full_clean()
    except ValidationError as error:
        raise PackError(f"{kind} {key}: {_flatten(error)}") from None
    obj.save()
    return obj, change


def _flatten(error: ValidationError) -> str:
    if hasattr(error, "error_dict"):
        return "; ".join(
            f"{name}: {' '.join(messages)}" if name != "__all__" else " ".join(messages)
            for name, messages in error.message_dict.items()
        )
    return " ".join(error.messages)


def _apply_facts(items: list[dict], area: DiseaseArea, guard: Guard) -> list[Change]:
    changes = []
    _unique_keys(items, "name", "fact")
    positions: dict[str, int] = {}
    owners = dict(Fact.objects.values_list("name", "area__slug"))
    for item in items:
        name = item["name"]
        values = _pack_values(item, FACT_FIELDS, "fact", name)
        section = values["section_id"]
        positions[section] = positions.get(section, 0) + 1
        values["position"] = positions[section]
        if not isinstance(item.get("shared", False), bool):
            raise PackError(f"fact {name}: shared must be true or false")
        values["area"] = None if item.get("shared") else area
        if not guard.wants(name):
            continue
        if _keeps_its_place(owners, name, item):
            del values["position"]
        if _shared_by_its_area(owners, name, item, area):
            # The area's own pack shares its fact (the liver's liver function, read by
            # HCC): the fact's content is the guard's to keep, its sharing is not.
            Fact.objects.filter(name=name).update(area=None)
            owners[name] = None
        elif name in owners and owners[name] != (None if item.get("shared") else area.slug):
            owner = owners[name]
            raise PackError(
                f"fact {name}: it is {'shared by every area' if owner is None else f'a fact of the {owner} area'} "
                f"here, and the pack makes it {'shared' if item.get('shared') else f'a fact of the {area.slug} area'}; "
                "fact names are unique across areas: rename one, or change its area in the admin"
            )
        skipped_before = len(guard.skipped)
        fact, change = _upsert(Fact, {"name": name}, values, "fact", name, guard)
        choices = item.get("choices") or []
        if not isinstance(choices, list) or not all(
            isinstance(c, dict)
            and {"value", "label"} <= set(c) <= {"value", "label", "not_known", "codes"}
            and isinstance(c.get("not_known", False), bool)
            for c in choices
        ):
            raise PackError(
                f"fact {name}: choices must be a list of {{value, label}} mappings "
                "(with not_known: true for a value that means not known, and codes)"
            )
        if fact.kind in facts.CHOICE_KINDS and not choices:
            raise PackError(f"fact {name}: a choice fact needs at least one choice")
        if fact.kind not in facts.CHOICE_KINDS and choices:
            raise PackError(f"fact {name}: only choice facts have choices")
        if guard.left_alone(name, since=skipped_before):
            continue  # allowed values included
        change = _update_rows(
            guard, fact, "fact", name, change, "choices", _current_choices(fact),
            _wanted_choices(choices), _choices_text, partial(_sync_choices, fact, choices),
        )  # fmt: skip
        if change:
            changes.append(change)
    return changes


def _shared_by_its_area(owners: dict, name: str, item: dict, area: DiseaseArea) -> bool:
    """A fact of the pack's own area that the pack now marks shared: the area that owns
    it gives it to every area (the liver's liver-function facts, once HCC reads them).
    Another area's pack may not take a fact; only its owner may share it."""
    return bool(item.get("shared")) and owners.get(name, "") == area.slug


def _check_code_conditions(items: list[dict], area: DiseaseArea) -> None:
    """Each code's condition (``when``) read against the area's facts, like an item's."""
    catalogue = Fact.objects.for_area(area).catalogue()
    for item in items:
        for choice in item.get("choices") or []:
            for code in choice.get("codes") or []:
                problems = conditions.validate(code.get("when") or "", catalogue)
                if problems:
                    raise PackError(
                        f"fact {item['name']}: choice {choice['value']!r}: code "
                        f"{code.get('code')!r}: when: {problems[0]}"
                    )


def _update_rows(guard, obj, kind, key, change, field, current, wanted, as_text, sync):
    """An item's rows in another table (a fact's allowed values, a recommendation's
    cautions) made the pack's, as far as the guard allows; the item's change, now naming
    ``field`` when the rows changed."""
    if wanted == current or not guard.check(
        obj, kind, key, {field: as_text(wanted)}, [field], here={field: as_text(current)}
    ):
        return change
    sync()
    if change is None:
        return Change(kind, key, "update", [field])
    if change.action == "update":
        change.fields.append(field)
    return change


Choice = tuple[str, str, int, bool, str]  # value, label, position, not known, codes (JSON)


def _codes_key(codes: object) -> str:
    return json.dumps(codes or [], sort_keys=True, ensure_ascii=False)


def _wanted_choices(choices: list[dict]) -> list[Choice]:
    return [
        (str(c["value"]), str(c["label"]), i + 1, bool(c.get("not_known", False)),
         _codes_key(c.get("codes")))
        for i, c in enumerate(choices)
    ]  # fmt: skip


def _current_choices(fact: Fact) -> list[Choice]:
    return [
        (c.value, c.label, c.position, c.means_not_known, _codes_key(c.codes))
        for c in fact.choices.order_by("position", "value")
    ]


def _choices_text(choices: list[Choice]) -> str:
    """Allowed values as an editor compares them: value “label”, which mean not known,
    and their codes."""
    return ", ".join(
        f"{value} “{label}”"
        + (" (means not known)" if not_known else "")
        + (f" codes {codes}" if codes != "[]" else "")
        for value, label, _, not_known, codes in choices
    )


def _sync_choices(fact: Fact, choices: list[dict]) -> None:
    wanted = _wanted_choices(choices)
    values = [value for value, *_ in wanted]
    if len(set(values)) != len(values):
        raise PackError(f"fact {fact.name}: a choice value appears twice")
    fact.choices.exclude(value__in=values).delete()
    for value, label, position, not_known, codes in wanted:
        choice = FactChoice(
            fact=fact, value=value, label=label, position=position, means_not_known=not_known,
            codes=json.loads(codes),
        )  # fmt: skip
        try:
            choice.full_clean(exclude=["fact"], validate_unique=False)
        except ValidationError as error:
            raise PackError(f"fact {fact.name}: choice {value!r}: {_flatten(error)}") from None
        FactChoice.objects.update_or_create(
            fact=fact,
            value=value,
            defaults={
                "label": label,
                "position": position,
                "means_not_known": not_known,
                "codes": choice.codes,
            },
        )


def _apply_sources(items: list[dict], guard: Guard) -> list[Change]:
    changes = []
    for code in _unique_keys(items, "code", "source"):
        item = next(i for i in items if i["code"] == code)
        values = _pack_values(item, SOURCE_FIELDS, "source", code)
        if not guard.wants(code):
            continue
        _, change = _upsert(GuidelineSource, {"code": code}, values, "source", code, guard)
        if change:
            changes.append(change)
    return changes


def _apply_sections(items: list[dict], area: DiseaseArea, guard: Guard) -> list[Change]:
    changes = []
    _unique_keys(items, "name", "section")
    if guard.only is not None:
        return changes  # the structure is loaded only with the whole pack
    for position, item in enumerate(items, start=1):
        name = item["name"]
        subsections = item.get("subsections") or []
        if not isinstance(subsections, list) or not all(isinstance(s, str) for s in subsections):
            raise PackError(f"section {name}: subsections must be a list of names")
        section, change = _upsert(
            Section, {"area": area, "name": name}, {"position": position}, "section", name, guard
        )
        if change:
            changes.append(change)
        for sub_position, sub_name in enumerate(subsections, start=1):
            _, change = _upsert(
                Subsection,
                {"section": section, "name": sub_name},
                {"position": sub_position},
                "subsection",
                f"{name} → {sub_name}",
                guard,
            )
            if change:
                changes.append(change)
    return changes


LEGACY_LEVELS = {
    "verified-primary": "primary",
    "verified-secondary": "secondary",
    "seed-only": "digest_only",
    "unverified": "none",
}


def _apply_readiness(items: list[dict], area: DiseaseArea, guard: Guard) -> list[Change]:
    """The area's readiness checklist, in the pack's order (``guidelines.readiness``)."""
    changes = []
    for position, key in enumerate(_unique_keys(items, "key", "readiness item"), start=1):
        item = next(i for i in items if i["key"] == key)
        values = _pack_values(item, READINESS_FIELDS, "readiness item", key)
        if not guard.wants(key):
            continue
        values["position"] = position
        _, change = _upsert(
            ReadinessItem, {"area": area, "key": key}, values, "readiness item", key, guard
        )
        if change:
            changes.append(change)
    return changes


def legacy_level(item: dict) -> str:
    """The verification level of a pack written before levels existed (revision 1):
    its status, and "partial" for a verified item that still carried the marker."""
    level = LEGACY_LEVELS.get(item.get("status", ""), "none")
    if item.get("needs_primary_check") and level in ("primary", "secondary"):
        return "partial"
    return level


def _apply_recommendations(items: list[dict], area: DiseaseArea, guard: Guard) -> list[Change]:
    changes = []
    subsections = {
        (s.section.name, s.name): s
        for s in Subsection.objects.filter(section__area=area).select_related("section")
    }
    elsewhere = dict(
        Recommendation.objects.exclude(subsection__section__area=area).values_list(
            "slug", "subsection__section__area__slug"
        )
    )
    sources = {s.code: s for s in GuidelineSource.objects.all()}
    for slug in _unique_keys(items, "id", "recommendation"):
        item = next(i for i in items if i["id"] == slug)
        values = _pack_values(item, RECOMMENDATION_FIELDS, "recommendation", slug)
        if "verification" not in item:
            values["verification"] = legacy_level(item)
        if not guard.wants(slug):
            continue
        if slug in elsewhere:
            raise PackError(
                f"recommendation {slug}: a recommendation of the {elsewhere[slug]} area has "
                "this id; ids are unique across areas"
            )
        where = (item.get("section"), item.get("subsection"))
        if where not in subsections:
            raise PackError(
                f"recommendation {slug}: section {where[0]!r} has no subsection {where[1]!r} "
                "in the pack's 'sections'"
            )
        values["subsection"] = subsections[where]
        code = item.get("source")
        if code is not None and code not in sources:
            raise PackError(
                f"recommendation {slug}: source {code!r} is not among the pack's sources"
            )
        values["source"] = sources.get(code)
        wanted = _wanted_cautions(item, slug)
        skipped_before = len(guard.skipped)
        rec, change = _upsert(Recommendation, {"slug": slug}, values, "recommendation", slug, guard)
        if guard.left_alone(slug, since=skipped_before):
            continue  # cautions included
        change = _update_rows(
            guard, rec, "recommendation", slug, change, "cautions", _current_cautions(rec),
            wanted, _cautions_text, partial(_sync_cautions, rec, wanted),
        )  # fmt: skip
        if change:
            changes.append(change)
    return changes


def _wanted_cautions(item: dict, slug: str) -> list[tuple[str, str]]:
    cautions = item.get("cautions") or []
    if not isinstance(cautions, list) or not all(
        isinstance(c, dict)
        and set(c) <= {"when", "text"}
        and isinstance(c.get("when", ""), str)
        and isinstance(c.get("text"), str)
        and c["text"].strip()
        for c in cautions
    ):
        raise PackError(
            f"recommendation {slug}: cautions must be a list of {{when, text}} mappings "
            "(when: a condition, text: what the card says)"
        )
    return [(c.get("when", ""), c["text"]) for c in cautions]


def _current_cautions(rec: Recommendation) -> list[tuple[str, str]]:
    return [(c.condition, c.text) for c in rec.cautions.order_by("position", "pk")]


def _cautions_text(cautions: list[tuple[str, str]]) -> str:
    """Cautions as an editor compares them: when …: text."""
    return "; ".join(f"when {when or 'always'}: {text}" for when, text in cautions)


def _sync_cautions(rec: Recommendation, cautions: list[tuple[str, str]]) -> None:
    rec.cautions.all().delete()
    for position, (when, text) in enumerate(cautions, start=1):
        caution = Caution(recommendation=rec, position=position, condition=when, text=text)
        try:
            caution.full_clean()
        except ValidationError as error:
            raise PackError(
                f"recommendation {rec.slug}: caution {position}: {_flatten(error)}"
            ) from None
        caution.save()


# --- Exporting ---------------------------------------------------------------------


def export_pack(*, area: str, name: str, title: str, version: str) -> dict[str, Any]:
    """One area's library as a pack (the format ``apply_pack`` reads): the area, its
    facts with the shared ones, the sources it carries (``in_pack_of``), its sections
    and its recommendations."""
    found = DiseaseArea.objects.filter(slug=area).first()
    if found is None:
        raise PackError(f"there is no disease area {area!r}")
    catalogue_facts = sorted(
        Fact.objects.for_area(found).select_related("section").prefetch_related("choices"),
        key=Fact.form_order,
    )
    return {
        "format": FORMAT,
        "pack": name,
        "title": title,
        "version": version,
        "area": _export_fields(found, {"slug": found.slug}, AREA_FIELDS),
        "groups": [
            _export_group(group, index)
            for index, group in enumerate(
                FactGroup.objects.filter(
                    models.Q(area=found) | models.Q(area__isnull=True, facts__in=catalogue_facts)
                )
                .distinct()
                .order_by("position", "key"),
                start=1,
            )
        ],
        "facts": [_export_fact(fact) for fact in catalogue_facts],
        "sources": [
            _export_fields(source, {"code": source.code}, SOURCE_FIELDS)
            for source in GuidelineSource.objects.filter(in_pack_of(found))
            .distinct()
            .order_by("code")
        ],
        "sections": [
            {"name": section.name, "subsections": [sub.name for sub in section.subsections.all()]}
            for section in found.sections.prefetch_related("subsections").order_by("position")
        ],
        "recommendations": [
            _export_recommendation(rec)
            for rec in Recommendation.objects.in_area(found)
            .with_provenance()
            .prefetch_related("cautions")
            .in_digest_order()
        ],
        "readiness": [
            _export_fields(item, {"key": item.key}, READINESS_FIELDS)
            for item in found.readiness_items.order_by("position", "key")
        ],
    }


def _export_recommendation(rec: Recommendation) -> dict[str, Any]:
    item = _export_fields(
        rec,
        {
            "id": rec.slug,
            "section": rec.subsection.section.name,
            "subsection": rec.subsection.name,
            "source": rec.source.code if rec.source else None,
        },
        RECOMMENDATION_FIELDS,
    )
    cautions = [{"when": c.condition, "text": c.text} for c in rec.cautions.all()]
    if cautions:
        item["cautions"] = cautions
    return item


def _export_group(group: FactGroup, index: int) -> dict[str, Any]:
    """A group; its position where the list's order does not say it."""
    item = _export_fields(group, {"key": group.key}, GROUP_FIELDS)
    if group.position != index:
        item["position"] = group.position
    if group.area_id is None:
        item["shared"] = True
    return item


def _export_fact(fact: Fact) -> dict[str, Any]:
    item = _export_fields(fact, {"name": fact.name}, FACT_FIELDS)
    for key, ordered in (
        ("alternative_units", terminology.ordered_units),
        ("codes", terminology.ordered_codes),
        ("fhir", terminology.ordered_fhir),
    ):
        if key in item:
            item[key] = ordered(item[key])
    if fact.area_id is None:
        item["shared"] = True
    if fact.kind in facts.CHOICE_KINDS:
        item["choices"] = [
            {
                "value": c.value,
                "label": c.label,
                **({"not_known": True} if c.means_not_known else {}),
                **({"codes": terminology.ordered_codes(c.codes)} if c.codes else {}),
            }
            for c in fact.choices.all()
        ]
    return item


def _export_fields(obj, head: dict[str, Any], mapping: dict) -> dict[str, Any]:
    """Keys first, then every field that differs from what an absent key means."""
    item = dict(head)
    for pack_key, (model_field, default) in mapping.items():
        value = getattr(obj, model_field)
        if value == default:
            continue
        if isinstance(value, datetime.date):
            value = value.isoformat()
        elif isinstance(value, float) and value.is_integer():
            value = int(value)
        item[pack_key] = value
    return item


def dump(data: dict[str, Any]) -> str:
    return yaml.safe_dump(
        data, sort_keys=False, allow_unicode=True, width=100, default_flow_style=False
    )


def shipped_packs() -> list[Path]:
    """The packs that come with the app, one per disease area."""
    return sorted(PACKS.glob("*.yaml"))


def in_area_order(packs: list[tuple[Path, dict]]) -> list[tuple[Path, dict]]:
    """Read packs in their areas' order: an area's pack loads after the packs whose shared
    facts it reads (the liver pack shares liver function with HCC; on an upgrade it must
    share them before HCC reads them)."""
    return sorted(packs, key=lambda pack: (pack[1]["area"].get("position", 0), pack[0].name))


def pack_area(path: Path) -> str:
    """The slug of the area a pack file holds (PackError if it is not a pack)."""
    return read_pack(path)["area"]["slug"]
