import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("guidelines", "0008_liver_is_the_first_area")]

    operations = [
        migrations.AlterField(
            model_name="section",
            name="area",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="sections",
                to="guidelines.diseasearea",
            ),
        ),
        migrations.AlterField(
            model_name="sectionevent",
            name="area",
            field=models.ForeignKey(
                db_constraint=False,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                related_query_name="+",
                to="guidelines.diseasearea",
            ),
        ),
    ]
