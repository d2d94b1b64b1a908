"""What part of the data a user may see and change."""

from accounts.roles import CLERK, REVIEWER


def department_of(user):
    profile = getattr(user, "profile", None)
    return profile.department if profile else None


def is_department_scoped(user):
    """Clerks and reviewers work within their department's (region's) part of the data."""
    if user.is_superuser:
        return False
    names = {g.name for g in user.groups.all()}
    return bool(names & {CLERK, REVIEWER}) and not names - {CLERK, REVIEWER}


def scope_actuals(queryset, user, *, prefix=""):
    """Filter a queryset of actuals (or of rows with an actual at `prefix`) to the user's part.

    A clerk sees the actuals of indicators assigned to their department, for the
    department's region and the regions below it; a reviewer sees every department's
    actuals in that region tree; the other roles see everything.
    """
    if not is_department_scoped(user):
        return queryset
    department = department_of(user)
    if department is None:
        return queryset.none()
    filters = {f"{prefix}region_id__in": department.region.descendant_ids()}
    if not user.has_perm("indicators.review_actual"):
        filters[f"{prefix}indicator__department"] = department
    return queryset.filter(**filters)


def scope_indicators(queryset, user):
    """Indicators a user may enter figures for."""
    if not is_department_scoped(user):
        return queryset
    department = department_of(user)
    if department is None:
        return queryset.none()
    if user.has_perm("indicators.review_actual"):
        return queryset.filter(department__region_id__in=department.region.descendant_ids())
    return queryset.filter(department=department)


def region_allowed(user, region):
    """A department-scoped user works in their department's region and those below it."""
    if not is_department_scoped(user):
        return True
    department = department_of(user)
    return department is not None and region.pk in department.region.descendant_ids()


def departments_for_entry(user, queryset):
    """The departments whose entry page a user may open."""
    if not is_department_scoped(user):
        return queryset
    department = department_of(user)
    if department is None:
        return queryset.none()
    if user.has_perm("indicators.review_actual"):
        return queryset.filter(region_id__in=department.region.descendant_ids())
    return queryset.filter(pk=department.pk)


def entry_regions(department, queryset):
    """The regions whose figures may be entered for a department: its region and those below.

    The synthetic regions form a tree of their own, so a real department never offers one.
    """
    if department is None:
        return queryset.none()
    return queryset.filter(pk__in=department.region.descendant_ids())
