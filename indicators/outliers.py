"""Is a new figure plausible against the indicator's own history? (no database access)

Modelled on DHIS2's outlier checks: a z-score against earlier values once there are
enough of them, a min–max band before that, and a cumulative count that falls.
"""

from decimal import Decimal
from statistics import fmean, pstdev

from django.utils.translation import gettext as _

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
    if len(history) >= MIN_POINTS_FOR_Z_SCORE:
        mean, spread = fmean(map(float, history)), pstdev(map(float, history))
        if spread > 0:
            z = (float(value) - mean) / spread
            if abs(z) > Z_SCORE_LIMIT:
                return _("与历史数据相比偏离过大(z 值 %(z).1f,历史均值 %(mean).2f)。") % {
                    "z": z,
                    "mean": mean,
                }
            return ""
    low, high = min(history), max(history)
    band = RATE_BAND if unit == "%" else max(high - low, max(abs(low), abs(high)) / 2)
    if value < low - band or value > high + band:
        return _("超出历史数据范围(%(low)s–%(high)s)较多。") % {"low": low, "high": high}
    return ""
