"""Indexes for a hospital's years of cases: the case list's order, the primary-site
filter and search, and searching patients by part of a name or number."""

import django.db.models.fields.json
from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0010_cases_have_an_area"),
        ("guidelines", "0009_sections_have_an_area"),
    ]

    operations = [
        TrigramExtension(),  # pg_trgm: a trusted extension, the database's owner may add it
        migrations.RunSQL(
            "CREATE INDEX patient_name_trigram ON cases_patient "
            "USING gin ((UPPER(name)) gin_trgm_ops)",
            "DROP INDEX patient_name_trigram",
        ),
        migrations.RunSQL(
            "CREATE INDEX patient_mrn_trigram ON cases_patient "
            "USING gin ((UPPER(mrn)) gin_trgm_ops)",
            "DROP INDEX patient_mrn_trigram",
        ),
        migrations.AddIndex(
            model_name="case",
            index=models.Index(fields=["-updated_at", "-id"], name="case_updated"),
        ),
        migrations.AddIndex(
            model_name="case",
            index=models.Index(
                django.db.models.fields.json.KeyTransform("primary_site", "facts"),
                name="case_primary_site",
            ),
        ),
    ]
