"""A demo anyone can try: clearly labelled sample figures, departments and one user per role.

The figures make a first look at the dashboards not empty; the departments (one per category
of each 十四五 plan, its indicators assigned to it) give the clerk something to enter; the
users let anyone log in as each role. Everything is marked 示例 and removed together.
"""

import random
from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import ProtectedError, Q

from accounts import roles
from accounts.models import Profile
from accounts.services import give_role
from regions.models import Department

from .models import Actual, Comparator, Indicator, Plan
from .selectors import reference_baseline
from .services.actuals import actuals_record
from .values import WHOLE_UNITS

DEMO_PLANS = ["zhejiang-14", "rizhao-14", "jinhua-2023"]
LAST_YEAR = 2024
NOTE = "示例数据:演示用,非真实填报"
LOAD_REASON = "载入示例数据"
REMOVE_REASON = "删除示例数据"

# One sample user per role; the clerk and the reviewer work for the department of
# CLERK_CATEGORY (浙江 十四五 表2-1 质量建设: pass rates, air and water quality).
SAMPLE_USERS = [
    ("demo-clerk", "示例填报人员", roles.CLERK),
    ("demo-reviewer", "示例审核人员", roles.REVIEWER),
    ("demo-leader", "示例领导", roles.LEADER),
    ("demo-auditor", "示例审计人员", roles.AUDITOR),
    ("demo-admin", "示例系统管理员", roles.ADMINISTRATOR),
]
CLERK_CATEGORY = ("zhejiang-14", "质量建设")


class DemoError(Exception):
    pass


def sample_password(username):
    """Sample users' passwords are no secret: the demo prints them."""
    return f"{username}-pw"


def sample_department_name(category):
    return f"示例单位·{category or '其他'}"[:100]


@dataclass
class SampleLogin:
    username: str
    password: str
    role: str
    department: Department | None


@dataclass
class DemoLoaded:
    actuals: int = 0
    departments: int = 0
    assigned: int = 0
    logins: list[SampleLogin] = field(default_factory=list)


@dataclass
class DemoRemoved:
    actuals: int = 0
    users: int = 0
    departments: int = 0
    kept: list[str] = field(default_factory=list)


def _value(rng, start, goal, share, unit):
    value = start + (goal - start) * Decimal(str(share)) * Decimal(str(rng.uniform(0.6, 1.2)))
    if unit == "%":
        value = min(Decimal(100), max(Decimal(0), value))
    if unit in WHOLE_UNITS:
        return value.quantize(Decimal(1))
    return value.quantize(Decimal("0.1"))


@transaction.atomic
def load_demo(seed=2021):
    """Sample departments, users and figures (each run adds only what is missing)."""
    loaded = DemoLoaded()
    loaded.departments, loaded.assigned = _sample_departments()
    loaded.logins = _sample_users()
    loaded.actuals = _sample_actuals(seed)
    return loaded


def _sample_departments():
    """One sample department per category of each demo plan, given that category's
    indicators that have no department of their own. Returns (created, assigned)."""
    created = assigned = 0
    indicators = Indicator.objects.filter(plan__slug__in=DEMO_PLANS, department=None)
    for indicator in indicators.select_related("plan__region").order_by("plan", "code"):
        department, new = Department.objects.get_or_create(
            region=indicator.plan.region,
            name=sample_department_name(indicator.category),
            defaults={"is_sample": True, "source_text": NOTE},
        )
        created += new
        indicator.department = department
        indicator._change_reason = LOAD_REASON
        indicator.save(update_fields=["department"])
        assigned += 1
    return created, assigned


def _sample_users():
    users = get_user_model().objects
    plan, category = CLERK_CATEGORY
    indicator = (
        Indicator.objects.filter(plan__slug=plan, category=category, department__isnull=False)
        .select_related("department__region")
        .order_by("code")
        .first()
    )
    department = indicator.department if indicator else None
    logins = []
    for username, name, role in SAMPLE_USERS:
        user = users.filter(username=username).first()
        if user is None:
            user = users.model(username=username)
        elif not Profile.objects.filter(user=user, is_sample=True).exists():
            raise DemoError(f"user {username} exists and is not a sample user; rename it first")
        user.first_name, user.is_active = name, True
        user.set_password(sample_password(username))
        user.save()
        works_for = department if role in roles.DEPARTMENT_ROLES else None
        give_role(user, role=role, department=works_for, is_sample=True)
        logins.append(SampleLogin(username, sample_password(username), role, works_for))
    return logins


def _sample_actuals(seed):
    """Approved sample figures for each year up to LAST_YEAR; returns how many were added."""
    rng = random.Random(seed)
    sample = []
    for plan in Plan.objects.filter(slug__in=DEMO_PLANS).select_related("region"):
        years = range(plan.period_start, min(plan.period_end, LAST_YEAR) + 1)
        for indicator in plan.indicators.prefetch_related("targets", "baselines"):
            targets = [t for t in indicator.targets.all() if t.value is not None]
            qualitative = indicator.is_qualitative
            if not targets and not qualitative:
                continue
            for n, year in enumerate(years, start=1):
                actual = Actual(
                    indicator=indicator, region=plan.region, year=year, is_sample=True, note=NOTE
                )
                if qualitative:
                    actual.qualitative_status = rng.choice(
                        [Actual.QualitativeStatus.IN_PROGRESS] * 3
                        + [Actual.QualitativeStatus.ACHIEVED]
                    )
                    actual.evidence = NOTE
                else:
                    target = targets[-1]
                    baseline = reference_baseline(list(indicator.baselines.all()), target.year)
                    goal = target.value
                    if indicator.measure == "new":
                        span = target.year - plan.period_start + 1
                        value = _value(rng, Decimal(0), goal / span, 1, indicator.unit)
                    elif indicator.measure == "per_year":
                        value = _value(rng, goal * Decimal("0.9"), goal, 1, indicator.unit)
                    else:
                        start = (
                            baseline.value
                            if baseline and baseline.value is not None
                            else (
                                goal * Decimal("0.9")
                                if target.comparator not in (Comparator.LTE, Comparator.LT)
                                else goal * Decimal("1.1")
                            )
                        )
                        share = n / max(
                            target.year - (baseline.year if baseline else plan.period_start - 1), 1
                        )
                        value = _value(rng, start, goal, min(share, 1.2), indicator.unit)
                    actual.value, actual.raw = value, str(value)
                sample.append(actual)
    return len(actuals_record(actuals=sample, reason=LOAD_REASON))


@transaction.atomic
def remove_demo():
    """Remove every sample figure, user and department, and what the sample users entered.

    A sample user or department something else still refers to (a year a sample reviewer
    locked, a real user put in a sample department) is kept, deactivated, and listed.
    """
    removed = DemoRemoved()
    sample_users = get_user_model().objects.filter(profile__is_sample=True)
    for actual in Actual.objects.filter(
        Q(is_sample=True) | Q(entered_by__in=sample_users)
    ).select_related("indicator"):
        actual._change_reason = REMOVE_REASON
        actual.delete()
        removed.actuals += 1
    for user in sample_users:
        try:
            with transaction.atomic():
                user.delete()
            removed.users += 1
        except ProtectedError:
            user.is_active = False
            user.save(update_fields=["is_active"])
            removed.kept.append(f"user {user.username} (still referred to; deactivated)")
    for department in Department.objects.filter(is_sample=True):
        try:
            with transaction.atomic():
                for indicator in department.indicators.all():
                    indicator.department = None
                    indicator._change_reason = REMOVE_REASON
                    indicator.save(update_fields=["department"])
                department.delete()
            removed.departments += 1
        except ProtectedError:
            removed.kept.append(f"department {department} (a user still works for it)")
    return removed
