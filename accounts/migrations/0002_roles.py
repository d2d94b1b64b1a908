from django.db import migrations

from accounts.roles import ROLE_PERMISSIONS, sync_role_groups


def create_roles(apps, schema_editor):
    """Create the five role groups with exactly the permissions each needs."""
    sync_role_groups(apps)


def remove_roles(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=list(ROLE_PERMISSIONS)).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_initial"),
        ("indicators", "0003_actual_is_sample"),
        ("regions", "0001_initial"),
        ("reports", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_roles, remove_roles)]
