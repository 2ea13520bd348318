"""Every case so far is a liver metastases case, in its history too."""

from django.db import migrations

LIVER = {"name": "Liver metastases", "position": 1, "lesion_table": True}


def liver_cases(apps, schema_editor):
    Case = apps.get_model("cases", "Case")
    CaseEvent = apps.get_model("cases", "CaseEvent")
    if not CaseEvent.objects.filter(area__isnull=True).exists():
        return
    DiseaseArea = apps.get_model("guidelines", "DiseaseArea")
    area, _ = DiseaseArea.objects.get_or_create(slug="liver", defaults=LIVER)
    # The history first (it was a liver case all along), then the cases: their update
    # is itself recorded, with the area.
    CaseEvent.objects.filter(area__isnull=True).update(area=area)
    Case.objects.filter(area__isnull=True).update(area=area)


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0008_disease_area"),
        ("guidelines", "0008_liver_is_the_first_area"),
    ]

    operations = [migrations.RunPython(liver_cases, migrations.RunPython.noop)]
