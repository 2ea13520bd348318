"""Keeping the trial list: importing a registry record, again when it changes."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import transaction

from guidelines import conditions, snapshot
from trials.models import Criterion, Trial
from trials.registry import ImportedTrial, NotARecord

# What a newer record may change; the local investigator and contact are filled from the
# record only while they are empty (the hospital's own are kept).
RECORD_FIELDS = ("title", "status", "phase", "conditions", "arms", "registry_version")
LOCAL_FIELDS = ("principal_investigator", "contact")


@dataclass
class ImportReport:
    trial: Trial
    created: bool
    changed: list[str] = field(default_factory=list)  # "status: Recruiting → Completed"
    added: list[str] = field(default_factory=list)  # criteria new in this record
    removed: list[tuple[str, str]] = field(default_factory=list)  # (text, its rule) gone
    kept: int = 0  # criteria as they were, their rules kept
    by_hand: int = 0  # criteria without a rule after the import

    def lines(self) -> list[str]:
        """What the import did, in words, for the page and the command."""
        head = "Added" if self.created else "Updated"
        found = [f"{head} {self.trial.identifier}: {self.trial.title}"]
        found += [f"Changed {change}" for change in self.changed]
        if not self.created:
            found.append(f"{self.kept} criteria unchanged (their rules kept)")
        found += [f"New criterion: {text}" for text in self.added]
        found += [
            f"Criterion no longer in the record, removed: {text}"
            + (f" (its rule was: {rule})" if rule else "")
            for text, rule in self.removed
        ]
        found.append(f"{self.by_hand} criteria to check by hand until given a rule")
        return found


def import_record(imported: ImportedTrial, area) -> ImportReport:
    """Add the trial, or bring it up to the record: criteria with the same kind and words
    keep the rules written for them; new ones come without (but sex and age, which the
    record gives as data); those the record no longer has go (the report names them and
    their rules). Criteria added here by hand stay. All or nothing."""
    catalogue = snapshot.for_area(area.pk).catalogue
    with transaction.atomic():
        trial = Trial.objects.select_for_update().filter(identifier=imported.identifier).first()
        created = trial is None
        if trial is None:
            trial = Trial(identifier=imported.identifier, area=area)
        elif trial.area_id != area.pk:
            raise NotARecord(
                f"{trial.identifier} is on the list of another disease area ({trial.area}): "
                "import it there, or remove it first."
            )
        report = ImportReport(trial, created)
        for name in RECORD_FIELDS:
            new = getattr(imported, name)
            old = getattr(trial, name)
            if new != old:
                if not created and name != "registry_version":
                    label = Trial._meta.get_field(name).verbose_name
                    report.changed.append(
                        f"{label}: {_words(trial, name, old)} → {_words(trial, name, new)}"
                    )
                setattr(trial, name, new)
        for name in LOCAL_FIELDS:
            if not getattr(trial, name) and getattr(imported, name):
                setattr(trial, name, getattr(imported, name))
        trial.save()
        existing = {(c.kind, c.text): c for c in trial.criteria.filter(from_registry=True)}
        wanted = []
        for position, item in enumerate(imported.criteria, start=1):
            criterion = existing.pop((item.kind, item.text), None)
            if criterion is None:
                rule = (
                    item.rule if item.rule and not conditions.validate(item.rule, catalogue) else ""
                )
                criterion = Criterion(trial=trial, kind=item.kind, text=item.text, rule=rule,
                                      from_registry=True)  # fmt: skip
                if not created:
                    report.added.append(item.text)
            else:
                report.kept += 1
            criterion.position = position
            wanted.append(criterion)
        for gone in existing.values():
            report.removed.append((gone.text, gone.rule))
            gone.delete()
        for criterion in wanted:
            criterion.save()
        report.by_hand = trial.criteria.filter(rule="").count()
    return report


def _words(trial: Trial, name: str, value: str) -> str:
    if name == "status":
        return dict(Trial._meta.get_field("status").choices).get(value, value)
    value = " ".join(str(value).split())
    return f"“{value[:80]}{'…' if len(value) > 80 else ''}”" if value else "(none)"
