"""Reads for the department pages: what a responsible department (责任单位) reports, what
it still owes for a year, and who should enter it."""

from django.contrib.auth import get_user_model
from django.db.models import Count, Max, Min
from django.utils import timezone

from accounts import roles
from indicators.models import Actual, Indicator, Plan
from regions.models import Department


def department_years(department):
    span = Plan.objects.filter(indicators__department=department).aggregate(
        start=Min("period_start"), end=Max("period_end")
    )
    return list(range(span["start"], span["end"] + 1)) if span["start"] else []


def department_default_year(department, years):
    """The latest year the department reported anything for, else the latest of its years up
    to last year."""
    latest = Actual.objects.filter(
        indicator__department=department, region=department.region
    ).aggregate(y=Max("year"))["y"]
    if latest in years:
        return latest
    past = [y for y in years if y < timezone.localdate().year]
    return past[-1] if past else (years[0] if years else None)


def department_status(department, year):
    """The department's indicators, what is missing for the year and each submission's state."""
    indicators = list(
        Indicator.objects.filter(department=department)
        .select_related("plan")
        .order_by("plan__period_start", "plan__slug", "code")
    )
    actuals = {
        a.indicator_id: a
        for a in Actual.objects.filter(
            indicator__in=indicators, year=year, region=department.region
        ).select_related("entered_by", "reviewed_by")
    }
    rows = [
        {
            "indicator": i,
            "actual": actuals.get(i.pk),
            "in_period": i.plan.period_start <= year <= i.plan.period_end,
        }
        for i in indicators
    ]
    missing = [
        r
        for r in rows
        if r["in_period"]
        and (
            r["actual"] is None
            or r["actual"].status in (Actual.Status.DRAFT, Actual.Status.RETURNED)
        )
    ]
    return rows, missing


def department_reporters(department):
    """The people who enter the department's figures (填报人员 of the department)."""
    return list(
        get_user_model()
        .objects.filter(profile__department=department, groups__name=roles.CLERK, is_active=True)
        .order_by("username")
        .values_list("username", flat=True)
    )


def departments_by_region():
    """[(region, [(department, indicators)])] of every department with indicators."""
    departments = (
        Department.objects.filter(indicators__isnull=False)
        .select_related("region")
        .annotate(n=Count("indicators", distinct=True))
        .order_by("region__code", "name")
    )
    groups = {}
    for d in departments:
        groups.setdefault(d.region, []).append(d)
    return list(groups.items())
