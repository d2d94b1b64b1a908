"""The five roles of DOMAIN.md §4, the permissions each needs and where each one's work is
(no database access here)."""

from django.utils.translation import gettext_lazy as _

# A role is a group of this name; the names are stored, the labels are shown.
CLERK = "填报人员"
REVIEWER = "审核人员"
LEADER = "领导"
AUDITOR = "审计人员"
ADMINISTRATOR = "系统管理员"

ROLE_LABELS = {
    CLERK: _("填报人员"),
    REVIEWER: _("审核人员"),
    LEADER: _("领导"),
    AUDITOR: _("审计人员"),
    ADMINISTRATOR: _("系统管理员"),
}

# Roles that work within one department's part of the data and need a department.
DEPARTMENT_ROLES = {CLERK, REVIEWER}

# Where a role's work is: the page it lands on after logging in.
ADMIN_INDEX = "admin"
DATA_ENTRY = "entry"
REVIEW_QUEUE = "review"
DASHBOARDS = "dashboards"


def may_open_admin(group_names, *, is_superuser):
    """Staff status follows the role: anyone with a role (a group) may log in to the admin."""
    return is_superuser or bool(group_names)


def landing(group_names, *, is_superuser):
    """The page a user's work starts on: administrators the admin, clerks their data entry,
    reviewers the figures waiting for review, leaders and auditors the dashboards."""
    names = set(group_names)
    if is_superuser or ADMINISTRATOR in names:
        return ADMIN_INDEX
    if CLERK in names:
        return DATA_ENTRY
    if REVIEWER in names:
        return REVIEW_QUEUE
    if names & {LEADER, AUDITOR}:
        return DASHBOARDS
    return ADMIN_INDEX


def label(group_name):
    """A group's name as the reader's language says it."""
    return ROLE_LABELS.get(group_name, group_name)


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
