from django.db import migrations, models


def staff_follows_role(apps, schema_editor):
    """Users given a role before staff status followed it may now log in."""
    user_model = apps.get_model("auth", "User")
    user_model.objects.filter(groups__isnull=False, is_staff=False).update(is_staff=True)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_roles"),
    ]

    operations = [
        migrations.AddField(
            model_name="profile",
            name="is_sample",
            field=models.BooleanField(default=False, verbose_name="示例用户"),
        ),
        migrations.RunPython(staff_follows_role, migrations.RunPython.noop),
    ]
