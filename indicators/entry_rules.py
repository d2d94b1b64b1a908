"""Checks on one figure a clerk enters, shared by the form, the upload and the command."""

from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

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


@dataclass
class EntryCheck:
    figure: Figure | None = None
    year_errors: list[str] = field(default_factory=list)  # the year is locked or out of the plan
    value_errors: list[str] = field(default_factory=list)
    note_errors: list[str] = field(default_factory=list)
    suspicion: str = ""

    @property
    def errors(self):
        return self.year_errors + self.value_errors + self.note_errors


def check_entry(
    text: str,
    *,
    unit: str,
    measure: str,
    year: int,
    period_start: int,
    period_end: int,
    locked: bool,
    history: list[Decimal],
    note: str,
    qualitative: bool = False,
    qualitative_status: str = "",
) -> EntryCheck:
    """Parse and judge one entered figure. `history`: earlier approved values, oldest first."""
    result = EntryCheck(note_errors=text_length_errors(note))
    if locked:
        result.year_errors.append(
            _("%(year)d年已锁定,不能修改;如需更正请联系系统管理员解锁。") % {"year": year}
        )
    if not period_start <= year <= period_end:
        result.year_errors.append(
            _("%(year)d年不在规划期(%(start)d–%(end)d年)内。")
            % {"year": year, "start": period_start, "end": period_end}
        )
    if qualitative:
        if not qualitative_status and text.strip():
            result.value_errors.append(
                _("定性指标请选择完成情况(达标/推进中/未达标)并填写佐证材料。")
            )
        return result
    if not text.strip():
        return result
    try:
        result.figure = parse_figure(text, unit)
    except FigureError as exc:
        result.value_errors.append(str(exc))
        return result
    result.value_errors += check_figure(result.figure, unit)
    if not result.value_errors:
        # The explanation is stored with the figure, so it stays in the site's language like
        # the rest of the record; the clerk is told in their own.
        with translation.override(settings.LANGUAGE_CODE):
            result.suspicion = outlier_suspicion(
                result.figure.value, history, measure=measure, unit=unit
            )
        if result.suspicion and not note.strip():
            why = outlier_suspicion(result.figure.value, history, measure=measure, unit=unit)
            result.value_errors.append(
                _("数值可能有误:%(why)s如确认无误,请在“说明”中写明原因。") % {"why": why}
            )
    return result
