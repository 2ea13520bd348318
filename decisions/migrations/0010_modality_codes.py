"""Plan modalities get a stable code, which guideline content names (fact sheet revision 3:
``plan_modalities`` and ``contradicted_by``), and the three modalities revision 3 names
that the list did not hold yet."""

import re

import django.core.validators
from django.db import migrations, models

CODES = {
    "Hepatic resection, minor": "hepatic_resection_minor",
    "Hepatic resection, major": "hepatic_resection_major",
    "Hepatic resection, two-stage": "hepatic_resection_two_stage",
    "Ablation": "ablation",
    "Stereotactic radiotherapy": "stereotactic_radiotherapy",
    "TACE": "tace",
    "TARE": "tare",
    "Hepatic arterial infusion": "hepatic_arterial_infusion",
    "Portal vein embolisation or liver venous deprivation": "portal_vein_embolisation",
    "Systemic therapy, first line": "systemic_therapy_first_line",
    "Systemic therapy, later line": "systemic_therapy_later_line",
    "Surgery of the primary": "surgery_of_the_primary",
    "Referral for liver transplantation": "liver_transplantation_referral",
    "Further imaging": "further_imaging",
    "Biopsy": "biopsy",
    "Clinical trial referral": "clinical_trial_referral",
    "Best supportive care": "best_supportive_care",
    "Surveillance": "surveillance",
}
NEW = [
    ("Molecular testing", "molecular_testing"),
    ("Adjuvant systemic therapy", "adjuvant_systemic_therapy"),
    ("Biliary drainage", "biliary_drainage"),
]


def _code(name: str, taken: set[str]) -> str:
    """A code for a modality an administrator added: its name in lower case, words joined
    by underscores, made unique."""
    base = re.sub(r"[^a-z0-9]+", "_", name.lower()).strip("_") or "modality"
    if not base[0].isalpha():
        base = "m_" + base
    code, n = base[:56], 2
    while code in taken:
        code, n = f"{base[:56]}_{n}", n + 1
    return code


def forwards(apps, schema_editor):
    Modality = apps.get_model("decisions", "Modality")
    taken: set[str] = set()
    for modality in Modality.objects.order_by("position", "pk"):
        code = CODES.get(modality.name)
        if code is None or code in taken:
            code = _code(modality.name, taken | set(CODES.values()))
        taken.add(code)
        modality.code = code
        modality.save(update_fields=["code"])
    last = max(Modality.objects.values_list("position", flat=True), default=0)
    for offset, (name, code) in enumerate(NEW, start=1):
        if code in taken or Modality.objects.filter(name=name).exists():
            continue
        Modality.objects.create(name=name, code=code, position=last + offset)


class Migration(migrations.Migration):
    dependencies = [("decisions", "0009_letter_wording_row")]

    operations = [
        migrations.AddField(
            model_name="modality",
            name="code",
            field=models.CharField(max_length=60, null=True),
        ),
        migrations.RunPython(forwards, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="modality",
            name="code",
            field=models.CharField(
                help_text="Stable code that guideline content names (e.g. further_imaging).",
                max_length=60,
                unique=True,
                validators=[
                    django.core.validators.RegexValidator(
                        "^[a-z][a-z0-9_]*$",
                        "Use a modality's code: lower-case letters, digits and underscores.",
                    )
                ],
            ),
        ),
    ]
