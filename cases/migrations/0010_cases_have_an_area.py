import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("cases", "0009_cases_belong_to_the_liver_area")]

    operations = [
        migrations.AlterField(
            model_name="case",
            name="area",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="cases",
                to="guidelines.diseasearea",
            ),
        ),
        migrations.AlterField(
            model_name="caseevent",
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
