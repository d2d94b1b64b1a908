"""Is a new figure plausible? (no database access)

Against the indicator's own history, modelled on DHIS2's outlier checks: a z-score against
earlier values once there are enough of them, a min–max band before that, and a cumulative
count that falls. Against the indicator's scale: a figure ten times too big or too small
for both its target and its latest approved figure (a "万" typed or left out), or a rate
outside 0–100.
"""

from decimal import Decimal
from statistics import fmean, pstdev

from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from .values import plain_decimal

Z_SCORE_LIMIT = 3.0
MIN_POINTS_FOR_Z_SCORE = 3
# Percentage points a rate may move beyond its historic range before it looks odd.
RATE_BAND = Decimal(10)


def suspicion(value: Decimal, history: list[Decimal], *, measure: str, unit: str) -> str:
    """Why the value looks wrong, in the active language; "" when it looks fine.

    `history` holds the indicator's earlier approved figures for the same region,
    oldest first.
    """
    if not history:
        return ""
    last = history[-1]
    if measure == "cumulative" and value < last:
        return _("累计值 %(value)s 低于上一年的 %(last)s,累计数通常不会下降。") % {
            "value": value,
            "last": last,
        }
    low, high = min(history), max(history)
    band = RATE_BAND if unit == "%" else max(high - low, max(abs(low), abs(high)) / 2)
    if len(history) >= MIN_POINTS_FOR_Z_SCORE:
        # A history that barely moved (figures rising steadily toward a target) says little
        # about how far the next one may move: the spread is taken as at least a third of
        # the band, so that a z-score never flags a figure within the band of the mean.
        mean = fmean(map(float, history))
        spread = max(pstdev(map(float, history)), float(band) / Z_SCORE_LIMIT)
        if spread > 0:
            z = (float(value) - mean) / spread
            if abs(z) > Z_SCORE_LIMIT:
                return _("与历史数据相比偏离过大(z 值 %(z).1f,历史均值 %(mean).2f)。") % {
                    "z": z,
                    "mean": mean,
                }
            return ""
    if value < low - band or value > high + band:
        return _("超出历史数据范围(%(low)s–%(high)s)较多。") % {"low": low, "high": high}
    return ""


# How far off the indicator's scale a figure may be before it looks like a slip of the unit.
SCALE_FACTOR = Decimal(10)


def is_rate(name: str, unit: str) -> bool:
    """A rate (率) counted in percent: its figures lie between 0 and 100."""
    return unit == "%" or (unit == "" and "率" in name)


def scale_suspicion(
    value: Decimal, *, target: Decimal | None, latest: Decimal | None, rate: bool
) -> str:
    """Why the value is off the indicator's scale, in the active language; "" when it is not.

    `target`: the target's value (for a 新增 target, its share of one year); `latest`: the
    latest approved figure before this one. The value is suspicious when it is more than
    SCALE_FACTOR times, or less than a SCALE_FACTOR-th of, every one of them that is known
    and positive; with neither known there is nothing to compare with. A rate outside
    0–100 is suspicious whatever the references.
    """
    if rate and not Decimal(0) <= value <= Decimal(100):
        return _("比率通常在 0 到 100 之间,填写的是 %(value)s。") % {"value": plain_decimal(value)}
    references = [
        (label, reference)
        for label, reference in ((_("目标"), target), (_("最近审核值"), latest))
        if reference is not None and reference > 0
    ]
    if not references:
        return ""
    named = pgettext("list separator", "、").join(
        f"{label} {plain_decimal(reference)}" for label, reference in references
    )
    if all(value > reference * SCALE_FACTOR for _label, reference in references):
        return _("数值 %(value)s 超过%(references)s的 10 倍,请核对单位(如“万”“亿”)。") % {
            "value": plain_decimal(value),
            "references": named,
        }
    if all(value * SCALE_FACTOR < reference for _label, reference in references):
        return _("数值 %(value)s 不到%(references)s的十分之一,请核对单位(如“万”“亿”)。") % {
            "value": plain_decimal(value),
            "references": named,
        }
    return ""
