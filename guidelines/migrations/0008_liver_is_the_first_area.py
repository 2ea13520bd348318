"""The library so far is the liver metastases library: its sections and its facts
belong to the first disease area, except the facts about the patient (sex, age and the
rest of the form's "Patient" section), which every area shares."""

from django.db import migrations

LIVER = {"name": "Liver metastases", "position": 1, "lesion_table": True}


def liver_area(apps, schema_editor):
    DiseaseArea = apps.get_model("guidelines", "DiseaseArea")
    Section = apps.get_model("guidelines", "Section")
    SectionEvent = apps.get_model("guidelines", "SectionEvent")
    Fact = apps.get_model("guidelines", "Fact")
    if not (SectionEvent.objects.exists() or Fact.objects.exists()):
        return  # a new database: load_content creates the areas with their packs
    area, _ = DiseaseArea.objects.get_or_create(slug="liver", defaults=LIVER)
    SectionEvent.objects.filter(area__isnull=True).update(area=area)
    Section.objects.filter(area__isnull=True).update(area=area)
    Fact.objects.filter(area__isnull=True).exclude(section="patient").update(area=area)


def shared_again(apps, schema_editor):
    apps.get_model("guidelines", "Fact").objects.update(area=None)


class Migration(migrations.Migration):
    dependencies = [("guidelines", "0007_disease_areas")]

    operations = [migrations.RunPython(liver_area, shared_again)]
