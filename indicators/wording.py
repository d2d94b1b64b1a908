"""How results are said to people (DOMAIN.md §5), for every surface that a person reads.

Targets as the plan words them, rates as percentages with one decimal, values at the
indicator's precision with its unit, 新增 / 累计 / 每年 figures said as sums or as the year's
own figure, statuses by name and shape, and the reason for a status (判定依据) as one sentence
with the numbers that decided it. Plain values in, text out: no request, no ORM. Every word
goes through gettext, so the text follows the active language (Chinese by default, English
under `en`); the plan's own wording ("96%以上") is quoted as it stands in either language.
"""

import re
from decimal import ROUND_HALF_UP, Decimal
from typing import NamedTuple

from django.conf import settings
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from .attainment import Status
from .models import AttainmentStatus

DASH = "—"

# One shape per status, so that a status is never told by colour alone.
SHAPES = {
    Status.ACHIEVED: "✔",
    Status.ON_TRACK: "▲",
    Status.LAGGING: "◆",
    Status.OFF_TRACK: "✖",
    Status.REGRESSING: "▼",
    Status.NOT_ACHIEVED: "■",
    Status.INSUFFICIENT_DATA: "?",
    Status.INDETERMINATE: "≈",
    Status.IN_PROGRESS: "◐",
    Status.NO_DATA: "○",
}

# Units written straight after the number; every other unit follows a space ("7 项").
_CLOSE_UNITS = {"%", "‰"}
# A target whose printed text is a bare number (a table cell) has no wording of its own.
_BARE_NUMBER = re.compile(r"^\s*\d+(\.\d+)?\s*$")


def status_label(status):
    """The status by its name of DOMAIN.md §3 (已达标, 符合序时进度 …)."""
    return str(AttainmentStatus(str(status)).label)


def status_text(status):
    """Shape and name: "▲ 符合序时进度"."""
    return f"{SHAPES[Status(str(status))]} {status_label(status)}"


# ---------------------------------------------------------------------------------------------
# Numbers


def decimal_places(value):
    """The decimal places of a figure as written, trailing zeros dropped: 98.500 → 1."""
    if value is None:
        return 0
    exponent = Decimal(value).normalize().as_tuple().exponent
    return max(0, -exponent) if isinstance(exponent, int) else 0


def precision(*values, given=None):
    """The places an indicator's figures are said at: `given` where there is one, else the
    most decimal places of its targets and baselines as written."""
    if given is not None:
        return given
    return max((decimal_places(v) for v in values if v is not None), default=0)


def number(value, places):
    """The value rounded half up to `places` decimals, never "-0"."""
    rounded = Decimal(value).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    if rounded == 0:
        rounded = abs(rounded)
    return f"{rounded:f}"


def quantity(value, unit="", places=0):
    """A value with its unit: "96.1%", "7 项", "2500"."""
    text = number(value, places)
    if not unit:
        return text
    return f"{text}{unit}" if unit in _CLOSE_UNITS else f"{text} {unit}"


def percent(ratio, places=1):
    """A rate or a ratio (完成率, 目标进度, 序时进度) as a percentage: 0.9611 → "96.1%"."""
    if ratio is None:
        return DASH
    return number(Decimal(ratio) * 100, places) + "%"


def figure(value, unit="", places=0, *, apart_from=None):
    """A computed figure (a projection, a sum) at the indicator's precision, with more places
    where rounding would make it read as the target it differs from."""
    if value is None:
        return DASH
    value = Decimal(value)
    if apart_from is not None:
        apart_from = Decimal(apart_from)
        while places < 4 and value != apart_from and Decimal(number(value, places)) == apart_from:
            places += 1
    return quantity(value, unit, places)


# ---------------------------------------------------------------------------------------------
# Targets and actuals


class Terms(NamedTuple):
    """One target as the plan states it, with what its figures need to be said."""

    comparator: str
    value: Decimal | None
    year: int
    value_max: Decimal | None = None
    raw: str = ""
    qualitative_text: str = ""
    unit: str = ""
    measure: str = "level"
    period_start: int | None = None
    places: int = 0


def terms_of(target, indicator, *, places: int) -> Terms:
    """The Terms of a target (anything with a Target's fields) of `indicator` (its unit,
    measure and plan's first year)."""
    return Terms(
        comparator=target.comparator,
        value=target.value,
        year=target.year,
        value_max=target.value_max,
        raw=target.raw,
        qualitative_text=target.qualitative_text,
        unit=indicator.unit,
        measure=indicator.measure,
        period_start=indicator.plan.period_start,
        places=places,
    )


def _built_target(terms):
    q = quantity(terms.value, terms.unit, terms.places)
    c = terms.comparator
    if c == "gte":
        return _("不低于 %(value)s") % {"value": q}
    if c == "gt":
        return _("超过 %(value)s") % {"value": q}
    if c == "lte":
        return _("不超过 %(value)s") % {"value": q}
    if c == "lt":
        return _("低于 %(value)s") % {"value": q}
    if c == "eq":
        return _("保持 %(value)s") % {"value": q}
    if c == "range":
        return _("%(low)s~%(high)s") % {
            "low": number(terms.value, terms.places),
            "high": quantity(terms.value_max, terms.unit, terms.places),
        }
    raise ValueError(f"Unknown comparator {c!r}.")


def target_text(terms):
    """The target as the plan words it ("96%以上", "力争1~3项"); built from its comparator and
    value where the plan prints a bare number or nothing ("不低于 98%"); a qualitative target
    as its text."""
    if terms.comparator == "qualitative":
        return terms.qualitative_text or terms.raw or DASH
    if terms.raw and not _BARE_NUMBER.match(terms.raw):
        return terms.raw
    return _built_target(terms)


def _bounded(value_text, qualifier):
    """A reported figure with its qualifier: "98%以上", "不到 5 家"."""
    if qualifier == "gte":
        return _("%(value)s以上") % {"value": value_text}
    if qualifier == "gt":
        return _("超过 %(value)s") % {"value": value_text}
    if qualifier == "lte":
        return _("%(value)s以下") % {"value": value_text}
    if qualifier == "lt":
        return _("不到 %(value)s") % {"value": value_text}
    if qualifier == "mixed":  # a 新增 sum of figures bounded in both directions
        return _("约 %(value)s") % {"value": value_text}
    return value_text


def actual_text(terms, value, qualifier="", *, year):
    """The actual judged at `year`, said as what it is: "2021年以来累计新增 7 项" (a 新增 sum),
    "累计 2500 家", "2024年当年 350 家" (a 每年 target's own year), "98%以上" (a bound).
    Never fewer places than the figure was entered with."""
    if value is None:
        return DASH
    places = max(terms.places, decimal_places(value))
    said = _bounded(quantity(value, terms.unit, places), qualifier)
    if terms.measure == "new":
        return _("%(start)d年以来累计新增 %(value)s") % {"start": terms.period_start, "value": said}
    if terms.measure == "cumulative":
        return _("累计 %(value)s") % {"value": said}
    if terms.measure == "per_year":
        return _("%(year)d年当年 %(value)s") % {"year": year, "value": said}
    return said


def projection_text(terms, value, met):
    """The projected value at the target year and whether it would meet the target."""
    if value is None:
        return DASH
    said = figure(value, terms.unit, terms.places, apart_from=terms.value)
    if met is True:
        return _("%(year)d年预计 %(value)s,可达标") % {"year": terms.year, "value": said}
    if met is False:
        return _("%(year)d年预计 %(value)s,难以达标") % {"year": terms.year, "value": said}
    return _("%(year)d年预计 %(value)s") % {"year": terms.year, "value": said}


# ---------------------------------------------------------------------------------------------
# The reason for a status (判定依据)

_TENTHS = "一二三四五六七八九"


def current_thresholds():
    """(on track share, lagging share) of DOMAIN.md §3 rules 8 and 9, from the settings."""
    return (
        Decimal(str(settings.ATTAINMENT_ON_TRACK_SHARE)),
        Decimal(str(settings.ATTAINMENT_LAGGING_SHARE)),
    )


def _share(share):
    """A share of the time elapsed: 九成五 / 六成 in Chinese, else a percentage."""
    hundredths = share * 100
    if (
        (get_language() or "").startswith("zh")
        and 0 < share < 1
        and hundredths == hundredths.to_integral_value()
        and hundredths % 5 == 0
        and hundredths >= 10
    ):
        tenths, rest = divmod(int(hundredths), 10)
        return f"{_TENTHS[tenths - 1]}成" + ("五" if rest else "")
    return number(hundredths, decimal_places(hundredths)) + "%"


def _compared(progress, *bars):
    """Progress and the bars it was held against (share × elapsed) as percentages, with two
    decimals where one would make progress read the same as a bar it differs from."""
    places = 1
    if any(progress != bar and percent(progress) == percent(bar) for bar in bars):
        places = 2
    return [percent(progress, places), *(percent(bar, places) for bar in bars)]


def rule_of(status, comparator):
    """The rule of DOMAIN.md §3 that gives `status` (0: a qualitative target), where only one
    can; None for 严重滞后, which rules 5 and 10 both give."""
    if comparator == "qualitative":
        return 0
    return {
        Status.NO_DATA: 1,
        Status.INDETERMINATE: 2,
        Status.ACHIEVED: 3,
        Status.NOT_ACHIEVED: 4,
        Status.INSUFFICIENT_DATA: 6,
        Status.REGRESSING: 7,
        Status.ON_TRACK: 8,
        Status.LAGGING: 9,
    }.get(Status(str(status)))


def reason(
    terms,
    *,
    rule,
    status,
    year,
    actual=None,
    actual_qualifier="",
    baseline_value=None,
    baseline_year=None,
    progress=None,
    elapsed=None,
    thresholds=None,
):
    """判定依据: one sentence with the numbers that decided the status.

    rule: the number of the rule of DOMAIN.md §3 that decided (1-10, 0 for a qualitative
    target), None where it was not recorded: it is then told by the status where only one
    rule gives it, and the sentence says the figures and the status otherwise.
    thresholds: (on track share, lagging share), by default the settings.
    """
    status = Status(str(status))
    if rule is None:
        rule = rule_of(status, terms.comparator)
    on_share, lag_share = thresholds or current_thresholds()
    words = {
        "status": status_label(status),
        "year": year,
        "target": target_text(terms),
        "target_year": terms.year,
        "actual": actual_text(terms, actual, actual_qualifier, year=year),
    }
    if baseline_value is not None:
        places = max(terms.places, decimal_places(baseline_value))
        words["baseline"] = quantity(baseline_value, terms.unit, places)
        words["baseline_year"] = baseline_year
    if progress is not None:
        words["progress"] = percent(progress)
    if elapsed is not None:
        words["elapsed"] = percent(elapsed)

    if rule == 0:
        if status == Status.NO_DATA:
            return _("定性目标,%(year)d年尚未填报完成情况") % words
        return _("定性目标,%(year)d年经审核的完成情况为%(status)s") % words
    if rule == 1:
        return _("%(year)d年尚无审核通过的实际值,判为%(status)s") % words
    if rule == 2:
        return _("实际 %(actual)s,目标 %(target)s,无法判定是否达到") % words
    if rule == 3:
        return _("实际 %(actual)s,达到目标 %(target)s,判为%(status)s") % words
    if rule == 4:
        if terms.measure == "per_year":
            return _("每年目标逐年评价:%(actual)s,未达到当年目标 %(target)s,判为%(status)s") % words
        return (
            _(
                "已到目标年份 %(target_year)d 年,实际 %(actual)s,"
                "未达到目标 %(target)s,判为%(status)s"
            )
            % words
        )
    if rule == 5 and "baseline" in words:
        return (
            _(
                "基期(%(baseline_year)d年)%(baseline)s 已达到目标 %(target)s,"
                "%(year)d年实际 %(actual)s 未能保持,判为%(status)s"
            )
            % words
        )
    if rule == 6:
        if "baseline" not in words:
            return _("没有基期值,无法计算目标进度,判为%(status)s") % words
        return _("评价年份即基期年份(%(year)d年),序时进度为 0,判为%(status)s") % words
    if rule == 7 and "baseline" in words and "progress" in words:
        return (
            _(
                "实际 %(actual)s 较基期(%(baseline_year)d年)%(baseline)s 反向变化,"
                "目标进度 %(progress)s,判为%(status)s"
            )
            % words
        )
    if rule in (8, 9, 10) and progress is not None and elapsed is not None:
        # Rule 8 holds progress against the on-track bar, 10 against the lagging bar, 9 both.
        shares = {8: [on_share], 9: [on_share, lag_share], 10: [lag_share]}[rule]
        progress, elapsed = Decimal(progress), Decimal(elapsed)
        words["progress"], *bars = _compared(progress, *(s * elapsed for s in shares))
        words["bar"], words["share"] = bars[-1], _share(shares[-1])
        if rule == 8:
            return (
                _(
                    "目标进度 %(progress)s,达到序时进度 %(elapsed)s 的%(share)s(%(bar)s),"
                    "判为%(status)s"
                )
                % words
            )
        if rule == 10:
            return (
                _(
                    "目标进度 %(progress)s,低于序时进度 %(elapsed)s 的%(share)s(%(bar)s),"
                    "判为%(status)s"
                )
                % words
            )
        words["on_bar"], words["on_share"] = bars[0], _share(on_share)
        return (
            _(
                "目标进度 %(progress)s,低于序时进度 %(elapsed)s 的%(on_share)s(%(on_bar)s),"
                "达到其%(share)s(%(bar)s),判为%(status)s"
            )
            % words
        )
    # Not told apart by the status alone (严重滞后 by rule 5 or 10): the figures and the status.
    if "progress" in words and "elapsed" in words:
        return (
            _(
                "实际 %(actual)s,目标 %(target)s,目标进度 %(progress)s,"
                "序时进度 %(elapsed)s,判为%(status)s"
            )
            % words
        )
    return _("实际 %(actual)s,目标 %(target)s,判为%(status)s") % words


# ---------------------------------------------------------------------------------------------
# Everything a surface shows for one stored result


class Said(NamedTuple):
    target: str
    actual: str
    completion: str
    progress: str
    elapsed: str
    projection: str
    status: str  # the name
    shape: str
    reason: str


def say(
    terms,
    *,
    status,
    rule,
    year,
    actual=None,
    actual_qualifier="",
    baseline_value=None,
    baseline_year=None,
    completion=None,
    progress=None,
    elapsed=None,
    projected_value=None,
    projected_met=None,
    thresholds=None,
):
    """One stored result (the fields of an attainment result) as a person reads it."""
    return Said(
        target=target_text(terms),
        actual=actual_text(terms, actual, actual_qualifier, year=year),
        completion=percent(completion),
        progress=percent(progress),
        elapsed=percent(elapsed),
        projection=projection_text(terms, projected_value, projected_met),
        status=status_label(status),
        shape=SHAPES[Status(str(status))],
        reason=reason(
            terms,
            rule=rule,
            status=status,
            year=year,
            actual=actual,
            actual_qualifier=actual_qualifier,
            baseline_value=baseline_value,
            baseline_year=baseline_year,
            progress=progress,
            elapsed=elapsed,
            thresholds=thresholds,
        ),
    )
