"""Read figures as people write them: "98.5%", "98以上", "９８．５", "1,234", "3.5万"."""

import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation, localcontext

# What the figure columns hold (Actual, Target and Baseline .value are numeric(20, 6), Actual.raw
# 200 characters): a figure beyond these is refused with a message, never sent to the database.
MAX_INTEGER_DIGITS = 14
MAX_DECIMAL_PLACES = 6
MAX_RAW_LENGTH = 200
_SMALLEST_STEP = Decimal(1).scaleb(-MAX_DECIMAL_PLACES)

# Qualifier words, longest first so that "不少于" wins over "少于".
_SUFFIX_QUALIFIERS = [("以上", "gte"), ("以下", "lte"), ("以内", "lte")]
_PREFIX_QUALIFIERS = [
    ("不少于", "gte"),
    ("不低于", "gte"),
    ("不超过", "lte"),
    ("不高于", "lte"),
    ("达到", ""),
    ("超过", "gt"),
    ("多于", "gt"),
    ("高于", "gt"),
    ("大于", "gt"),
    ("少于", "lt"),
    ("低于", "lt"),
    ("小于", "lt"),
    ("不到", "lt"),
    (">=", "gte"),
    ("≥", "gte"),
    ("<=", "lte"),
    ("≤", "lte"),
    (">", "gt"),
    ("<", "lt"),
    ("达", ""),
]
_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)$")
_GROUPED = re.compile(r"^[+-]?\d{1,3}(,\d{3})+(\.\d+)?$")


def gettext_noop(message):
    """Mark a message for makemessages; FigureError translates it when it is read."""
    return message


def _(message):
    """Django's gettext, imported only when a message is made: the plan extractor reads
    figures with this module and no Django at all."""
    from django.utils.translation import gettext

    return gettext(message)


class FigureError(ValueError):
    """A figure that cannot be read; the message is for the person who typed it.

    It is translated when read, not when raised: the plan extractor parses figures without
    Django (and drops the message).
    """

    def __init__(self, message, **params):
        super().__init__(message)
        self.message, self.params = message, params

    def __str__(self):
        from django.conf import settings

        message = _(self.message) if settings.configured else self.message
        return message % self.params


@dataclass(frozen=True)
class Figure:
    value: Decimal
    qualifier: str  # "" exact, or gte / gt / lte / lt
    raw: str
    percent: bool = False


def parse_figure(text: str, unit: str = "") -> Figure:
    """Parse one figure; raise FigureError with a message for the clerk when it is not one.

    "万" and "亿" multiply the number, unless the indicator's unit is itself counted in
    them (unit "万件": "3.5万" is 3.5).
    """
    raw = (text or "").strip()
    if not raw:
        raise FigureError(gettext_noop("请填写数值。"))
    if len(raw) > MAX_RAW_LENGTH:
        raise FigureError(
            gettext_noop("数值过长(%(count)d 个字符),最多 %(max)d 个字符。"),
            count=len(raw),
            max=MAX_RAW_LENGTH,
        )
    # NFKC turns full-width digits and punctuation ("９８．５", "％") into ASCII.
    s = unicodedata.normalize("NFKC", raw).replace(" ", "").replace("\u3000", "")
    s = s.replace("。", ".")
    qualifier = ""
    for word, q in _PREFIX_QUALIFIERS:
        if s.startswith(word):
            s, qualifier = s[len(word) :], q
            break
    for word, q in _SUFFIX_QUALIFIERS:
        if s.endswith(word):
            if qualifier:
                raise FigureError(
                    gettext_noop("“%(raw)s”同时写了两个限定词,请只保留一个。"), raw=raw
                )
            s, qualifier = s[: -len(word)], q
            break
    percent = s.endswith("%")
    if percent:
        s = s[:-1]
    multiplier = Decimal(1)
    for word, factor in (("万", Decimal(10000)), ("亿", Decimal(100000000))):
        if s.endswith(word):
            s = s[: -len(word)]
            if not unit.startswith(word):
                multiplier = factor
            break
    if _GROUPED.match(s):
        s = s.replace(",", "")
    if not _NUMBER.match(s):
        raise FigureError(
            gettext_noop("“%(raw)s”不是有效的数值,请填写如 98.5、98.5%%、98以上 或 3.5万。"),
            raw=raw,
        )
    try:
        with localcontext(prec=len(s) + 10):  # exact: no digit of what was typed is rounded away
            value = Decimal(s) * multiplier
    except InvalidOperation as exc:  # pragma: no cover - the pattern above admits only numbers
        raise FigureError(gettext_noop("“%(raw)s”不是有效的数值。"), raw=raw) from exc
    if not fits_column(value):
        raise FigureError(
            gettext_noop(
                "“%(raw)s”超出可保存的范围:整数部分最多 %(digits)d 位,小数最多 %(places)d 位。"
            ),
            raw=raw,
            digits=MAX_INTEGER_DIGITS,
            places=MAX_DECIMAL_PLACES,
        )
    return Figure(value=plain_decimal(value), qualifier=qualifier, raw=raw, percent=percent)


def fits_column(value: Decimal) -> bool:
    """Whether a figure can be stored as it is: finite, with at most MAX_INTEGER_DIGITS digits
    before the point and MAX_DECIMAL_PLACES after it."""
    if not value.is_finite():
        return False
    if value and value.adjusted() >= MAX_INTEGER_DIGITS:
        return False
    return value == value.quantize(_SMALLEST_STEP)


def plain_decimal(value: Decimal) -> Decimal:
    """Drop trailing zeros without switching to exponent notation (35000.0 -> 35000)."""
    return Decimal(format(value.normalize(), "f"))


# Units that count whole things: a fractional figure in them is a typing error.
WHOLE_UNITS = {"个", "项", "家", "件", "张", "座", "所", "台", "次", "人", "条", "处", "批次", "批"}


def check_figure(figure: Figure, unit: str) -> list[str]:
    """What is wrong with a figure for an indicator in this unit (messages for the clerk)."""
    problems = []
    if figure.percent and unit != "%":
        problems.append(_("该指标单位为“%(unit)s”,不能填写百分数。") % {"unit": unit or _("无")})
    if unit == "%" and not Decimal(0) <= figure.value <= Decimal(100):
        problems.append(_("比率应在 0 到 100 之间,填写的是 %(value)s。") % {"value": figure.value})
    if figure.value < 0:
        problems.append(_("数值不能为负数,填写的是 %(value)s。") % {"value": figure.value})
    if unit in WHOLE_UNITS and figure.value != figure.value.to_integral_value():
        problems.append(
            _("单位为“%(unit)s”的数量应为整数,填写的是 %(value)s。")
            % {"unit": unit, "value": figure.value}
        )
    return problems
