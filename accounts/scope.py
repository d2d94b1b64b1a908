"""What part of the data a user may see and change."""

from django.db.models import Q

from accounts.backends import load_roles_and_permissions
from accounts.roles import CLERK, REVIEWER


def department_of(user):
    profile = getattr(user, "profile", None)
    return profile.department if profile else None


def role_names(user):
    """The names of the user's groups (roles), read once per user object, as Django keeps a
    user's permissions (a page asks for the user's scope several times), and in the same
    query as the permissions (accounts.backends). A change of the user's groups through the
    user forgets them (accounts.signals)."""
    if user.is_anonymous:
        return frozenset()
    try:
        return user._role_names
    except AttributeError:
        load_roles_and_permissions(user)
        return user._role_names


def forget_role_names(user):
    """Forget the roles and the permissions read with them: the next check reads both again."""
    for name in ("_role_names", "_perm_cache", "_user_perm_cache", "_group_perm_cache"):
        user.__dict__.pop(name, None)


def is_department_scoped(user):
    """Clerks and reviewers work within their department's (region's) part of the data."""
    if user.is_superuser:
        return False
    names = role_names(user)
    return bool(names & {CLERK, REVIEWER}) and not names - {CLERK, REVIEWER}


def _scope(queryset, user, *, reviewer, clerk):
    """The rule behind every scope below: the roles other than clerk and reviewer see
    everything, a clerk or reviewer with no department nothing, and otherwise the rows that
    `reviewer(department)` or `clerk(department)` (a Q for the user's department) selects."""
    if not is_department_scoped(user):
        return queryset
    department = department_of(user)
    if department is None:
        return queryset.none()
    rule = reviewer if user.has_perm("indicators.review_actual") else clerk
    return queryset.filter(rule(department))


def scope_actuals(queryset, user, *, prefix=""):
    """Filter a queryset of actuals (or of rows with an actual at `prefix`) to the user's part.

    A clerk sees the actuals of indicators assigned to their department, for the
    department's region and the regions below it; a reviewer sees every department's
    actuals in that region tree; the other roles see everything.
    """

    def region_tree(department):
        return Q(**{f"{prefix}region_id__in": department.region.descendant_ids()})

    def own_indicators(department):
        return region_tree(department) & Q(**{f"{prefix}indicator__department": department})

    return _scope(queryset, user, reviewer=region_tree, clerk=own_indicators)


def scope_indicators(queryset, user):
    """Indicators a user may enter figures for: a reviewer, those of every department in their
    department's region tree; a clerk, their department's."""
    return _scope(
        queryset,
        user,
        reviewer=lambda d: Q(department__region_id__in=d.region.descendant_ids()),
        clerk=lambda d: Q(department=d),
    )


def region_allowed(user, region):
    """A department-scoped user works in their department's region and those below it."""
    if not is_department_scoped(user):
        return True
    department = department_of(user)
    return department is not None and region.pk in department.region.descendant_ids()


def departments_for_entry(user, queryset):
    """The departments whose entry page a user may open."""
    return _scope(
        queryset,
        user,
        reviewer=lambda d: Q(region_id__in=d.region.descendant_ids()),
        clerk=lambda d: Q(pk=d.pk),
    )


def entry_regions(department, queryset):
    """The regions whose figures may be entered for a department: its region and those below.

    The synthetic regions form a tree of their own, so a real department never offers one.
    """
    if department is None:
        return queryset.none()
    return queryset.filter(pk__in=department.region.descendant_ids())
