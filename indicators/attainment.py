"""Attainment (目标完成情况): judge one target for one region and year, and roll results up.

This is the engine of DOMAIN.md §3, as plain arithmetic on Decimals: no Django, no ORM,
so the nightly Celery job can call it for every target, region and year. Every Result
carries the numbers that produced it (actual, baseline, completion, progress, elapsed,
projection), the number of the §3 rule that decided (`rule`) and a short English note naming
that rule with its figures (for files and logs), so an auditor can recompute it.

Where each part of §3 lives:
- the status rules 1-10, in order: `_verdict()`, the only place they are written;
- the figures they judge (a, b, y0, met, completion, progress, elapsed, projection):
  `evaluate_series()`, which walks the years of one (target, region) series once;
- one year alone: `evaluate()`, the series of that one year;
- a plan's roll-up (达标率): `rollup()`.
The module is longer than most (about 700 lines) on purpose: all of §3 in one place, read top
to bottom (the terms, how "met" is judged, the rules, the figures, the roll-up), with nothing
but the standard library beneath it.

Vocabulary (the codes of indicators.models):
- comparator: gte / gt / lte / lt / eq / range / qualitative
- measure: level / cumulative / new (新增) / per_year (每年)
- direction: higher / lower / hold
- qualifier of a reported figure: "" (exact) / gte / gt / lte / lt ("98以上" = 98, gte)

Decisions where §3 is silent (each one is pinned by a test):
- Rounding: completion, progress and elapsed are rounded to 4 decimal places (ROUND_HALF_UP,
  四舍五入), and rules 7-10 compare the *rounded* values, so the verdict can be recomputed from
  the figures shown. The projected value is rounded the same way before it is judged.
- "= t within the unit's precision": the actual is rounded (half up) to the decimal places of
  t *with trailing zeros dropped*; the database stores 6 places, so 100.000000 means 100.
- Higher or lower is better: gte / gt / range are higher-better and lte / lt lower-better
  whatever the direction says (the comparator decides what "met" means); eq follows the
  direction (lower → lower-better, higher / hold → higher-better).
- 新增: the running sum adds the approved yearly values that exist from period_start to y;
  a missing year in between is left out (named in the note), but a missing value for y itself
  means no_data. If the summed values carry qualifiers all pointing one way the sum is a bound
  of that kind (strict if any part is strict); mixed directions give the qualifier "mixed"
  and met is undecidable. The baseline passed in is ignored (b = 0 in period_start - 1).
- Baseline of a level / 累计 target without a plan baseline: the earliest approved actual in
  [period_start, y] (nothing after y is looked at).
- Projection points: (y0, b) plus one point per year with an approved actual in (y0, y]
  (the baseline wins in y0); for 新增 the running sums. Qualifiers are ignored there (bound
  values are used as they stand). Without a baseline, or with no actual for y, no projection.
- Thresholds must satisfy 0 <= lagging <= on_track.
- Rule 4 covers two cases (the target year has come; a 每年 target), rule 6 two (no
  baseline; e = 0): the note tells them apart, the figures too (y ≥ T or the measure; b or e).
- rollup: "achieved" counts numeric targets only, so that achievement_rate = achieved /
  with_data; counts["achieved"] also includes qualitative ones.
"""

from __future__ import annotations

import operator
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, ROUND_HALF_UP, Context, Decimal
from enum import StrEnum
from typing import NamedTuple

__all__ = [
    "DEFAULT_THRESHOLDS",
    "MIXED_QUALIFIER",
    "QUALITATIVE_RULE",
    "Baseline",
    "Observation",
    "Result",
    "Status",
    "TargetTerms",
    "Thresholds",
    "evaluate",
    "evaluate_series",
    "rollup",
]


def gettext_noop(message: str) -> str:
    """Marks a status name for translation without translating it here (this module imports
    the standard library only). Named as Django's, so that makemessages collects the names;
    indicators.models.AttainmentStatus translates them where they are shown."""
    return message


class Status(StrEnum):
    """A target's status at a year; `label` is its name in DOMAIN.md §3 (the msgid)."""

    label: str

    NO_DATA = "no_data", gettext_noop("未填报")
    INDETERMINATE = "indeterminate", gettext_noop("无法判定")
    ACHIEVED = "achieved", gettext_noop("已达标")
    NOT_ACHIEVED = "not_achieved", gettext_noop("未达标")
    OFF_TRACK = "off_track", gettext_noop("严重滞后")
    INSUFFICIENT_DATA = "insufficient_data", gettext_noop("数据不足")
    REGRESSING = "regressing", gettext_noop("逆向")
    ON_TRACK = "on_track", gettext_noop("符合序时进度")
    LAGGING = "lagging", gettext_noop("滞后")
    IN_PROGRESS = "in_progress", gettext_noop("推进中")  # qualitative targets only

    def __new__(cls, value: str, label: str):
        member = str.__new__(cls, value)
        member._value_ = value
        member.label = label
        return member


# The rule of a qualitative target's status: a person's judgement, no rule of §3's list.
QUALITATIVE_RULE = 0

# The qualifier of a 新增 sum whose parts are bounds pointing in opposite directions.
MIXED_QUALIFIER = "mixed"

_QUALITATIVE_STATUSES = {
    "achieved": Status.ACHIEVED,
    "in_progress": Status.IN_PROGRESS,
    "not_achieved": Status.NOT_ACHIEVED,
}
_QUALITATIVE_MET = {Status.ACHIEVED: True, Status.IN_PROGRESS: None, Status.NOT_ACHIEVED: False}
_NUMERIC_COMPARATORS = frozenset({"gte", "gt", "lte", "lt", "eq", "range"})
_MEASURES = frozenset({"level", "cumulative", "new", "per_year"})
_QUALIFIERS = frozenset({"", "gte", "gt", "lte", "lt"})
_UPWARD = frozenset({"gte", "gt"})
_DOWNWARD = frozenset({"lte", "lt"})
_SYMBOLS = {"gte": "≥", "gt": ">", "lte": "≤", "lt": "<", "eq": "=", "range": "≥"}
_QUALIFIER_WORDS = {"gte": "以上", "gt": "超过", "lte": "以下", "lt": "不到"}

# One fixed context for divisions, so results do not depend on the caller's decimal context.
_CTX = Context(prec=28, rounding=ROUND_HALF_EVEN)
# The same context rounding half up: _CTX_HALF_UP.quantize(x, q) is what _round4 does.
_CTX_HALF_UP = Context(prec=28, rounding=ROUND_HALF_UP)
_Q4 = Decimal("0.0001")
_ZERO = Decimal(0)
_ONE = Decimal(1)
_HALF = Decimal("0.5")


@dataclass(frozen=True)
class Thresholds:
    """Share of the elapsed time that progress must reach (Eurostat SDG assessment)."""

    on_track: Decimal = Decimal("0.95")
    lagging: Decimal = Decimal("0.60")

    def __post_init__(self):
        if not _ZERO <= self.lagging <= self.on_track:
            raise ValueError("Thresholds need 0 <= lagging <= on_track.")


DEFAULT_THRESHOLDS = Thresholds()


@dataclass(frozen=True)
class TargetTerms:
    """One target: year T, comparator, value t (and value_max for a range), direction, measure."""

    year: int
    comparator: str
    value: Decimal | None
    value_max: Decimal | None
    direction: str
    measure: str


class Observation(NamedTuple):
    """One approved yearly actual of the indicator for the region (any (year, value,
    qualifier) triple serves as one)."""

    year: int
    value: Decimal
    qualifier: str = ""


class Baseline(NamedTuple):
    """The baseline b, stated for the year y0 (any (year, value) pair serves as one)."""

    year: int
    value: Decimal


class Result(NamedTuple):
    """A target judged at one year, with the figures that decided."""

    status: Status
    rule: int  # the §3 rule that decided, 1-10; QUALITATIVE_RULE (0) for a qualitative target
    met: bool | None
    actual: Decimal | None  # the a used: for 新增 the running sum
    actual_qualifier: str
    baseline_value: Decimal | None
    baseline_year: int | None
    completion: Decimal | None
    progress: Decimal | None
    elapsed: Decimal | None
    projected_value: Decimal | None
    projected_met: bool | None
    note: str


# ---------------------------------------------------------------------------------------------
# Sets of values as intervals: (lo, lo_closed, hi, hi_closed), None for an infinite end.

_Interval = tuple[Decimal | None, bool, Decimal | None, bool]


def _actual_interval(value: Decimal, qualifier: str) -> _Interval:
    """Every value a reported figure allows: "98以上" allows [98, ∞)."""
    if qualifier == "":
        return (value, True, value, True)
    if qualifier == "gte":
        return (value, True, None, False)
    if qualifier == "gt":
        return (value, False, None, False)
    if qualifier == "lte":
        return (None, False, value, True)
    if qualifier == "lt":
        return (None, False, value, False)
    raise ValueError(f"Unknown qualifier {qualifier!r}.")


def _decimal_places(value: Decimal) -> int:
    """Significant decimal places, trailing zeros dropped: 98.500000 → 1, 100.000000 → 0."""
    exponent = value.normalize(_CTX).as_tuple().exponent
    return max(0, -exponent) if isinstance(exponent, int) else 0


def _target_interval(comparator: str, t: Decimal) -> _Interval:
    """Every value that meets the target."""
    if comparator in ("gte", "range"):
        return (t, True, None, False)
    if comparator == "gt":
        return (t, False, None, False)
    if comparator == "lte":
        return (None, False, t, True)
    if comparator == "lt":
        return (None, False, t, False)
    if comparator == "eq":
        # a meets t when a rounded half up (away from zero) to t's places equals t.
        half = _HALF.scaleb(-_decimal_places(t))
        if t >= 0:
            return (t - half, True, t + half, False)
        return (t - half, False, t + half, True)
    raise ValueError(f"Unknown comparator {comparator!r}.")


def _ends_before(hi: Decimal | None, hi_closed: bool, lo: Decimal | None, lo_closed: bool):
    """Whether an interval ending at hi lies entirely below one starting at lo."""
    if hi is None or lo is None:
        return False
    return hi < lo or (hi == lo and not (hi_closed and lo_closed))


def _judge(allowed: _Interval, target: _Interval) -> bool | None:
    """True when every allowed value meets, False when none does, None otherwise."""
    a_lo, a_lo_closed, a_hi, a_hi_closed = allowed
    t_lo, t_lo_closed, t_hi, t_hi_closed = target
    if _ends_before(a_hi, a_hi_closed, t_lo, t_lo_closed) or _ends_before(
        t_hi, t_hi_closed, a_lo, a_lo_closed
    ):
        return False
    lower_inside = t_lo is None or (
        a_lo is not None and (a_lo > t_lo or (a_lo == t_lo and (t_lo_closed or not a_lo_closed)))
    )
    upper_inside = t_hi is None or (
        a_hi is not None and (a_hi < t_hi or (a_hi == t_hi and (t_hi_closed or not a_hi_closed)))
    )
    return True if lower_inside and upper_inside else None


def _meets(value: Decimal, comparator: str, t: Decimal) -> bool:
    """An exact value judged by the target's comparator."""
    return bool(_judge((value, True, value, True), _target_interval(comparator, t)))


# ---------------------------------------------------------------------------------------------
# Arithmetic helpers


def _round4(value: Decimal) -> Decimal:
    rounded = value.quantize(_Q4, rounding=ROUND_HALF_UP, context=_CTX)
    return abs(rounded) if rounded == 0 else rounded  # no "-0.0000"


def _ratio(numerator: Decimal, denominator: Decimal) -> Decimal | None:
    if denominator == 0:
        return None
    return _round4(_CTX.divide(numerator, denominator))


def _elapsed(y: int, y0: int | None, target_year: int) -> Decimal | None:
    """序时进度 e = (y - y0) / (T - y0), clipped to [0, 1]; 1 when T == y0."""
    if y0 is None:
        return None
    if target_year == y0:
        return _round4(_ONE)
    e = _CTX.divide(Decimal(y - y0), Decimal(target_year - y0))
    return _round4(min(_ONE, max(_ZERO, e)))


def _lower_is_better(terms: TargetTerms) -> bool:
    if terms.comparator in ("lte", "lt"):
        return True
    if terms.comparator == "eq":
        return terms.direction == "lower"
    return False


def _fmt(value: Decimal | None) -> str:
    """The value without trailing zeros: format(value.normalize(_CTX), "f")."""
    if value is None:
        return "-"
    text = str(value)
    # Plain digits (no exponent, at most 28 of them, so normalize would not round): dropping
    # the trailing zeros of the string gives the same text, several times faster.
    if len(text) > 28 or "E" in text or not text[-1].isdigit():
        return format(value.normalize(_CTX), "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def _terms_text(terms: TargetTerms) -> str:
    text = f"{_SYMBOLS[terms.comparator]} {_fmt(terms.value)}"
    if terms.comparator == "range":
        text += f" (range {_fmt(terms.value)}~{_fmt(terms.value_max)})"
    return text


def _actual_text(value: Decimal, qualifier: str) -> str:
    if qualifier == MIXED_QUALIFIER:
        return f"{_fmt(value)} (sum of bounds pointing both ways)"
    return _fmt(value) + _QUALIFIER_WORDS.get(qualifier, "")


def _years_text(years: list[int]) -> str:
    return ", ".join(str(year) for year in years)


# ---------------------------------------------------------------------------------------------
# The status rules


# Status members, looked up once (an enum attribute costs a lookup through the class).
_NO_DATA, _INDETERMINATE, _ACHIEVED = Status.NO_DATA, Status.INDETERMINATE, Status.ACHIEVED
_NOT_ACHIEVED, _OFF_TRACK, _REGRESSING = Status.NOT_ACHIEVED, Status.OFF_TRACK, Status.REGRESSING
_INSUFFICIENT_DATA, _ON_TRACK, _LAGGING = (
    Status.INSUFFICIENT_DATA,
    Status.ON_TRACK,
    Status.LAGGING,
)


@dataclass(slots=True)
class _Target:
    """What the verdicts of one series need from its target, worked out once."""

    year: int  # T
    per_year: bool
    text: str  # "≥ 35", "≥ 1 (range 1~3)"
    no_data: str  # the head of rule 1's note
    on_track: Decimal
    lagging: Decimal
    on_track_text: str
    lagging_text: str


@dataclass(slots=True)
class _Start:
    """Where a series starts from: the baseline b in year y0, as the rules read it."""

    year: int  # y0
    value: Decimal  # b
    text: str  # b as the notes write it
    met: bool  # b already meets the target, t = b included (rule 5)
    gap: Decimal  # t - b, the divisor of progress


def _verdict(
    target: _Target,
    year: int,
    a: Decimal | None,
    qualifier: str,
    met: bool | None,
    start: _Start | None,
    elapsed: Decimal | None,
    progress: Decimal | None,
) -> tuple[Status, int, str]:
    """The status at `year` by DOMAIN.md §3: the first rule that applies, its number, and a
    note naming it with the figures that decided. The rules are written here and nowhere
    else; the figures come from evaluate_series()."""
    if a is None:
        return _NO_DATA, 1, f"{target.no_data}{year}"
    actual = _fmt(a) if qualifier == "" else _actual_text(a, qualifier)
    if met is None:
        note = f"rule 2: actual {actual} neither surely meets nor surely fails {target.text}"
        return _INDETERMINATE, 2, note
    if met:
        return _ACHIEVED, 3, f"rule 3: actual {actual} meets {target.text}"
    if target.per_year:
        note = f"rule 4: 每年 target, {year} judged alone: {actual} fails {target.text}"
        return _NOT_ACHIEVED, 4, note
    if year >= target.year:
        note = f"rule 4: {year} ≥ target year {target.year}: {actual} fails {target.text}"
        return _NOT_ACHIEVED, 4, note
    if start is not None and start.met:
        note = (
            f"rule 5: baseline {start.text} ({start.year}) already met {target.text},"
            f" actual {actual}"
        )
        return _OFF_TRACK, 5, note
    if start is None:
        return _INSUFFICIENT_DATA, 6, "rule 6: no baseline"
    if not elapsed:
        note = f"rule 6: elapsed 0 (baseline year {start.year}, year {year})"
        return _INSUFFICIENT_DATA, 6, note
    figures = f"a {actual}, b {start.text} ({start.year}), target {target.text}"
    if progress < 0:
        return _REGRESSING, 7, f"rule 7: progress {progress!s} < 0; {figures}"
    bar = target.on_track * elapsed
    if progress >= bar:
        status, rule = _ON_TRACK, 8
        head = f"rule 8: progress {progress!s} ≥ {target.on_track_text}"
    else:
        bar = target.lagging * elapsed
        if progress >= bar:
            status, rule = _LAGGING, 9
            head = f"rule 9: progress {progress!s} ≥ {target.lagging_text}"
        else:
            status, rule = _OFF_TRACK, 10
            head = f"rule 10: progress {progress!s} < {target.lagging_text}"
    return status, rule, f"{head} × elapsed {elapsed!s} = {_kept_text(bar)}; {figures}"


# ---------------------------------------------------------------------------------------------
# The figures, year by year
#
# evaluate_series() walks the years of a series once: the observations are checked and sorted
# once, and the running 新增 sum, the baseline and the least-squares sums of the projection
# grow as the years advance; what depends on the target alone (its interval, its text) is
# worked out once. evaluate() is the series of one year.


# How an exact value is judged against a one-sided target: what _judge gives for the
# interval [a, a] (eq keeps the general path: its interval depends on t's precision).
_EXACT_COMPARISONS = {
    "gte": operator.ge,
    "range": operator.ge,
    "gt": operator.gt,
    "lte": operator.le,
    "lt": operator.lt,
}


# Kept values (each cache is emptied when it grows past 4096 entries; none depends on the
# caller's decimal context): elapsed by (year, y0, T), Decimal(n) of the least-squares
# denominators, _fmt() of the thresholds and of the bars of rules 8-10.
_ELAPSED: dict[tuple[int, int, int], Decimal] = {}
_DECIMAL_INTS: dict[int, Decimal] = {}
_KEPT_TEXTS: dict[Decimal, str] = {}


def _kept_text(value: Decimal) -> str:
    """_fmt() of a value that recurs: a threshold, or a bar of rules 8-10 (a threshold times
    an elapsed). Such values are never negative, so equal values (hence equal keys) have the
    same text."""
    text = _KEPT_TEXTS.get(value)
    if text is None:
        if len(_KEPT_TEXTS) > 4096:
            _KEPT_TEXTS.clear()
        text = _KEPT_TEXTS[value] = _fmt(value)
    return text


def _qualitative(qualitative_status: str | None) -> Result:
    if not qualitative_status:
        status, note = Status.NO_DATA, "qualitative: no judgement recorded"
    else:
        try:
            status = _QUALITATIVE_STATUSES[qualitative_status]
        except KeyError:
            raise ValueError(f"Unknown qualitative status {qualitative_status!r}.") from None
        note = f"qualitative: recorded as {status.value}"
    met = _QUALITATIVE_MET.get(status)
    return Result(
        status, QUALITATIVE_RULE, met, None, "", None, None, None, None, None, None, None, note
    )


def _sum_qualifier(qualifiers: set[str]) -> str:
    up, down = qualifiers & _UPWARD, qualifiers & _DOWNWARD
    if up and down:
        return MIXED_QUALIFIER
    if up:
        return "gt" if "gt" in up else "gte"
    if down:
        return "lt" if "lt" in down else "lte"
    return ""


def evaluate_series(
    terms: TargetTerms,
    *,
    years: Iterable[int],
    period_start: int,
    observations: Iterable[Observation],
    baseline: Baseline | None,
    qualitative_statuses: Mapping[int, str] | None = None,
    thresholds: Thresholds = DEFAULT_THRESHOLDS,
) -> list[Result]:
    """Judge the target at each of the years, from the approved actuals (any years, any order;
    Observations or plain (year, value, qualifier) triples); the Results in the order given.

    baseline: the plan's, or None. qualitative_statuses maps a year to the
    status a person recorded for it (qualitative targets). Raises ValueError for a malformed
    target, an unknown qualifier or two actuals for one year (up to the last year asked).
    """
    years = list(years)
    if not years:
        return []
    comparator, measure = terms.comparator, terms.measure
    if comparator == "qualitative":
        statuses = qualitative_statuses or {}
        return [_qualitative(statuses.get(year)) for year in years]
    if comparator not in _NUMERIC_COMPARATORS:
        raise ValueError(f"Unknown comparator {comparator!r}.")
    if measure not in _MEASURES:
        raise ValueError(f"Unknown measure {measure!r}.")
    t = terms.value
    if t is None:
        raise ValueError("A numeric target needs a value.")
    target_year = terms.year
    last = max(years)
    known: dict[int, tuple[Decimal, str]] = {}
    for year, value, qualifier in observations:
        if year > last:
            continue
        if year in known:
            raise ValueError(f"Two approved actuals for {year}.")
        if qualifier not in _QUALIFIERS:
            raise ValueError(f"Unknown qualifier {qualifier!r} for {year}.")
        known[year] = (value, qualifier)

    is_new = measure == "new"
    # Built once per series, and a recompute judges 150,000 series: by position (keywords
    # would double the cost), in the order of _Target's fields.
    target = _Target(
        target_year,
        measure == "per_year",
        _terms_text(terms),
        "rule 1: no approved yearly value for " if is_new else "rule 1: no approved actual for ",
        thresholds.on_track,
        thresholds.lagging,
        _kept_text(thresholds.on_track),
        _kept_text(thresholds.lagging),
    )
    interval = _target_interval(comparator, t)
    # An exact value meets a one-sided target by a plain comparison (what _judge works out).
    compare = _EXACT_COMPARISONS.get(comparator)
    lower_better = _lower_is_better(terms)
    divide, quantize = _CTX.divide, _CTX_HALF_UP.quantize
    # A Result from its fields in order, without Result(...)'s keyword handling: a third of
    # its time (a recompute makes 1.5 million of them).
    new_tuple = tuple.__new__

    def starting(y0: int, b: Decimal) -> _Start:
        met = t == b or (compare(b, t) if compare else _meets(b, comparator, t))
        return _Start(y0, b, _fmt(b), met, t - b)  # by position, as _Target

    # What grows with the years: the known years taken in so far (those <= the year), the
    # least-squares sums over the projection points, the 新增 running sum and its gaps.
    pending = sorted(known)
    taken, n_known = 0, len(pending)
    n = sx = sxx = 0
    sy = sxy = _ZERO
    remark = ""  # "; baseline = earliest actual (y0)" once the baseline is an actual
    running, qualifiers, missing, next_year = _ZERO, set(), [], period_start
    y0: int | None
    b: Decimal | None
    if is_new:
        y0, b = period_start - 1, _ZERO
    elif baseline is not None:
        y0, b = baseline
    else:
        y0 = b = None
    start = None
    if y0 is not None:
        start = starting(y0, b)
        dx = y0 - target_year
        n, sx, sxx = 1, dx, dx * dx
        sy += b
        sxy += dx * b

    ordered = sorted(set(years))
    results = []
    for year in ordered:
        while taken < n_known and pending[taken] <= year:
            k = pending[taken]
            taken += 1
            value = known[k][0]
            if is_new:
                if k < period_start:
                    continue
                running += value
                qualifiers.add(known[k][1])
                value = running
            elif y0 is None:
                if k >= period_start:
                    y0, b = k, value
                    start = starting(y0, b)
                    remark = f"; baseline = earliest actual ({k})"
                    dx = k - target_year
                    n, sx, sxx = 1, dx, dx * dx
                    sy += b
                    sxy += dx * b
                continue
            elif k <= y0:
                continue
            dx = k - target_year
            n += 1
            sx += dx
            sxx += dx * dx
            sy += value
            sxy += dx * value
        if y0 is None:
            elapsed = None
        else:
            elapsed = _ELAPSED.get((year, y0, target_year))
            if elapsed is None:
                if len(_ELAPSED) > 4096:
                    _ELAPSED.clear()
                elapsed = _ELAPSED[(year, y0, target_year)] = _elapsed(year, y0, target_year)

        qualifier = ""
        if is_new:
            while next_year <= year:
                if next_year not in known:
                    missing.append(next_year)
                next_year += 1
            if year in known:
                a = running
                qualifier = _sum_qualifier(qualifiers)
                remark = f"; 新增 sum {period_start}-{year}"
                if missing:
                    remark += f"; no value for {_years_text(missing)}, left out"
            else:
                a, remark = None, ""
        else:
            observed = known.get(year)
            if observed is None:
                a = None
            else:
                a, qualifier = observed

        met = completion = progress = projected = projected_met = None
        if a is not None:
            if qualifier == "" and compare is not None:
                met = compare(a, t)
            elif qualifier != MIXED_QUALIFIER:
                met = _judge(_actual_interval(a, qualifier), interval)
            # _ratio(): a quotient rounded half up to 4 places, never "-0.0000".
            if lower_better:
                completion = None if not a else quantize(divide(t, a), _Q4)
            else:
                completion = None if not t else quantize(divide(a, t), _Q4)
            if completion is not None and not completion:
                completion = abs(completion)
            if start is not None and start.gap:
                progress = quantize(divide(a - b, start.gap), _Q4)
                if not progress:
                    progress = abs(progress)
            if y0 is not None and n >= 2:
                denominator = n * sxx - sx * sx
                if denominator != 0:
                    divisor = _DECIMAL_INTS.get(denominator)
                    if divisor is None:
                        if len(_DECIMAL_INTS) > 4096:
                            _DECIMAL_INTS.clear()
                        divisor = _DECIMAL_INTS[denominator] = Decimal(denominator)
                    projected = quantize(divide(sy * sxx - sx * sxy, divisor), _Q4)
                    if not projected:
                        projected = abs(projected)
                    projected_met = (
                        compare(projected, t) if compare else _meets(projected, comparator, t)
                    )

        status, rule, note = _verdict(target, year, a, qualifier, met, start, elapsed, progress)
        results.append(
            new_tuple(Result, (
                status, rule, met, a, qualifier, b, y0, completion, progress, elapsed, projected,
                projected_met, note + remark,
            ))
        )  # fmt: skip
    if ordered == years:
        return results
    found = dict(zip(ordered, results, strict=True))
    return [found[year] for year in years]


def evaluate(
    terms: TargetTerms,
    *,
    year: int,
    period_start: int,
    observations: Iterable[Observation],
    baseline: Baseline | None,
    qualitative_status: str | None = None,
    thresholds: Thresholds = DEFAULT_THRESHOLDS,
) -> Result:
    """Judge the target at one year: evaluate_series() of that year alone."""
    (result,) = evaluate_series(
        terms,
        years=[year],
        period_start=period_start,
        observations=observations,
        baseline=baseline,
        qualitative_statuses={year: qualitative_status} if qualitative_status else None,
        thresholds=thresholds,
    )
    return result


def rollup(statuses: Iterable[tuple[Status | str, bool]]) -> dict:
    """A plan's roll-up from (status, is_numeric) pairs, one per indicator.

    counts: every Status (in declaration order) with its number of indicators;
    indicators: all of them; achieved: numeric targets achieved; with_data: numeric targets
    whose status is not no_data; achievement_rate (达标率) = achieved / with_data, rounded to
    4 places, None when with_data is 0.
    """
    counts = dict.fromkeys(Status, 0)
    indicators = achieved = with_data = 0
    for status, is_numeric in statuses:
        status = Status(status)
        counts[status] += 1
        indicators += 1
        if is_numeric and status != Status.NO_DATA:
            with_data += 1
            if status == Status.ACHIEVED:
                achieved += 1
    rate = _ratio(Decimal(achieved), Decimal(with_data)) if with_data else None
    return {
        "counts": counts,
        "indicators": indicators,
        "achieved": achieved,
        "with_data": with_data,
        "achievement_rate": rate,
    }
