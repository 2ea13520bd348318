"""Concordance per decision (concordance.md §2): the reasons' groups and the two new
reasons, the modalities that are investigations, a classification that cannot change
once written, and a class for every record signed before classes existed.

Records signed before keep what they signed: nothing of them changes (their hashes still
verify). Their class is computed from their rows as they stand, with the rules of
``decisions.concordance``: rows of care-pathway items, which the board then judged one by
one, are set aside and counted; "Already done", then a reason for not following, counts
as done, as it now is a judgement of its own.
"""

from django.db import migrations

from decisions import concordance

GROUPS = {
    "Patient preference": "patient",
    "Comorbidity or performance status": "patient",
    "Contraindication": "patient",
    "Clinical judgement differs from the guideline": "judgement",
    "Other": "judgement",
    "Already done": "judgement",  # retired below: now a judgement, not a deviation
}
NEW_REASONS = [
    ("Clinical trial enrolment", "trial", False),
    ("Guideline outdated or practice has moved on", "guideline", False),
]
INVESTIGATIONS = ("further_imaging", "biopsy", "molecular_testing")
# The care-pathway items of fact sheet revision 3 (its ERAS perioperative items), as they
# were when this migration was written: the library may not have been loaded with that
# revision yet when it runs (the content pack is applied after the migrations).
PATHWAY_OF_REVISION_3 = frozenset({
    "io-analgesia-no-epidural-preference", "io-gdft-low-cvp", "io-normothermia",
    "pc-alcohol-cessation", "pc-antibiotic-single-dose", "pc-avoid-long-acting-anxiolytics",
    "pc-corticosteroids-placeholder", "pc-counseling", "pc-fasting-carbohydrate-loading",
    "pc-no-oral-bowel-prep", "pc-no-postop-prophylactic-antibiotics",
    "pc-nutrition-supplements-at-risk", "pc-prehabilitation-high-risk",
    "pc-skin-prep-chlorhexidine", "pc-smoking-cessation", "po-antiemetics-placeholder",
    "po-early-mobilization", "po-early-oral-intake", "po-laxatives", "po-no-prophylactic-ngt",
    "po-no-routine-drain", "po-thromboprophylaxis",
})  # fmt: skip

IMMUTABLE = """
CREATE TRIGGER decisions_classification_is_final
    BEFORE UPDATE OR DELETE ON decisions_classification
    FOR EACH ROW EXECUTE FUNCTION decisions_refuse_part_of_signed();
"""
MUTABLE = "DROP TRIGGER IF EXISTS decisions_classification_is_final ON decisions_classification;"


def lists(apps, schema_editor):
    Reason = apps.get_model("decisions", "NotFollowedReason")
    Modality = apps.get_model("decisions", "Modality")
    for name, group in GROUPS.items():
        Reason.objects.filter(name=name).update(group=group)
    Reason.objects.filter(name="Already done").update(is_active=False)
    last = max(Reason.objects.values_list("position", flat=True), default=0)
    for offset, (name, group, needs_text) in enumerate(NEW_REASONS, start=1):
        Reason.objects.get_or_create(
            name=name,
            defaults={"group": group, "needs_text": needs_text, "position": last + offset},
        )
    Modality.objects.filter(code__in=INVESTIGATIONS).update(investigation=True)


def classify_signed(apps, schema_editor):
    Decision = apps.get_model("decisions", "Decision")
    Classification = apps.get_model("decisions", "Classification")
    Recommendation = apps.get_model("guidelines", "Recommendation")
    pathway = PATHWAY_OF_REVISION_3 | set(
        Recommendation.objects.filter(decision_scope="pathway").values_list("slug", flat=True)
    )
    signed = (
        Decision.objects.filter(status="signed", classification__isnull=True)
        .prefetch_related("concordance__reason", "modalities")
        .order_by("pk")
    )
    for decision in signed:
        rows, set_aside = [], 0
        for row in decision.concordance.all():
            if row.recommendation in pathway:
                set_aside += 1
                continue
            done = (
                row.judgement == "not_followed" and row.reason and row.reason.name == "Already done"
            )
            rows.append(
                concordance.Row(
                    statement=row.statement,
                    frozen_as=row.frozen_as,
                    judgement="already_done" if done else row.judgement,
                    reason_group=row.reason.group if row.reason else "",
                )
            )
        asks = any(modality.investigation for modality in decision.modalities.all())
        verdict = concordance.classify(decision.outcome, rows, asks)
        Classification.objects.create(
            decision=decision,
            klass=verdict.klass,
            reason_groups=list(verdict.reason_groups),
            pathway_rows_set_aside=set_aside,
            by_migration=True,
        )


class Migration(migrations.Migration):
    dependencies = [
        ("decisions", "0011_concordance_per_decision"),
        ("guidelines", "0010_revision_3_decision_fields_and_cautions"),
    ]

    operations = [
        migrations.RunPython(lists, migrations.RunPython.noop),
        migrations.RunSQL(IMMUTABLE, MUTABLE),
        migrations.RunPython(classify_signed, migrations.RunPython.noop),
    ]
