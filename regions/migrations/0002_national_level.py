from django.db import migrations, models


class Migration(migrations.Migration):
    """A national level above the provinces, for national plans (质量强国建设纲要)."""

    dependencies = [
        ("regions", "0001_initial"),
    ]

    operations = [
        migrations.AlterField(
            model_name="region",
            name="level",
            field=models.CharField(
                choices=[
                    ("national", "国家"),
                    ("province", "省"),
                    ("city", "市"),
                    ("district", "区县"),
                ],
                max_length=10,
                verbose_name="层级",
            ),
        ),
    ]
