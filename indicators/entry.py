"""Entering, submitting, reviewing and locking actual figures."""

from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.scope import region_allowed, scope_actuals, scope_indicators

from .changes import mark_change
from .entry_rules import check_entry
from .jobs import schedule_recompute
from .models import Actual, Indicator, PlanYear

EDITABLE = {Actual.Status.DRAFT, Actual.Status.RETURNED, Actual.Status.SUBMITTED}


@dataclass
class EntryRow:
    indicator: Indicator
    text: str = ""
    note: str = ""
    qualitative_status: str = ""
    evidence: str = ""
    version: int | None = None  # the version the page was read at; None for a new figure


@dataclass
class EntryResult:
    errors: dict[int, list[str]] = field(default_factory=dict)  # indicator id -> messages
    saved: list[Actual] = field(default_factory=list)

    @property
    def ok(self):
        return not self.errors


def is_locked(plan, year):
    return PlanYear.objects.filter(plan=plan, year=year, is_locked=True).exists()


def approved_history(indicator, region, year):
    """Earlier approved values of one indicator and region, oldest first."""
    return list(
        Actual.objects.filter(
            indicator=indicator,
            region=region,
            year__lt=year,
            status=Actual.Status.APPROVED,
            value__isnull=False,
        )
        .order_by("year")
        .values_list("value", flat=True)
    )


def _changed_by_someone_else(actual):
    who = actual.entered_by or _("他人")
    when = timezone.localtime(actual.updated_at).strftime("%Y-%m-%d %H:%M")
    current = actual.raw or actual.get_qualitative_status_display() or _("(空)")
    return _("该数值已被%(who)s于%(when)s改为“%(current)s”,您的修改未保存;请核对后重新填写。") % {
        "who": who,
        "when": when,
        "current": current,
    }


def check_row(user, row, *, region, year, existing, locked):
    """Every problem with one row, and what to store; no writes."""
    indicator, errors = row.indicator, []
    if not scope_indicators(Indicator.objects.filter(pk=indicator.pk), user).exists():
        errors.append(_("您无权填报该指标。"))
    if existing is not None:
        if row.version != existing.version:
            errors.append(_changed_by_someone_else(existing))
        elif existing.status not in EDITABLE:
            errors.append(_("该数值已审核,不能直接修改;如需更正,请联系审核人员退回。"))
    elif row.version is not None:
        errors.append(_("该数值已被删除,请刷新页面。"))
    check = check_entry(
        row.text,
        unit=indicator.unit,
        measure=indicator.measure,
        year=year,
        period_start=indicator.plan.period_start,
        period_end=indicator.plan.period_end,
        locked=locked,
        history=approved_history(indicator, region, year),
        note=row.note,
        qualitative=indicator.is_qualitative,
        qualitative_status=row.qualitative_status,
    )
    return errors + check.errors, check


@transaction.atomic
def save_entry(user, *, region, year, rows, submit=False):
    """Save a page of figures as drafts (or submit them): all rows or none."""
    if not user.has_perm("indicators.change_actual"):
        raise PermissionDenied(_("您无权填报数据。"))
    if not region_allowed(user, region):
        raise PermissionDenied(_("您无权填报该区划的数据。"))
    result = EntryResult()
    plan_locks = {}
    # Lock the indicators first: select_for_update below locks only the figures that exist, so
    # two saves of the same empty cell would both insert (the second failing on the unique
    # constraint). Now the second waits, then finds the first's figure and is refused as stale.
    list(
        Indicator.objects.select_for_update(no_key=True)
        .filter(pk__in=[r.indicator.pk for r in rows])
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    existing = {
        a.indicator_id: a
        for a in Actual.objects.select_for_update(of=("self",))
        .select_related("entered_by")
        .filter(indicator__in=[r.indicator for r in rows], region=region, year=year)
    }
    if existing and scope_actuals(
        Actual.objects.filter(pk__in=[a.pk for a in existing.values()]), user
    ).count() != len(existing):
        raise PermissionDenied(_("您无权修改其他单位或区划的数据。"))
    pending = []
    for row in rows:
        actual = existing.get(row.indicator.pk)
        if actual is None and not row.text.strip() and not row.qualitative_status:
            continue  # nothing entered for this indicator
        plan = row.indicator.plan
        if plan.pk not in plan_locks:
            plan_locks[plan.pk] = is_locked(plan, year)
        errors, check = check_row(
            user, row, region=region, year=year, existing=actual, locked=plan_locks[plan.pk]
        )
        if errors:
            result.errors[row.indicator.pk] = errors
        else:
            pending.append((row, actual, check))
    if result.errors:
        return result
    for row, actual, check in pending:
        result.saved.append(
            _store(user, row, actual, check, region=region, year=year, submit=submit)
        )
    return result


def _store(user, row, actual, check, *, region, year, submit):
    figure = check.figure
    values = {
        "value": figure.value if figure else None,
        "qualifier": figure.qualifier if figure else "",
        "raw": figure.raw if figure else row.text.strip(),
        "note": row.note.strip(),
        "qualitative_status": row.qualitative_status,
        "evidence": row.evidence.strip(),
        "suspicion": check.suspicion,
    }
    status = Actual.Status.SUBMITTED if submit else Actual.Status.DRAFT
    if actual is None:
        actual = Actual(indicator=row.indicator, region=region, year=year)
    elif all(getattr(actual, k) == v for k, v in values.items()) and (
        actual.status == status or (not submit and actual.status == Actual.Status.SUBMITTED)
    ):
        return actual  # unchanged: no new version, no history row
    else:
        actual.version += 1
    for k, v in values.items():
        setattr(actual, k, v)
    actual.status, actual.entered_by = status, user
    mark_change(actual, user=user, reason="提交审核" if submit else "保存草稿")
    actual.save()
    return actual


def _reviewable(user, actuals):
    if not user.has_perm("indicators.review_actual"):
        raise PermissionDenied(_("您无权审核数据。"))
    ids = [a.pk for a in actuals]
    visible = scope_actuals(Actual.objects.filter(pk__in=ids), user)
    if visible.count() != len(set(ids)):
        raise PermissionDenied(_("您无权审核其他区划的数据。"))
    return visible


@transaction.atomic
def approve_actuals(user, actuals):
    """Approve submitted figures; returns how many changed."""
    count, touched = 0, set()
    for actual in _reviewable(user, actuals).select_for_update():
        if actual.status != Actual.Status.SUBMITTED:
            continue
        if is_locked(actual.indicator.plan, actual.year):
            raise ValidationError(_("%(year)d年已锁定,不能审核。") % {"year": actual.year})
        actual.status, actual.reviewed_by, actual.reviewed_at = (
            Actual.Status.APPROVED,
            user,
            timezone.now(),
        )
        actual.return_reason = ""
        mark_change(actual, user=user, reason="审核通过")
        actual.save()
        touched.add(actual.indicator_id)
        count += 1
    if touched:
        schedule_recompute(indicator_ids=touched, scope="审核通过")
    return count


@transaction.atomic
def return_actuals(user, actuals, reason):
    """Send submitted or approved figures back to the clerk with a reason."""
    if not reason.strip():
        raise ValidationError(_("退回时必须填写原因。"))
    count, touched = 0, set()
    for actual in _reviewable(user, actuals).select_for_update():
        if actual.status not in (Actual.Status.SUBMITTED, Actual.Status.APPROVED):
            continue
        if actual.status == Actual.Status.APPROVED:
            touched.add(actual.indicator_id)  # an approved figure stops counting
        if is_locked(actual.indicator.plan, actual.year):
            raise ValidationError(_("%(year)d年已锁定,不能退回。") % {"year": actual.year})
        actual.status, actual.return_reason = Actual.Status.RETURNED, reason.strip()
        actual.reviewed_by, actual.reviewed_at = user, timezone.now()
        mark_change(actual, user=user, reason=f"退回:{reason.strip()}")
        actual.save()
        count += 1
    if touched:
        schedule_recompute(indicator_ids=touched, scope="退回已审核数值")
    return count


@transaction.atomic
def lock_year(user, plan, year):
    if not user.has_perm("indicators.lock_planyear"):
        raise PermissionDenied(_("您无权锁定年度。"))
    plan_year = PlanYear.objects.select_for_update().filter(plan=plan, year=year).first()
    plan_year = plan_year or PlanYear(plan=plan, year=year)
    if not plan_year.is_locked:
        plan_year.is_locked, plan_year.locked_by, plan_year.locked_at = True, user, timezone.now()
        mark_change(plan_year, user=user, reason="锁定")
        plan_year.save()
    return plan_year


@transaction.atomic
def unlock_year(user, plan, year, reason):
    if not user.has_perm("indicators.unlock_planyear"):
        raise PermissionDenied(_("只有系统管理员可以解锁年度。"))
    if not reason.strip():
        raise ValidationError(_("解锁时必须填写原因。"))
    plan_year = PlanYear.objects.select_for_update().get(plan=plan, year=year)
    plan_year.is_locked, plan_year.unlock_reason = False, reason.strip()
    mark_change(plan_year, user=user, reason=f"解锁:{reason.strip()}")
    plan_year.save()
    return plan_year
