from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("regions", "0002_national_level"),
    ]

    operations = [
        migrations.AddField(
            model_name="department",
            name="is_sample",
            field=models.BooleanField(default=False, verbose_name="示例单位"),
        ),
    ]
