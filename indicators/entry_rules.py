"""Checks on one figure a clerk enters, shared by the form, the upload and the command."""

from dataclasses import dataclass, field
from decimal import Decimal

from .outliers import suspicion as outlier_suspicion
from .values import Figure, FigureError, check_figure, parse_figure


@dataclass
class EntryCheck:
    figure: Figure | None = None
    year_errors: list[str] = field(default_factory=list)  # the year is locked or out of the plan
    value_errors: list[str] = field(default_factory=list)
    suspicion: str = ""

    @property
    def errors(self):
        return self.year_errors + self.value_errors


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
    result = EntryCheck()
    if locked:
        result.year_errors.append(f"{year}年已锁定,不能修改;如需更正请联系系统管理员解锁。")
    if not period_start <= year <= period_end:
        result.year_errors.append(f"{year}年不在规划期({period_start}–{period_end}年)内。")
    if qualitative:
        if not qualitative_status and text.strip():
            result.value_errors.append("定性指标请选择完成情况(达标/推进中/未达标)并填写佐证材料。")
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
        result.suspicion = outlier_suspicion(
            result.figure.value, history, measure=measure, unit=unit
        )
        if result.suspicion and not note.strip():
            result.value_errors.append(
                f"数值可能有误:{result.suspicion}如确认无误,请在“说明”中写明原因。"
            )
    return result
