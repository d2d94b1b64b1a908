"""Checks on a spreadsheet of actual figures (admin upload and command alike); the writes are
`services.actuals.actual_import_row` and `services.imports.actuals_import`."""

from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from accounts.scope import region_allowed, scope_indicators
from regions.models import Region

from .entry_rules import check_entry, text_length_errors
from .models import Actual, Baseline, Indicator
from .selectors import approved_history, year_is_locked
from .values import Figure, FigureError, check_figure, parse_figure

COLUMNS = ["plan", "indicator", "region", "year", "value", "note"]
# The source of a baseline (基期值) uploaded as a row for a year before the plan period.
BASELINE_SOURCE = "导入"
# Chinese headings a clerk may use instead of the column codes.
COLUMN_ALIASES = {
    "规划": "plan",
    "规划标识": "plan",
    "指标": "indicator",
    "指标编码": "indicator",
    "区划": "region",
    "区划代码": "region",
    "年份": "year",
    "数值": "value",
    "本年数值": "value",
    "说明": "note",
}
# The template's headings: part of the file's format, so not translated.
COLUMN_LABELS = {
    "plan": "规划标识",
    "indicator": "指标编码",
    "region": "区划代码",
    "year": "年份",
    "value": "数值",
    "note": "说明",
}


def canonical_header(name):
    name = str(name or "").strip()
    return COLUMN_ALIASES.get(name, name.lower())


@dataclass
class ResolvedRow:
    """One spreadsheet row: what it refers to and what is wrong with it, by column."""

    indicator: Indicator | None = None
    region: Region | None = None
    year: int | None = None
    existing: Actual | None = None
    check: object = None
    note: str = ""
    skip: bool = False  # nothing entered, or the same figure as already stored
    baseline: Baseline | None = None  # a year before the plan period: stored as a baseline
    figure: Figure | None = None  # the baseline's figure
    errors: dict[str, list[str]] = field(default_factory=dict)

    def fail(self, column, message):
        self.errors.setdefault(column, []).append(message)


def _text(row, column):
    value = row.get(column)
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def resolve_row(user, row, *, approve, seen):
    """Check one row (a dict keyed by COLUMNS); `seen` collects keys to find duplicates."""
    result = ResolvedRow(note=_text(row, "note"))
    plan_slug, code = _text(row, "plan"), _text(row, "indicator")
    if not plan_slug:
        result.fail("plan", _("请填写规划标识。"))
    if not code:
        result.fail("indicator", _("请填写指标编码。"))
    if plan_slug and code:
        result.indicator = _indicator(result, plan_slug, code)
        if (
            result.indicator is not None
            and not scope_indicators(
                Indicator.objects.filter(pk=result.indicator.pk), user
            ).exists()
        ):
            result.fail(
                "indicator", _("指标“%(code)s”不属于您所在的单位,不能填报。") % {"code": code}
            )
    region_code = _text(row, "region")
    if region_code:
        result.region = Region.objects.filter(code=region_code).first()
        if result.region is None:
            result.fail("region", _("没有代码为“%(code)s”的区划。") % {"code": region_code})
    elif result.indicator is not None:
        result.region = result.indicator.plan.region
    if result.region is not None and not region_allowed(user, result.region):
        result.fail("region", _("您无权填报“%(region)s”的数据。") % {"region": result.region.name})
    year_text = _text(row, "year")
    try:
        result.year = int(year_text)
    except ValueError:
        result.fail("year", _("年份“%(year)s”不是有效的年份。") % {"year": year_text})
    if result.errors:
        return result
    value_text = _text(row, "value")
    if not value_text and not result.note:
        result.skip = True  # a template line left blank
        return result

    key = (result.indicator.pk, result.region.pk, result.year)
    if key in seen:
        result.fail(
            "indicator",
            _("与第 %(row)s 行重复(同一指标、区划和年份)。") % {"row": seen[key]},
        )
    seen.setdefault(key, row.get("_row_number"))
    if result.year < result.indicator.plan.period_start:
        return _baseline_row(user, result, value_text)
    result.existing = Actual.objects.filter(
        indicator=result.indicator, region=result.region, year=result.year
    ).first()
    existing = result.existing
    if (
        existing is not None
        and (existing.raw, existing.note) == (value_text, result.note)
        and (existing.status == Actual.Status.APPROVED or not approve)
    ):
        result.skip = True  # unchanged: typically a prefilled template line
        return result
    if existing is not None and existing.status == Actual.Status.APPROVED:
        result.fail("value", _("该数值已审核,不能通过导入修改;如需更正,请联系审核人员退回。"))
    plan = result.indicator.plan
    result.check = check_entry(
        value_text,
        unit=result.indicator.unit,
        measure=result.indicator.measure,
        year=result.year,
        period_start=plan.period_start,
        period_end=plan.period_end,
        locked=year_is_locked(plan, result.year),
        history=approved_history(result.indicator, result.region, result.year),
        note=result.note,
    )
    if not value_text:
        result.fail("value", _("请填写数值。"))
    for message in result.check.year_errors:
        result.fail("year", message)
    for message in result.check.value_errors:
        result.fail("value", message)
    for message in result.check.note_errors:
        result.fail("note", message)
    return result


def _indicator(result, plan_slug, text):
    """The plan's indicator with the code `text`, else the one with that exact name."""
    indicators = (
        Indicator.objects.select_related("plan__region", "department")
        .prefetch_related("targets")
        .filter(plan__slug=plan_slug)
    )
    found = indicators.filter(code=text).first()
    if found is None:
        named = list(indicators.filter(name=text)[:2])
        if len(named) > 1:
            result.fail(
                "indicator",
                _("规划“%(plan)s”中有多项指标名为“%(name)s”,请填写指标编码。")
                % {"plan": plan_slug, "name": text},
            )
            return None
        found = named[0] if named else None
    if found is None:
        result.fail(
            "indicator",
            _("规划“%(plan)s”中没有编码或名称为“%(code)s”的指标。")
            % {"plan": plan_slug, "code": text},
        )
    return found


def _baseline_row(user, result, value_text):
    """A row for a year before the plan period (its base year, or earlier): a baseline of the
    indicator, which is the plan's own region's (baselines have no region of their own)."""
    indicator, plan = result.indicator, result.indicator.plan
    if not user.has_perms(["indicators.add_baseline", "indicators.change_baseline"]):
        result.fail(
            "year",
            _("%(year)d年在规划期(%(start)d–%(end)d年)之前,将作为基期值导入;您无权导入基期值。")
            % {"year": result.year, "start": plan.period_start, "end": plan.period_end},
        )
    if result.region != plan.region:
        result.fail(
            "region",
            _(
                "%(year)d年在规划期之前,按基期值导入;基期值只记录规划所在区划"
                "(%(plan_region)s)的数值,不能导入“%(region)s”的基期值。"
            )
            % {"year": result.year, "plan_region": plan.region.name, "region": result.region.name},
        )
    if indicator.is_qualitative:
        result.fail("indicator", _("定性指标没有基期值。"))
    for message in text_length_errors(result.note):
        result.fail("note", message)
    try:
        result.figure = parse_figure(value_text, indicator.unit)
    except FigureError as exc:
        result.fail("value", str(exc))
    else:
        for message in check_figure(result.figure, indicator.unit):
            result.fail("value", message)
    if result.errors:
        return result
    baseline = Baseline.objects.filter(
        indicator=indicator, year=result.year, source_ref=BASELINE_SOURCE
    ).first()
    if baseline is not None and baseline.raw == result.figure.raw:
        result.skip = True  # the same figure as already stored
    result.baseline = baseline or Baseline(
        indicator=indicator, year=result.year, source_ref=BASELINE_SOURCE
    )
    return result


class UploadError(ValueError):
    """An upload refused before it is read; the message is for the clerk."""


# An XLSX is a zip archive; one that inflates far beyond its size is a zip bomb.
MAX_UNZIPPED_BYTES = 100 * 1024 * 1024
MAX_COMPRESSION_RATIO = 200


def too_big_message(size, max_bytes):
    """The refusal of a file over the size limit (the admin form says it before reading)."""
    return _("文件过大(%(size).1f MB),上限为 %(max).0f MB。") % {
        "size": size / 1024 / 1024,
        "max": max_bytes / 1024 / 1024,
    }


def check_upload(name, data, *, max_bytes, max_rows=None):
    """Refuse files that are too big, of another type, or malformed archives (no ORM)."""
    import io
    import zipfile

    suffix = name.lower().rsplit(".", 1)[-1] if "." in name else ""
    if suffix not in ("xlsx", "csv"):
        raise UploadError(_("只接受 .xlsx 或 .csv 文件,上传的是“%(name)s”。") % {"name": name})
    if len(data) > max_bytes:
        raise UploadError(too_big_message(len(data), max_bytes))
    if suffix == "xlsx":
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                unzipped = sum(info.file_size for info in archive.infolist())
                if "[Content_Types].xml" not in archive.namelist():
                    raise UploadError(
                        _("该文件不是有效的 XLSX 工作簿,请用 Excel 或 WPS 另存为 .xlsx 后再上传。")
                    )
        except zipfile.BadZipFile as exc:
            raise UploadError(_("该文件不是有效的 XLSX 工作簿(文件已损坏或格式不符)。")) from exc
        if unzipped > MAX_UNZIPPED_BYTES or unzipped > MAX_COMPRESSION_RATIO * max(len(data), 1):
            raise UploadError(_("该 XLSX 文件解压后体积异常(疑似压缩炸弹),已拒绝。"))
    elif max_rows is not None:
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise UploadError(_("CSV 文件须为 UTF-8 编码,请另存为“CSV UTF-8”后再上传。")) from exc
        if text.count("\n") > max_rows + 1:
            raise UploadError(_("行数超过上限 %(max)d 行,请分批上传。") % {"max": max_rows})
