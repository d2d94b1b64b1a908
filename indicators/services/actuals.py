"""Every write of an actual figure: save, submit, approve, return, import, record; locking
and unlocking a plan's year.

The data-entry page, the admin, the upload resource, commands and tasks all call these;
nothing else sets an Actual's status. Each checks the user's rights, refuses in the clerk's
language (PermissionDenied, ValidationError or a message per row) and records in the
change history who changed what and why.
"""

from collections.abc import Sequence
from dataclasses import dataclass, field

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext
from simple_history.utils import bulk_create_with_history

from accounts.scope import region_allowed, scope_actuals, scope_indicators
from regions.models import Region

from ..changes import mark_change
from ..entry_rules import EntryCheck, check_entry
from ..imports import ResolvedRow
from ..models import Actual, Indicator, Plan, PlanYear
from ..worklists import approved_figures, figures_entered_by, standings
from .baselines import baseline_from_approval, baseline_withdrawn, is_base_figure
from .runs import results_touched

EDITABLE = {Actual.Status.DRAFT, Actual.Status.RETURNED, Actual.Status.SUBMITTED}


@dataclass
class EntryRow:
    indicator: Indicator
    text: str = ""
    note: str = ""
    qualitative_status: str = ""
    evidence: str = ""
    version: int | None = None  # the version the page was read at; None for a new figure
    explanation: str = ""  # 情况说明
    next_steps: str = ""  # 下一步措施

    def same_as(self, actual: Actual) -> bool:
        """Whether the row leaves the stored figure as it is."""
        return (
            self.text.strip(),
            self.note.strip(),
            self.qualitative_status,
            self.evidence.strip(),
            self.explanation.strip(),
            self.next_steps.strip(),
        ) == (
            actual.raw,
            actual.note,
            actual.qualitative_status,
            actual.evidence,
            actual.explanation,
            actual.next_steps,
        )


@dataclass
class EntryResult:
    errors: dict[int, list[str]] = field(default_factory=dict)  # indicator id -> messages
    saved: list[Actual] = field(default_factory=list)

    @property
    def ok(self):
        return not self.errors


def actual_save(
    *, user: AbstractUser, region: Region, year: int, rows: Sequence[EntryRow]
) -> EntryResult:
    """Save a page of figures as drafts: all rows or none. A row that leaves an approved
    figure, or one of a locked year, as it is, is passed over."""
    return _enter(user, region=region, year=year, rows=rows, submit=False)


def actual_submit(
    *, user: AbstractUser, region: Region, year: int, rows: Sequence[EntryRow]
) -> EntryResult:
    """Save a page of figures and send them for review: all rows or none. A figure that
    would leave its indicator 滞后, 严重滞后, 逆向 or 未达标 needs its 情况说明 and
    下一步措施."""
    return _enter(user, region=region, year=year, rows=rows, submit=True)


def actual_approve(*, user: AbstractUser, actuals: Sequence[Actual]) -> int:
    """Approve submitted figures; returns how many changed.

    `actuals` are the figures as the reviewer saw them: if any has changed since (its
    version is no longer the one seen), nothing is approved. Nobody approves a figure they
    entered or changed."""
    return _review(user, actuals, APPROVAL)


def actual_return(*, user: AbstractUser, actuals: Sequence[Actual], reason: str) -> int:
    """Send submitted or approved figures back to the clerk with a reason; returns how many.
    As for approving, nothing is returned if any figure changed since the reviewer saw it."""
    if not reason.strip():
        raise ValidationError(_("退回时必须填写原因。"))
    return _review(user, actuals, RETURN, reason=reason.strip())


def actual_import_row(
    *,
    user: AbstractUser,
    actual: Actual,
    row: ResolvedRow,
    approve: bool,
    entered_by: AbstractUser | None = None,
) -> Actual:
    """Store one checked row of an upload (`imports.resolve_row`): submitted, or approved
    when a reviewer imports, with approval, figures `entered_by` gave in (recorded as theirs).
    The upload's transaction makes it all or none."""
    figure = row.check.figure
    if actual.pk is not None:
        actual.version += 1
    actual.value, actual.qualifier, actual.raw = figure.value, figure.qualifier, figure.raw
    actual.note, actual.suspicion = row.note, row.check.suspicion
    actual.explanation, actual.next_steps = row.explanation, row.next_steps
    actual.entered_by, actual.return_reason = entered_by or user, ""
    if approve:
        actual.status = Actual.Status.APPROVED
        actual.reviewed_by, actual.reviewed_at = user, timezone.now()
    else:
        actual.status = Actual.Status.SUBMITTED
    mark_change(actual, user=user, reason="导入并审核" if approve else "导入")
    actual.save()
    if approve and is_base_figure(actual):
        baseline_from_approval(user=user, actual=actual)
    return actual


def actual_record(*, actual: Actual, reason: str) -> bool:
    """Store, approved, a figure no clerk entered (the plan document's own record of an
    achievement, sample data), unless the region has a figure for that year already.
    Returns whether it was stored."""
    return bool(actuals_record(actuals=[actual], reason=reason))


def actuals_record(*, actuals: Sequence[Actual], reason: str) -> list[Actual]:
    """`actual_record` for many figures at once (the sample data: hundreds), in a few
    queries; returns those stored. As for any bulk write, no per-row signal is sent: the
    callers recompute what they touched, which retires the cached pages."""
    wanted = {(a.indicator_id, a.region_id, a.year): a for a in actuals}
    taken = set(
        Actual.objects.filter(
            indicator_id__in={k[0] for k in wanted},
            region_id__in={k[1] for k in wanted},
            year__in={k[2] for k in wanted},
        ).values_list("indicator_id", "region_id", "year")
    )
    new = [a for key, a in wanted.items() if key not in taken]
    for actual in new:
        actual.status = Actual.Status.APPROVED
    return bulk_create_with_history(new, Actual, default_change_reason=reason)


@transaction.atomic
def year_lock(*, user: AbstractUser, plan: Plan, year: int) -> PlanYear:
    """Lock a plan's year: its figures can no longer be entered, approved or returned. A
    reviewer locks only the plans of their own region and those below it."""
    if not user.has_perm("indicators.lock_planyear"):
        raise PermissionDenied(_("您无权锁定年度。"))
    if not region_allowed(user, plan.region):
        raise PermissionDenied(
            _("您只能锁定本辖区的规划年度,“%(plan)s”不在其内。") % {"plan": plan.title}
        )
    plan_year = PlanYear.objects.select_for_update().filter(plan=plan, year=year).first()
    plan_year = plan_year or PlanYear(plan=plan, year=year)
    if not plan_year.is_locked:
        plan_year.is_locked, plan_year.locked_by, plan_year.locked_at = True, user, timezone.now()
        mark_change(plan_year, user=user, reason="锁定")
        plan_year.save()
    return plan_year


@transaction.atomic
def year_unlock(*, user: AbstractUser, plan: Plan, year: int, reason: str) -> PlanYear:
    """Unlock a plan's year (administrators only), saying why."""
    if not user.has_perm("indicators.unlock_planyear"):
        raise PermissionDenied(_("只有系统管理员可以解锁年度。"))
    if not reason.strip():
        raise ValidationError(_("解锁时必须填写原因。"))
    plan_year = PlanYear.objects.select_for_update().get(plan=plan, year=year)
    plan_year.is_locked, plan_year.unlock_reason = False, reason.strip()
    mark_change(plan_year, user=user, reason=f"解锁:{reason.strip()}")
    plan_year.save()
    return plan_year


def _changed_by_someone_else(actual):
    who = actual.entered_by or _("他人")
    when = timezone.localtime(actual.updated_at).strftime("%Y-%m-%d %H:%M")
    current = actual.raw or actual.get_qualitative_status_display() or _("(空)")
    return _("该数值已被%(who)s于%(when)s改为“%(current)s”,您的修改未保存;请核对后重新填写。") % {
        "who": who,
        "when": when,
        "current": current,
    }


def _check_row(user, row, *, indicator, region, year, existing, locked, allowed, standing, submit):
    """Every problem with one row of the page, and what to store; no writes."""
    errors = []
    if not allowed:
        errors.append(_("您无权填报该指标。"))
    if existing is not None:
        if row.version != existing.version:
            errors.append(_changed_by_someone_else(existing))
        elif existing.status not in EDITABLE:
            errors.append(_("该数值已审核,不能直接修改;如需更正,请联系审核人员退回。"))
    elif row.version is not None:
        errors.append(_("该数值已被删除,请刷新页面。"))
    plan = indicator.plan
    check = check_entry(
        row.text,
        unit=indicator.unit,
        measure=indicator.measure,
        name=indicator.name,
        year=year,
        period_start=plan.period_start,
        period_end=plan.period_end,
        locked=locked,
        standing=standing,
        note=row.note,
        qualitative=indicator.is_qualitative,
        qualitative_status=row.qualitative_status,
        submit=submit,
        explanation=row.explanation,
        next_steps=row.next_steps,
    )
    return errors + check.errors, check


@transaction.atomic
def _enter(user, *, region, year, rows, submit):
    if not user.has_perm("indicators.change_actual"):
        raise PermissionDenied(_("您无权填报数据。"))
    if not region_allowed(user, region):
        raise PermissionDenied(_("您无权填报该区划的数据。"))
    result = EntryResult()
    ids = [r.indicator.pk for r in rows]
    # Lock the indicators first: select_for_update below locks only the figures that exist, so
    # two saves of the same empty cell would both insert (the second failing on the unique
    # constraint). Now the second waits, then finds the first's figure and is refused as stale.
    list(
        Indicator.objects.select_for_update(no_key=True)
        .filter(pk__in=ids)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    indicators = {
        i.pk: i
        for i in Indicator.objects.filter(pk__in=ids)
        .select_related("plan")
        .prefetch_related("targets", "baselines")
    }
    allowed = set(
        scope_indicators(Indicator.objects.filter(pk__in=ids), user).values_list("pk", flat=True)
    )
    existing = {
        a.indicator_id: a
        for a in Actual.objects.select_for_update(of=("self",))
        .select_related("entered_by")
        .filter(indicator__in=ids, region=region, year=year)
    }
    if existing and scope_actuals(
        Actual.objects.filter(pk__in=[a.pk for a in existing.values()]), user
    ).count() != len(existing):
        raise PermissionDenied(_("您无权修改其他单位或区划的数据。"))
    locked = set(
        PlanYear.objects.filter(
            plan_id__in={i.plan_id for i in indicators.values()}, year=year, is_locked=True
        ).values_list("plan_id", flat=True)
    )
    judged = standings(
        [(i, region.pk, year) for i in indicators.values()],
        approved_figures(ids, [region.pk]),
    )
    pending = []
    for row in rows:
        indicator = indicators[row.indicator.pk]
        actual = existing.get(indicator.pk)
        if actual is None and not row.text.strip() and not row.qualitative_status:
            continue  # nothing entered for this indicator
        is_locked = indicator.plan_id in locked
        if (
            actual is not None
            and row.same_as(actual)
            and (is_locked or actual.status == Actual.Status.APPROVED)
        ):
            continue  # an approved or locked figure left as it was
        errors, check = _check_row(
            user,
            row,
            indicator=indicator,
            region=region,
            year=year,
            existing=actual,
            locked=is_locked,
            allowed=indicator.pk in allowed,
            standing=judged.get((indicator.pk, region.pk, year)),
            submit=submit,
        )
        if errors:
            result.errors[indicator.pk] = errors
        else:
            pending.append((row, indicator, actual, check))
    if result.errors:
        return result
    for row, indicator, actual, check in pending:
        result.saved.append(
            _store(user, row, indicator, actual, check, region=region, year=year, submit=submit)
        )
    return result


def _store(user, row: EntryRow, indicator, actual, check: EntryCheck, *, region, year, submit):
    figure = check.figure
    values = {
        "value": figure.value if figure else None,
        "qualifier": figure.qualifier if figure else "",
        "raw": figure.raw if figure else row.text.strip(),
        "note": row.note.strip(),
        "qualitative_status": row.qualitative_status,
        "evidence": row.evidence.strip(),
        "explanation": row.explanation.strip(),
        "next_steps": row.next_steps.strip(),
        "suspicion": check.suspicion,
    }
    status = Actual.Status.SUBMITTED if submit else Actual.Status.DRAFT
    if actual is None:
        actual = Actual(indicator=indicator, region=region, year=year)
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


@dataclass(frozen=True)
class _Review:
    """A reviewer's decision: which figures it applies to and how it is recorded."""

    to: str
    since: tuple[str, ...]  # the states it moves figures from; others are left alone
    history_reason: str
    run_scope: str
    locked_message: str


APPROVAL = _Review(
    to=Actual.Status.APPROVED,
    since=(Actual.Status.SUBMITTED,),
    history_reason="审核通过",
    run_scope="审核通过",
    locked_message=gettext_lazy("%(year)d年已锁定,不能审核。"),
)
RETURN = _Review(
    to=Actual.Status.RETURNED,
    since=(Actual.Status.SUBMITTED, Actual.Status.APPROVED),
    history_reason="退回",
    run_scope="退回已审核数值",
    locked_message=gettext_lazy("%(year)d年已锁定,不能退回。"),
)


def _named(actuals):
    return pgettext("list separator", "、").join(
        _("%(code)s %(region)s %(year)d年")
        % {"code": a.indicator.code, "region": a.region.name, "year": a.year}
        for a in actuals
    )


@transaction.atomic
def _review(user, actuals, review: _Review, *, reason=""):
    """Apply a review to the figures it concerns; recompute the attainment of every
    indicator whose approved figure came or went. All or none: a figure changed since the
    reviewer saw it, one the reviewer entered (for an approval) or one of a locked year
    refuses the whole review."""
    if not user.has_perm("indicators.review_actual"):
        raise PermissionDenied(_("您无权审核数据。"))
    seen = {a.pk: a.version for a in actuals}
    reviewable = scope_actuals(Actual.objects.filter(pk__in=seen), user)
    if reviewable.count() != len(seen):
        raise PermissionDenied(_("您无权审核其他区划的数据。"))
    current = list(
        reviewable.select_related("indicator", "region")
        .select_for_update(of=("self",))
        .order_by("pk")
    )
    stale = [a for a in current if a.version != seen[a.pk]]
    if stale:
        raise ValidationError(
            _("%(figures)s在您查看之后已被修改,本次未做任何审核;请重新查看后再审核。")
            % {"figures": _named(stale)}
        )
    concerned = [a for a in current if a.status in review.since]
    if review.to == Actual.Status.APPROVED:
        own = figures_entered_by(user, concerned)
        if own:
            raise PermissionDenied(
                _("%(figures)s由您填报或修改过,须由其他审核人员审核。")
                % {"figures": _named(a for a in concerned if a.pk in own)}
            )
    locked = set(
        PlanYear.objects.filter(
            plan_id__in={a.indicator.plan_id for a in concerned},
            year__in={a.year for a in concerned},
            is_locked=True,
        ).values_list("plan_id", "year")
    )
    count, touched = 0, set()
    for actual in concerned:
        if (actual.indicator.plan_id, actual.year) in locked:
            raise ValidationError(review.locked_message % {"year": actual.year})
        was_approved = actual.status == Actual.Status.APPROVED
        if Actual.Status.APPROVED in (actual.status, review.to):
            touched.add(actual.indicator_id)
        actual.status, actual.return_reason = review.to, reason
        actual.reviewed_by, actual.reviewed_at = user, timezone.now()
        history_reason = f"{review.history_reason}:{reason}" if reason else review.history_reason
        mark_change(actual, user=user, reason=history_reason)
        actual.save()
        if is_base_figure(actual):
            if review.to == Actual.Status.APPROVED:
                baseline_from_approval(user=user, actual=actual)
            elif was_approved:
                baseline_withdrawn(user=user, actual=actual)
        count += 1
    if touched:
        results_touched(indicator_ids=touched, scope=review.run_scope)
    return count
