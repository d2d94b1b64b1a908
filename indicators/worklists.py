"""Reads for the people who enter and review figures: the lines of a department's entry page,
a clerk's work list and a reviewer's queue.

Each reads its rows in a fixed number of queries, whatever their number (pinned in
tests/indicators/test_entry_queries.py).
"""

import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import Count, Prefetch, Q, QuerySet, prefetch_related_objects

from accounts.scope import scope_actuals, scope_indicators
from regions.models import Region

from . import attainment, wording
from .entry_rules import OpenYear, Standing, open_years, would_give
from .models import Actual, Baseline, Indicator, Plan, PlanYear, Target
from .recompute.judging import thresholds
from .selectors import primary_targets, reference_baseline
from .values import Figure


def targets_and_baselines():
    """Prefetches of an indicator's targets and baselines, each indicator's in their model's
    order (year, pk) without the joins that order costs when it starts with the indicator
    (the indicator's plan and the plan's region, to order the indicators)."""
    return (
        Prefetch("targets", queryset=Target.objects.order_by("indicator_id", "year", "pk")),
        Prefetch("baselines", queryset=Baseline.objects.order_by("indicator_id", "year", "pk")),
    )


@dataclass(frozen=True)
class ApprovedFigure:
    year: int
    value: object
    qualifier: str
    raw: str


def approved_figures(indicator_ids, region_ids) -> dict[tuple[int, int], list[ApprovedFigure]]:
    """(indicator id, region id) -> its approved figures, oldest first; one query."""
    found = defaultdict(list)
    rows = (
        Actual.objects.filter(
            indicator_id__in=indicator_ids,
            region_id__in=region_ids,
            status=Actual.Status.APPROVED,
        )
        .order_by("year")
        .values_list("indicator_id", "region_id", "year", "value", "qualifier", "raw")
    )
    for indicator_id, region_id, *figure in rows:
        found[(indicator_id, region_id)].append(ApprovedFigure(*figure))
    return found


def standings(
    keys: Iterable[tuple[Indicator, int, int]], approved: dict
) -> dict[tuple[int, int, int], Standing]:
    """(indicator id, region id, year) -> what the indicator's attainment in the region rests
    on at the year (entry_rules.Standing), for each (indicator, region id, year) of `keys`
    whose indicator has a target. The indicators come with their plan, targets and
    baselines loaded; `approved` is approved_figures() of them. No query.

    Judged as the recompute judges: the target that speaks for the indicator at the year,
    the approved figures with a value, and the plan's baseline for the plan's own region
    only (other regions start from their own data)."""
    limits = thresholds()
    found = {}
    listed = {}  # indicator id -> its targets and stated baselines, listed once
    for indicator, region_id, year in keys:
        if indicator.pk not in listed:
            listed[indicator.pk] = (
                list(indicator.targets.all()),
                [b for b in indicator.baselines.all() if b.value is not None],
            )
        targets, stated = listed[indicator.pk]
        if not targets:
            continue
        (target,) = primary_targets(targets, year)
        plan = indicator.plan
        baseline = None
        if region_id == plan.region_id:
            chosen = reference_baseline(stated, target.year)
            baseline = (chosen.year, chosen.value) if chosen else None
        found[(indicator.pk, region_id, year)] = Standing(
            terms=attainment.TargetTerms(
                year=target.year,
                comparator=target.comparator,
                value=target.value,
                value_max=target.value_max,
                direction=indicator.direction,
                measure=indicator.measure,
            ),
            period_start=plan.period_start,
            approved=tuple(
                attainment.Observation(f.year, f.value, f.qualifier)
                for f in approved.get((indicator.pk, region_id), ())
                if f.value is not None
            ),
            baseline=baseline,
            thresholds=limits,
        )
    return found


def judge_stored(standing: Standing | None, actual: Actual | None) -> attainment.Result | None:
    """What a stored figure would give once approved; None when there is nothing to judge
    (no target, no figure, a base-year figure)."""
    if standing is None or actual is None or actual.year < standing.period_start:
        return None
    if actual.qualitative_status:
        return would_give(
            standing, year=actual.year, figure=None, qualitative_status=actual.qualitative_status
        )
    if actual.value is None:
        return None
    figure = Figure(value=actual.value, qualifier=actual.qualifier, raw=actual.raw)
    return would_give(standing, year=actual.year, figure=figure)


def status_label(result: attainment.Result | None) -> str:
    """A judgement's status by its shape and name ("◆ 滞后"); "" for none."""
    return "" if result is None else wording.status_text(result.status)


def places_of(indicator: Indicator) -> int:
    """The places an indicator's figures are said at (its targets and baselines loaded)."""
    return wording.precision(
        *(t.value for t in indicator.targets.all()), *(b.value for b in indicator.baselines.all())
    )


def target_said(indicator: Indicator, target, *, places: int | None = None) -> str:
    """A target as the plan words it, at the indicator's precision (`places`, else
    places_of(indicator))."""
    places = places_of(indicator) if places is None else places
    return wording.target_text(wording.terms_of(target, indicator, places=places))


def figures_entered_by(user, actuals: Iterable[Actual]) -> set[int]:
    """Which of the figures `user` entered or changed, now or at any time before: the ones
    they may not approve. One query over the change history."""
    actuals = list(actuals)
    entries = (Actual.Status.DRAFT, Actual.Status.SUBMITTED)
    changed = (
        Actual.history.filter(id__in=[a.pk for a in actuals], history_user_id=user.pk)
        .filter(Q(status__in=entries) | Q(history_change_reason__startswith="导入"))
        .values_list("id", flat=True)
    )
    return set(changed) | {a.pk for a in actuals if a.entered_by_id == user.pk}


# ---------------------------------------------------------------------------------------------
# The entry page


@dataclass
class EntryLine:
    """What a clerk sees for one indicator on the data-entry page."""

    indicator: Indicator
    targets: list
    baseline: object
    last_year: object
    actual: Actual | None
    locked: bool = False  # the plan's year is locked
    standing: Standing | None = None
    form: object = None  # the line's form when it is open (set by the page)
    errors: list = field(default_factory=list)  # what the last save said about the line

    @property
    def is_open(self):
        """Whether the figure may be entered or changed here: neither approved nor locked."""
        return not self.locked and (
            self.actual is None or self.actual.status != Actual.Status.APPROVED
        )

    @property
    def targets_said(self):
        """(year, the target in words) of each of the indicator's targets."""
        places = places_of(self.indicator)
        return [(t.year, target_said(self.indicator, t, places=places)) for t in self.targets]

    @property
    def judged(self):
        """What the figure stored would give once approved, while it is still open: the
        status's shape and name, "" when there is nothing to judge."""
        return status_label(judge_stored(self.standing, self.actual)) if self.is_open else ""

    @property
    def initial(self):
        a = self.actual
        return {
            "indicator": self.indicator.pk,
            "version": a.version if a else None,
            "text": a.raw if a else "",
            "note": a.note if a else "",
            "qualitative_status": a.qualitative_status if a else "",
            "evidence": a.evidence if a else "",
            "explanation": a.explanation if a else "",
            "next_steps": a.next_steps if a else "",
        }


def entry_indicators(user, *, department, year) -> QuerySet:
    """The indicators of a department whose plan takes figures for `year` (its period, or
    its base year), with their plan, targets and baselines."""
    return (
        scope_indicators(
            Indicator.objects.filter(
                department=department,
                plan__period_start__lte=year + 1,
                plan__period_end__gte=year,
            ),
            user,
        )
        .select_related("plan")
        .prefetch_related(*targets_and_baselines())
        .order_by("plan__slug", "code")
    )


def entry_lines(user, *, department, region, year) -> list[EntryLine]:
    """The lines of a department's entry page for one region and year."""
    indicators = list(entry_indicators(user, department=department, year=year))
    actuals = {
        (a.indicator_id, a.year): a
        for a in Actual.objects.filter(
            indicator__in=indicators, region=region, year__in=[year, year - 1]
        )
        .select_related("entered_by", "reviewed_by")
        .order_by()  # looked up by key: no joins to order them
    }
    locked = set(
        PlanYear.objects.filter(
            plan_id__in={i.plan_id for i in indicators}, year=year, is_locked=True
        )
        .order_by()
        .values_list("plan_id", flat=True)
    )
    judged = standings(
        [(i, region.pk, year) for i in indicators],
        approved_figures([i.pk for i in indicators], [region.pk]),
    )
    lines = []
    for ind in indicators:
        last = actuals.get((ind.pk, year - 1))
        lines.append(
            EntryLine(
                indicator=ind,
                targets=list(ind.targets.all()),
                baseline=reference_baseline(list(ind.baselines.all()), year),
                last_year=last if last and last.status == Actual.Status.APPROVED else None,
                actual=actuals.get((ind.pk, year)),
                locked=ind.plan_id in locked,
                standing=judged.get((ind.pk, region.pk, year)),
            )
        )
    return lines


def department_years(department, *, today: datetime.date) -> list[OpenYear]:
    """The years a department's page may be opened for (entry_rules.open_years)."""
    periods = dict(
        (pk, (start, end))
        for pk, start, end in Plan.objects.filter(indicators__department=department)
        .distinct()
        .values_list("pk", "period_start", "period_end")
    )
    locked, due = _plan_years(periods)
    return open_years(periods, locked=locked, due=due, today=today)


def _plan_years(plan_ids):
    locked, due = set(), {}
    for plan_id, year, due_date, is_locked in (
        PlanYear.objects.filter(plan_id__in=list(plan_ids))
        .order_by()  # read into sets and dicts: no joins to order them
        .values_list("plan_id", "year", "due_date", "is_locked")
    ):
        if is_locked:
            locked.add((plan_id, year))
        if due_date is not None:
            due[(plan_id, year)] = due_date
    return locked, due


# ---------------------------------------------------------------------------------------------
# The clerk's work list


@dataclass
class WorkRow:
    """One plan, region and year open for entry, and where its figures stand."""

    plan: Plan
    region: Region
    year: int
    is_base: bool
    due: datetime.date | None
    indicators: int
    counts: dict  # status -> number of figures
    today: datetime.date

    @property
    def missing(self):
        return max(self.indicators - sum(self.counts.values()), 0)

    def count(self, status):
        return self.counts.get(status, 0)

    @property
    def drafts(self):
        return self.count(Actual.Status.DRAFT)

    @property
    def submitted(self):
        return self.count(Actual.Status.SUBMITTED)

    @property
    def returned(self):
        return self.count(Actual.Status.RETURNED)

    @property
    def approved(self):
        return self.count(Actual.Status.APPROVED)

    @property
    def days_left(self):
        return None if self.due is None else (self.due - self.today).days

    @property
    def overdue(self):
        """Days past the deadline; 0 before it or without one."""
        days = self.days_left
        return -days if days is not None and days < 0 else 0

    @property
    def is_done(self):
        return self.approved >= self.indicators


def work_list(department, *, today: datetime.date) -> tuple[list[WorkRow], list[Actual]]:
    """A department's work: every plan, region and year open for entry with its counts
    (returned figures first, then the nearest deadline), and the returned figures with the
    reviewer's reason.

    Regions: the department's own, and any region below it that has figures for the plan
    and year. Base years are listed only where they have figures."""
    regions = {r.pk: r for r in department.region.descendants()}  # scope.entry_regions
    plans = list(
        Plan.objects.filter(indicators__department=department)
        .annotate(assigned=Count("indicators"))
        .select_related("region")
        .order_by("region__code", "period_start", "slug")
    )
    locked, due = _plan_years(p.pk for p in plans)
    counts = defaultdict(dict)
    for plan_id, region_id, year, status, n in (
        Actual.objects.filter(indicator__department=department, region_id__in=list(regions))
        .values_list("indicator__plan_id", "region_id", "year", "status")
        .annotate(n=Count("pk"))
        .order_by()
    ):
        counts[(plan_id, region_id, year)][status] = n
    rows = []
    for plan in plans:
        years = open_years(
            {plan.pk: (plan.period_start, plan.period_end)}, locked=locked, due=due, today=today
        )
        for open_year in years:
            with_figures = {r for (p, r, y) in counts if p == plan.pk and y == open_year.year}
            shown = with_figures if open_year.is_base else with_figures | {department.region_id}
            for region_id in sorted(shown, key=lambda pk: regions[pk].code):
                rows.append(
                    WorkRow(
                        plan=plan,
                        region=regions[region_id],
                        year=open_year.year,
                        is_base=open_year.is_base,
                        due=open_year.due,
                        indicators=plan.assigned,
                        counts=counts.get((plan.pk, region_id, open_year.year), {}),
                        today=today,
                    )
                )
    rows.sort(
        key=lambda r: (
            r.returned == 0,
            r.is_done,
            r.due is None,
            r.due or today,
            -r.year,
            r.plan.slug,
            r.region.code,
        )
    )
    returned = list(
        Actual.objects.filter(
            indicator__department=department,
            region_id__in=list(regions),
            status=Actual.Status.RETURNED,
        )
        .select_related("indicator__plan", "region", "reviewed_by")
        .order_by("-reviewed_at", "indicator__code")
    )
    return rows, returned


# ---------------------------------------------------------------------------------------------
# The reviewer's queue


def review_queue(user, *, plan=None, department=None, year=None, within=None) -> QuerySet:
    """The submitted figures a reviewer may judge, filtered, in plan and indicator order.
    `within`: review_queue(user) already built, to filter without reading the scope again."""
    queue = (
        within
        if within is not None
        else scope_actuals(Actual.objects.filter(status=Actual.Status.SUBMITTED), user)
    )
    if plan is not None:
        queue = queue.filter(indicator__plan=plan)
    if department is not None:
        queue = queue.filter(indicator__department=department)
    if year is not None:
        queue = queue.filter(year=year)
    return (
        queue.select_related(
            "indicator__plan", "indicator__department__region", "region", "entered_by"
        )
        # The long texts of the indicator and its plan are not shown in the queue.
        .defer(*QUEUE_UNREAD)
        .order_by("indicator__plan__slug", "indicator__code", "region__code", "year")
    )


QUEUE_UNREAD = (
    "source_text",
    "indicator__source_text",
    "indicator__notes",
    "indicator__canonical_note",
    "indicator__plan__notes",
)


@dataclass
class ReviewLine:
    """One submitted figure with what a reviewer needs beside it."""

    actual: Actual
    target: object  # the target that speaks for the indicator at the year, or None
    last_year: ApprovedFigure | None
    judged: attainment.Result | None
    own: bool  # the reviewer entered or changed it: someone else must approve it
    target_text: str = ""  # the target as the plan words it (target_said)
    judged_label: str = ""  # status_label(judged)


def review_lines(user, actuals: list[Actual]) -> list[ReviewLine]:
    """The queue's rows for one page of figures, in a fixed number of queries."""
    indicators = {a.indicator_id: a.indicator for a in actuals}
    for a in actuals:  # one instance per indicator, its targets and baselines read once
        a.indicator = indicators[a.indicator_id]
    prefetch_related_objects(list(indicators.values()), *targets_and_baselines())
    approved = approved_figures(list(indicators), {a.region_id for a in actuals})
    judged = standings([(a.indicator, a.region_id, a.year) for a in actuals], approved)
    own = figures_entered_by(user, actuals)
    targets = {pk: list(i.targets.all()) for pk, i in indicators.items()}
    places = {pk: places_of(i) for pk, i in indicators.items()}
    said = {}  # target id -> its words, each said once
    labels = {}  # status -> its shape and name, each said once
    lines = []
    for a in actuals:
        standing = judged.get((a.indicator_id, a.region_id, a.year))
        result = judge_stored(standing, a)
        status = result.status if result is not None else None
        if status not in labels:
            labels[status] = status_label(result)
        listed = targets[a.indicator_id]
        (target,) = primary_targets(listed, a.year) if listed else (None,)
        if target is not None and target.pk not in said:
            said[target.pk] = target_said(a.indicator, target, places=places[a.indicator_id])
        before = approved.get((a.indicator_id, a.region_id), [])
        lines.append(
            ReviewLine(
                actual=a,
                target=target,
                last_year=next((f for f in before if f.year == a.year - 1), None),
                judged=result,
                own=a.pk in own,
                target_text=said[target.pk] if target is not None else "",
                judged_label=labels[status],
            )
        )
    return lines
