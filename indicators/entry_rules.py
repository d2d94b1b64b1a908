"""Checks on one figure a clerk enters, shared by the form, the upload and the command; the
year a department's page opens on. No database access: the callers read what is judged."""

import datetime
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from . import attainment
from .models import AttainmentStatus
from .outliers import is_rate, scale_suspicion
from .outliers import suspicion as outlier_suspicion
from .values import Figure, FigureError, check_figure, parse_figure

# The longest note, evidence or reason a person may write; 情况说明 and 下一步措施
# (Actual.explanation, next_steps) hold as much. Forms and uploads both say it in this message.
TEXT_MAX_LENGTH = 2000
TEXT_TOO_LONG = gettext_lazy("最多 %(limit_value)d 字,现有 %(show_value)d 字,请删减。")


def text_length_errors(text: str) -> list[str]:
    if len(text) <= TEXT_MAX_LENGTH:
        return []
    return [TEXT_TOO_LONG % {"limit_value": TEXT_MAX_LENGTH, "show_value": len(text)}]


# A figure that would leave its indicator in one of these may be submitted only with the
# department's 情况说明 and 下一步措施.
NEEDS_REASONS = frozenset(
    {
        attainment.Status.LAGGING,
        attainment.Status.OFF_TRACK,
        attainment.Status.REGRESSING,
        attainment.Status.NOT_ACHIEVED,
    }
)


@dataclass(frozen=True)
class Standing:
    """What the attainment of an indicator in one region rests on, besides a new figure: the
    target that speaks for it at the year, the approved figures (any years) and the baseline,
    exactly as the recompute passes them to `attainment.evaluate`."""

    terms: attainment.TargetTerms
    period_start: int
    approved: tuple[attainment.Observation, ...] = ()
    baseline: tuple[int, Decimal] | None = None
    thresholds: attainment.Thresholds = attainment.DEFAULT_THRESHOLDS

    def history(self, year: int) -> list[Decimal]:
        """The approved values before `year`, oldest first."""
        return [o.value for o in sorted(self.approved, key=lambda o: o.year) if o.year < year]

    def scale(self) -> Decimal | None:
        """The target's value on the scale of one yearly figure: a 新增 target counts the
        whole period, so its share of one year."""
        t = self.terms
        if t.value is None:
            return None
        if t.measure == "new":
            return t.value / max(t.year - self.period_start + 1, 1)
        return t.value


def would_give(
    standing: Standing, *, year: int, figure: Figure | None, qualitative_status: str = ""
) -> attainment.Result:
    """The attainment the figure would give at `year` once approved: the engine's own
    judgement, with the figure in place of any approved one for that year."""
    observations = [o for o in standing.approved if o.year != year]
    if figure is not None:
        observations.append(attainment.Observation(year, figure.value, figure.qualifier))
    return attainment.evaluate(
        standing.terms,
        year=year,
        period_start=standing.period_start,
        observations=observations,
        baseline=standing.baseline,
        qualitative_status=qualitative_status or None,
        thresholds=standing.thresholds,
    )


def needs_reasons(result: attainment.Result | None) -> bool:
    return result is not None and result.status in NEEDS_REASONS


@dataclass
class EntryCheck:
    figure: Figure | None = None
    year_errors: list[str] = field(default_factory=list)  # the year is locked or out of the plan
    value_errors: list[str] = field(default_factory=list)
    note_errors: list[str] = field(default_factory=list)  # a note too long
    reason_errors: list[str] = field(default_factory=list)  # 情况说明 / 下一步措施 missing
    suspicion: str = ""
    judged: attainment.Result | None = None  # what the figure would give, when judged

    @property
    def errors(self):
        return self.year_errors + self.value_errors + self.note_errors + self.reason_errors


def check_entry(
    text: str,
    *,
    unit: str,
    measure: str,
    year: int,
    period_start: int,
    period_end: int,
    locked: bool,
    note: str,
    name: str = "",
    standing: Standing | None = None,
    qualitative: bool = False,
    qualitative_status: str = "",
    submit: bool = False,
    explanation: str = "",
    next_steps: str = "",
) -> EntryCheck:
    """Parse and judge one entered figure.

    `standing`: what the indicator's attainment rests on in the region (None when it has no
    target); the figure is checked against its history and scale (a suspicious one needs a
    note or a 情况说明 saying why it is right), and judged with it. The year
    before the plan period starts takes a base figure, which is not judged. A figure submitted
    (`submit`) that would leave the indicator 滞后, 严重滞后, 逆向 or 未达标 needs both
    `explanation` and `next_steps`.
    """
    result = EntryCheck(note_errors=text_length_errors(note))
    if locked:
        result.year_errors.append(
            _("%(year)d年已锁定,不能修改;如需更正请联系系统管理员解锁。") % {"year": year}
        )
    if not period_start - 1 <= year <= period_end:
        result.year_errors.append(
            _("%(year)d年不在规划期(%(start)d–%(end)d年)内。")
            % {"year": year, "start": period_start, "end": period_end}
        )
    judged = standing is not None and year >= period_start and not result.year_errors
    if qualitative:
        if not qualitative_status and text.strip():
            result.value_errors.append(
                _("定性指标请选择完成情况(达标/推进中/未达标)并填写佐证材料。")
            )
        if judged and qualitative_status:
            result.judged = would_give(
                standing, year=year, figure=None, qualitative_status=qualitative_status
            )
        _ask_reasons(result, submit=submit, explanation=explanation, next_steps=next_steps)
        return result
    if not text.strip():
        return result
    try:
        result.figure = parse_figure(text, unit)
    except FigureError as exc:
        result.value_errors.append(str(exc))
        return result
    result.value_errors += check_figure(result.figure, unit)
    if result.value_errors:
        return result
    history = standing.history(year) if standing is not None else []

    def suspicion():
        value = result.figure.value
        return scale_suspicion(
            value,
            target=standing.scale() if standing is not None else None,
            latest=history[-1] if history else None,
            rate=is_rate(name, unit),
        ) or outlier_suspicion(value, history, measure=measure, unit=unit)

    # The explanation is stored with the figure, so it stays in the site's language like
    # the rest of the record; the clerk is told in their own.
    with translation.override(settings.LANGUAGE_CODE):
        result.suspicion = suspicion()
    if result.suspicion and not (note.strip() or explanation.strip()):
        result.value_errors.append(
            _("数值可能有误:%(why)s如确认无误,请在“说明”或“情况说明”中写明原因。")
            % {"why": suspicion()}
        )
    if judged:
        result.judged = would_give(standing, year=year, figure=result.figure)
    _ask_reasons(result, submit=submit, explanation=explanation, next_steps=next_steps)
    return result


def _ask_reasons(result, *, submit, explanation, next_steps):
    if not (submit and needs_reasons(result.judged)):
        return
    missing = [
        label
        for label, text in ((_("情况说明"), explanation), (_("下一步措施"), next_steps))
        if not text.strip()
    ]
    if missing:
        result.reason_errors.append(
            _("按此数值,该指标将判为“%(status)s”;提交审核前请填写%(missing)s。")
            % {
                "status": AttainmentStatus(str(result.judged.status)).label,
                "missing": _("和").join(str(m) for m in missing),
            }
        )


@dataclass(frozen=True)
class OpenYear:
    """A year a department's page may be opened for: a plan year not locked, or the year
    before a plan starts (its base figures)."""

    year: int
    is_base: bool = False
    due: datetime.date | None = None  # the earliest reporting deadline set for it


def open_years(
    periods: Mapping[int, tuple[int, int]],
    *,
    locked: set[tuple[int, int]],
    due: Mapping[tuple[int, int], datetime.date],
    today: datetime.date,
) -> list[OpenYear]:
    """The years open for entry across plans, oldest first.

    `periods`: plan id -> (first, last year); `locked`: the (plan id, year) pairs locked;
    `due`: (plan id, year) -> deadline. A plan offers its base year and each year of its
    period up to this one (figures are reported after the year), less its locked years.
    """
    found: dict[int, OpenYear] = {}
    for plan_id, (start, end) in periods.items():
        for year in range(start - 1, min(end, today.year) + 1):
            if (plan_id, year) in locked:
                continue
            deadline = due.get((plan_id, year))
            seen = found.get(year)
            if seen is not None:
                is_base = seen.is_base and year == start - 1
                dates = [d for d in (seen.due, deadline) if d is not None]
                deadline = min(dates) if dates else None
            else:
                is_base = year == start - 1
            found[year] = OpenYear(year, is_base, deadline)
    return [found[year] for year in sorted(found)]


def due_year(years: list[OpenYear], *, today: datetime.date) -> int | None:
    """The year a page opens on: the one whose deadline comes next; without deadlines, the
    latest plan year already over (figures are reported after the year); else the latest."""
    upcoming = [y for y in years if y.due is not None and y.due >= today and not y.is_base]
    if upcoming:
        return min(upcoming, key=lambda y: (y.due, y.year)).year
    plan_years = [y.year for y in years if not y.is_base]
    past = [y for y in plan_years if y < today.year]
    if past:
        return max(past)
    if plan_years:
        return max(plan_years)
    return years[-1].year if years else None
