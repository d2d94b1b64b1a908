"""The five role groups of DOMAIN.md §4 and the permissions each needs, as they stood when
this migration was written.

The lists are frozen here on purpose: an applied migration must keep its meaning whatever
accounts/roles.py says later. When the roles change, a new migration sets the groups again
(tests/accounts/test_roles.py compares roles.py with the newest one).
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

READ_DOMAIN = [
    "regions.view_region",
    "regions.view_department",
    "indicators.view_plan",
    "indicators.view_indicator",
    "indicators.view_baseline",
    "indicators.view_target",
    "indicators.view_sourceconflict",
    "indicators.view_planyear",
]

ROLE_PERMISSIONS = {
    "填报人员": [
        *READ_DOMAIN,
        "indicators.view_actual",
        "indicators.add_actual",
        "indicators.change_actual",
        "indicators.import_actual",
    ],
    "审核人员": [
        *READ_DOMAIN,
        "indicators.view_actual",
        "indicators.review_actual",
        "indicators.lock_planyear",
    ],
    "领导": [
        *READ_DOMAIN,
        "indicators.view_actual",
        "indicators.view_attainmentresult",
        "indicators.view_canonicalindicator",
    ],
    "审计人员": [
        *READ_DOMAIN,
        "indicators.view_actual",
        "indicators.view_history",
        "indicators.view_attainmentresult",
        "indicators.view_canonicalindicator",
        "indicators.view_attainmentrun",
        "reports.export_report",
        "reports.view_reportjob",
    ],
    "系统管理员": [
        *READ_DOMAIN,
        "regions.add_region",
        "regions.change_region",
        "regions.add_department",
        "regions.change_department",
        "regions.delete_department",
        "indicators.add_plan",
        "indicators.change_plan",
        "indicators.change_indicator",
        "indicators.add_indicator",
        "indicators.add_target",
        "indicators.change_target",
        "indicators.add_baseline",
        "indicators.change_baseline",
        "indicators.change_sourceconflict",
        "indicators.add_planyear",
        "indicators.change_planyear",
        "indicators.lock_planyear",
        "indicators.unlock_planyear",
        "indicators.view_actual",
        "indicators.change_actual",
        "indicators.review_actual",
        "indicators.import_actual",
        "indicators.view_history",
        "indicators.view_attainmentresult",
        "indicators.view_attainmentrun",
        "indicators.view_canonicalindicator",
        "indicators.assign_indicator",
        "reports.export_report",
        "reports.view_reportjob",
        "accounts.view_profile",
        "accounts.add_profile",
        "accounts.change_profile",
        "auth.view_user",
        "auth.add_user",
        "auth.change_user",
    ],
}


def create_roles(apps, schema_editor):
    """Create the five role groups with exactly these permissions (idempotent)."""
    # Permissions are normally created after migrate; the groups need them now.
    for app_config in apps.get_app_configs():
        original = getattr(app_config, "models_module", None)
        app_config.models_module = original or True  # migration state has none
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = original

    group_model = apps.get_model("auth", "Group")
    permission_model = apps.get_model("auth", "Permission")
    for name, codes in ROLE_PERMISSIONS.items():
        group, _ = group_model.objects.get_or_create(name=name)
        permissions = []
        for code in codes:
            app_label, codename = code.split(".")
            permissions.append(
                permission_model.objects.get(content_type__app_label=app_label, codename=codename)
            )
        group.permissions.set(permissions)


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
