"""The outcome letter's wording: one row, with the defaults, for administrators to edit."""

from django.db import migrations


def create(apps, schema_editor):
    LetterTemplate = apps.get_model("decisions", "LetterTemplate")
    if not LetterTemplate.objects.exists():
        LetterTemplate.objects.create()


class Migration(migrations.Migration):
    dependencies = [("decisions", "0008_letter_wording")]

    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
