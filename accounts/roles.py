"""The five roles of DOMAIN.md §4 and the permissions each needs (no database access here)."""

CLERK = "填报人员"
REVIEWER = "审核人员"
LEADER = "领导"
AUDITOR = "审计人员"
ADMINISTRATOR = "系统管理员"

_READ_DOMAIN = [
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
    CLERK: [
        *_READ_DOMAIN,
        "indicators.view_actual",
        "indicators.add_actual",
        "indicators.change_actual",
        "indicators.import_actual",
    ],
    REVIEWER: [
        *_READ_DOMAIN,
        "indicators.view_actual",
        "indicators.review_actual",
        "indicators.lock_planyear",
    ],
    LEADER: [
        *_READ_DOMAIN,
        "indicators.view_actual",
        "indicators.view_attainmentresult",
        "indicators.view_canonicalindicator",
    ],
    AUDITOR: [
        *_READ_DOMAIN,
        "indicators.view_actual",
        "indicators.view_history",
        "indicators.view_attainmentresult",
        "indicators.view_canonicalindicator",
        "indicators.view_attainmentrun",
        "reports.export_report",
        "reports.view_reportjob",
    ],
    ADMINISTRATOR: [
        *_READ_DOMAIN,
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


def sync_role_groups(apps):
    """Create the five role groups with exactly these permissions (idempotent).

    `apps` is an app registry (django.apps.apps). The groups of a migrated database come from
    the migrations, which keep their own copy of the lists; this re-creates them where a
    test emptied the tables.
    """
    from django.contrib.auth.management import create_permissions

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
