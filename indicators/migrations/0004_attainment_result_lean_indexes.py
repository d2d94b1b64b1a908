import django.db.models.deletion
from django.db import migrations, models

# A recompute rewrites every stored result. With half of each page kept free, PostgreSQL
# writes the new version of a row beside the old one (a HOT update) and skips the index
# entries a moved row needs; existing pages take the setting when the table is rewritten
# (VACUUM FULL), new ones at once.
RESULTS_FILLFACTOR = 50


def set_fillfactor(value):
    def apply(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            table = apps.get_model("indicators", "AttainmentResult")._meta.db_table
            schema_editor.execute(f"ALTER TABLE {table} SET (fillfactor = {int(value)})")

    return apply


class Migration(migrations.Migration):
    dependencies = [
        ("indicators", "0003_actual_is_sample"),
    ]

    operations = [
        migrations.AlterField(
            model_name="attainmentresult",
            name="plan",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to="indicators.plan",
                verbose_name="规划",
            ),
        ),
        migrations.AlterField(
            model_name="attainmentresult",
            name="target",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="attainment_results",
                to="indicators.target",
                verbose_name="目标",
            ),
        ),
        migrations.RunPython(set_fillfactor(RESULTS_FILLFACTOR), set_fillfactor(100)),
    ]
