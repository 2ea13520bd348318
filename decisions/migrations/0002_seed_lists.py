"""The editable lists, seeded as the board-decision issue names them; administrators
change them in the admin."""

from django.db import migrations

MODALITIES = [
    "Hepatic resection, minor",
    "Hepatic resection, major",
    "Hepatic resection, two-stage",
    "Ablation",
    "Stereotactic radiotherapy",
    "TACE",
    "TARE",
    "Hepatic arterial infusion",
    "Portal vein embolisation or liver venous deprivation",
    "Systemic therapy, first line",
    "Systemic therapy, later line",
    "Surgery of the primary",
    "Referral for liver transplantation",
    "Further imaging",
    "Biopsy",
    "Clinical trial referral",
    "Best supportive care",
    "Surveillance",
]
REASONS = [
    ("Patient preference", False),
    ("Comorbidity or performance status", False),
    ("Contraindication", False),
    ("Already done", False),
    ("Clinical judgement differs from the guideline", True),
    ("Other", True),
]


def seed(apps, schema_editor):
    Modality = apps.get_model("decisions", "Modality")
    NotFollowedReason = apps.get_model("decisions", "NotFollowedReason")
    for position, name in enumerate(MODALITIES, start=1):
        Modality.objects.get_or_create(name=name, defaults={"position": position})
    for position, (name, needs_text) in enumerate(REASONS, start=1):
        NotFollowedReason.objects.get_or_create(
            name=name, defaults={"position": position, "needs_text": needs_text}
        )


class Migration(migrations.Migration):
    dependencies = [("decisions", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
