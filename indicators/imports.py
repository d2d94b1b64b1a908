"""Checks on a spreadsheet of actual figures (admin upload and command alike); the writes are
`services.actuals.actual_import_row` and `services.imports.actuals_import`."""

import csv
import io
import re
import zipfile
import zlib
from dataclasses import dataclass, field

from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext

from accounts.scope import region_allowed, scope_indicators
from regions.models import Region

from .entry_rules import TEXT_MAX_LENGTH, TEXT_TOO_LONG, check_entry, text_length_errors
from .models import Actual, Baseline, Indicator, Plan, PlanYear
from .values import Figure, FigureError, check_figure, parse_figure
from .worklists import approved_figures, standings

COLUMNS = ["plan", "indicator", "region", "year", "value", "note", "explanation", "next_steps"]
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
    "情况说明": "explanation",
    "下一步措施": "next_steps",
}
# The template's headings: part of the file's format, so not translated.
COLUMN_LABELS = {
    "plan": "规划标识",
    "indicator": "指标编码",
    "region": "区划代码",
    "year": "年份",
    "value": "数值",
    "note": "说明",
    "explanation": "情况说明",
    "next_steps": "下一步措施",
}


REQUIRED_COLUMNS = ["plan", "indicator", "year", "value"]
# The longest text each column may hold: what the database stores, and a note, 情况说明 or
# 下一步措施 of at most NOTE_MAX_CHARS characters.
NOTE_MAX_CHARS = TEXT_MAX_LENGTH
COLUMN_MAX_CHARS = {
    "plan": Plan._meta.get_field("slug").max_length,
    "indicator": Indicator._meta.get_field("code").max_length,
    "region": Region._meta.get_field("code").max_length,
    "year": 10,
    "value": Actual._meta.get_field("raw").max_length,
    "note": NOTE_MAX_CHARS,
    "explanation": NOTE_MAX_CHARS,
    "next_steps": NOTE_MAX_CHARS,
}
# Control characters other than tab and line breaks: PostgreSQL refuses NUL, and the others
# break the spreadsheets the figures are exported to.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def canonical_header(name):
    name = str(name or "").strip()
    return COLUMN_ALIASES.get(name, name.lower())


@dataclass(frozen=True)
class ImportProblem:
    """One problem of an upload, where the clerk finds it in the file: the row as the
    spreadsheet numbers it (the heading row is 第1行), the column by position (第1列 is
    column A) and heading. Neither for a problem of the whole file."""

    message: str
    row: int | None = None
    column: int | None = None
    heading: str = ""

    def __str__(self):
        if self.row and self.column:
            where = _("第%(row)d行 第%(column)d列(%(heading)s)") % {
                "row": self.row,
                "column": self.column,
                "heading": self.heading,
            }
        elif self.row:
            where = _("第%(row)d行") % {"row": self.row}
        else:
            return self.message
        return f"{where}:{self.message}"


def sheet_row(number):
    """The spreadsheet's row number of the `number`-th data row (the headings are row 1)."""
    return number + 1


def file_problems(headings, rows, *, max_rows):
    """What is wrong with an upload as a whole, before any row is read: no headings, a
    required column missing or given twice, too many rows. `headings` as in the file."""
    canonical = [canonical_header(h) for h in headings or []]
    if not any(canonical):
        return [ImportProblem(_("文件是空的,或第1行没有列名。"))]
    problems = []
    if rows > max_rows:
        problems.append(
            ImportProblem(
                _("行数(%(n)d)超过上限 %(max)d 行,请分批上传。") % {"n": rows, "max": max_rows}
            )
        )
    missing = [c for c in REQUIRED_COLUMNS if c not in canonical]
    if missing:
        separator = pgettext("list separator", "、")
        names = separator.join(f"{c}({COLUMN_LABELS[c]})" for c in missing)
        problems.append(ImportProblem(_("表格缺少必需的列:%(names)s。") % {"names": names}, row=1))
    for position, name in enumerate(canonical, 1):
        if name in COLUMNS and canonical.index(name) + 1 != position:
            problems.append(
                ImportProblem(
                    _("与前面的列重复,请只保留一列。"),
                    row=1,
                    column=position,
                    heading=str(headings[position - 1]),
                )
            )
    return problems


def _cell_problems(result, row):
    """Text no column can hold: too long, or with control characters."""
    for column, limit in COLUMN_MAX_CHARS.items():
        text = _text(row, column)
        if len(text) > limit:
            result.fail(column, TEXT_TOO_LONG % {"limit_value": limit, "show_value": len(text)})
        elif _CONTROL.search(text):
            result.fail(column, _("含有无法保存的控制字符,请删除后再上传。"))


@dataclass
class ResolvedRow:
    """One spreadsheet row: what it refers to and what is wrong with it, by column."""

    indicator: Indicator | None = None
    region: Region | None = None
    year: int | None = None
    existing: Actual | None = None
    check: object = None
    note: str = ""
    explanation: str = ""  # 情况说明
    next_steps: str = ""  # 下一步措施
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


def _check_scope(result, person, *, uploader):
    """Whether `person` may work on the row's indicator and region: the user who imports, or
    the `uploader` named as the one who entered the figures."""
    indicator, region = result.indicator, result.region
    if (
        indicator is not None
        and not scope_indicators(Indicator.objects.filter(pk=indicator.pk), person).exists()
    ):
        if uploader:
            message = _("指标“%(code)s”不属于填报人“%(user)s”所在的单位。")
        else:
            message = _("指标“%(code)s”不属于您所在的单位,不能填报。")
        result.fail("indicator", message % {"code": indicator.code, "user": person.username})
    if region is not None and not region_allowed(person, region):
        if uploader:
            message = _("填报人“%(user)s”无权填报“%(region)s”的数据。")
        else:
            message = _("您无权填报“%(region)s”的数据。")
        result.fail("region", message % {"region": region.name, "user": person.username})


def resolve_row(user, row, *, approve, seen, entered_by=None):
    """Check one row (a dict keyed by COLUMNS); `seen` collects keys to find duplicates.
    `entered_by`: the uploader a reviewer names when importing with approval; the row must
    be within both their parts of the data."""
    result = ResolvedRow(
        note=_text(row, "note"),
        explanation=_text(row, "explanation"),
        next_steps=_text(row, "next_steps"),
    )
    _cell_problems(result, row)
    if result.errors:
        return result
    plan_slug, code = _text(row, "plan"), _text(row, "indicator")
    if not plan_slug:
        result.fail("plan", _("请填写规划标识。"))
    if not code:
        result.fail("indicator", _("请填写指标编码。"))
    if plan_slug and code:
        result.indicator = _indicator(result, plan_slug, code)
    region_code = _text(row, "region")
    if region_code:
        result.region = Region.objects.filter(code=region_code).first()
        if result.region is None:
            result.fail("region", _("没有代码为“%(code)s”的区划。") % {"code": region_code})
    elif result.indicator is not None:
        result.region = result.indicator.plan.region
    _check_scope(result, user, uploader=False)
    if entered_by is not None:
        _check_scope(result, entered_by, uploader=True)
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
    seen.setdefault(key, sheet_row(row.get("_row_number")))
    plan = result.indicator.plan
    if result.year < plan.period_start and (
        user.has_perms(["indicators.add_baseline", "indicators.change_baseline"])
        or result.year < plan.period_start - 1
    ):
        # Someone who may write baselines writes them at once; a clerk's base-year figure is
        # reviewed like any other and becomes the baseline when approved.
        return _baseline_row(user, result, value_text)
    result.existing = Actual.objects.filter(
        indicator=result.indicator, region=result.region, year=result.year
    ).first()
    existing = result.existing
    typed = (value_text, result.note, result.explanation, result.next_steps)
    if (
        existing is not None
        and (existing.raw, existing.note, existing.explanation, existing.next_steps) == typed
        and (existing.status == Actual.Status.APPROVED or not approve)
    ):
        result.skip = True  # unchanged: typically a prefilled template line
        return result
    if existing is not None and existing.status == Actual.Status.APPROVED:
        result.fail("value", _("该数值已审核,不能通过导入修改;如需更正,请联系审核人员退回。"))
    indicator, plan = result.indicator, result.indicator.plan
    standing = standings(
        [(indicator, result.region.pk, result.year)],
        approved_figures([indicator.pk], [result.region.pk]),
    ).get((indicator.pk, result.region.pk, result.year))
    result.check = check_entry(
        value_text,
        unit=indicator.unit,
        measure=indicator.measure,
        name=indicator.name,
        year=result.year,
        period_start=plan.period_start,
        period_end=plan.period_end,
        locked=PlanYear.objects.filter(plan=plan, year=result.year, is_locked=True).exists(),
        standing=standing,
        note=result.note,
        submit=True,  # an upload is submitted (or approved) at once
        explanation=result.explanation,
        next_steps=result.next_steps,
    )
    if not value_text:
        result.fail("value", _("请填写数值。"))
    for message in result.check.year_errors:
        result.fail("year", message)
    for message in result.check.value_errors:
        result.fail("value", message)
    for message in result.check.note_errors:
        result.fail("note", message)
    for message in result.check.reason_errors:
        result.fail("explanation", message)
    return result


def _indicator(result, plan_slug, text):
    """The plan's indicator with the code `text`, else the one with that exact name."""
    indicators = (
        Indicator.objects.select_related("plan__region", "department")
        .prefetch_related("targets", "baselines")
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
            _(
                "%(year)d年在规划期(%(start)d–%(end)d年)的基期年(%(base)d年)之前,"
                "将作为基期值导入;您无权导入基期值,请联系系统管理员。"
            )
            % {
                "year": result.year,
                "start": plan.period_start,
                "end": plan.period_end,
                "base": plan.period_start - 1,
            },
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
MAX_COMPRESSION_RATIO = 200
# The start of a cell or a row in a worksheet's XML, with or without a namespace prefix.
_SHEET_ELEMENT = re.compile(rb"<(?:[A-Za-z_][\w.-]{0,31}:)?(c|row)[\s/>]")
_CHUNK = 1024 * 1024


def too_big_message(size, max_bytes):
    """The refusal of a file over the size limit (the admin form says it before reading)."""
    return _("文件过大(%(size).1f MB),上限为 %(max).0f MB。") % {
        "size": size / 1024 / 1024,
        "max": max_bytes / 1024 / 1024,
    }


def _too_many_rows(max_rows):
    return UploadError(_("行数超过上限 %(max)d 行,请分批上传。") % {"max": max_rows})


def _too_many_cells(max_cells):
    return UploadError(
        _("表格的单元格超过上限 %(max)d 个,请删去多余的行和列或分批上传。") % {"max": max_cells}
    )


UNREADABLE = gettext_lazy("文件无法读取,请确认是有效的 XLSX 文件或 UTF-8 编码的 CSV 文件。")


def upload_limits():
    """check_upload's limits, from the settings."""
    return {
        "max_bytes": settings.IMPORT_MAX_BYTES,
        "max_rows": settings.IMPORT_MAX_ROWS,
        "max_unzipped_bytes": settings.IMPORT_MAX_UNZIPPED_BYTES,
        "max_cells": settings.IMPORT_MAX_CELLS,
    }


def _no_data_rows():
    return UploadError(_("文件中没有数据行(第1行是列名,数据从第2行起)。"))


def check_upload(name, data, *, max_bytes, max_rows, max_unzipped_bytes, max_cells):
    """Refuse, before it is parsed, a file that is too big, of another type, malformed, empty,
    or that would inflate past `max_unzipped_bytes` or hold more than `max_rows` rows or
    `max_cells` cells in a sheet (no ORM)."""
    suffix = name.lower().rsplit(".", 1)[-1] if "." in name else ""
    if suffix not in ("xlsx", "csv"):
        raise UploadError(_("只接受 .xlsx 或 .csv 文件,上传的是“%(name)s”。") % {"name": name})
    if len(data) > max_bytes:
        raise UploadError(too_big_message(len(data), max_bytes))
    if suffix == "xlsx":
        _check_xlsx(
            data, max_rows=max_rows, max_unzipped_bytes=max_unzipped_bytes, max_cells=max_cells
        )
    else:
        _check_csv(data, max_rows=max_rows, max_cells=max_cells)


def _check_xlsx(data, *, max_rows, max_unzipped_bytes, max_cells):
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
            if "[Content_Types].xml" not in archive.namelist():
                raise UploadError(
                    _("该文件不是有效的 XLSX 工作簿,请用 Excel 或 WPS 另存为 .xlsx 后再上传。")
                )
            unzipped = sum(info.file_size for info in members)
            if unzipped > MAX_COMPRESSION_RATIO * max(len(data), 1):
                raise UploadError(_("该 XLSX 文件解压后体积异常(疑似压缩炸弹),已拒绝。"))
            if unzipped > max_unzipped_bytes:
                raise UploadError(
                    _("该 XLSX 文件解压后为 %(size).1f MB,超过上限 %(max).0f MB,已拒绝。")
                    % {"size": unzipped / 1024 / 1024, "max": max_unzipped_bytes / 1024 / 1024}
                )
            most_rows = 0
            for info in members:
                if info.filename.startswith("xl/worksheets/") and info.filename.endswith(".xml"):
                    with archive.open(info) as sheet:
                        rows = _count_sheet(sheet, max_rows=max_rows, max_cells=max_cells)
                    most_rows = max(most_rows, rows)
    # RuntimeError: an encrypted member, or (NotImplementedError) a compression zipfile lacks.
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, RuntimeError) as exc:
        raise UploadError(_("该文件不是有效的 XLSX 工作簿(文件已损坏或格式不符)。")) from exc
    if most_rows < 2:
        raise _no_data_rows()


def _count_sheet(sheet, *, max_rows, max_cells):
    """Count a worksheet's rows and cells from its XML as it inflates, stopping at a limit.
    A row's headings count: `max_rows` is of data rows."""
    rows = cells = 0
    carry = b""
    while chunk := sheet.read(_CHUNK):
        buffer = carry + chunk
        # Every element starts with "<": one cut before the last "<" splits none; what follows
        # it is kept only as far as a start tag can be told.
        cut = buffer.rfind(b"<")
        cut = len(buffer) if cut < 0 else cut
        for match in _SHEET_ELEMENT.finditer(buffer, 0, cut):
            if match.group(1) == b"c":
                cells += 1
            else:
                rows += 1
        carry = buffer[cut : cut + 40]
        if rows > max_rows + 1:
            raise _too_many_rows(max_rows)
        if cells > max_cells:
            raise _too_many_cells(max_cells)
    return rows


def _check_csv(data, *, max_rows, max_cells):
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise UploadError(_("CSV 文件须为 UTF-8 编码,请另存为“CSV UTF-8”后再上传。")) from exc
    if not text.strip():
        raise UploadError(_("文件是空的。"))
    # Rows numbered as the import numbers them: the headings are 第1行, blank lines skipped;
    # any line ending (CR, LF, CRLF) ends a row.
    reader = csv.reader(io.StringIO(text, newline=""))
    number, width, cells = 0, None, 0
    try:
        for record in reader:
            if not record:
                continue
            number += 1
            cells += len(record)
            if width is None:
                width = len(record)
            elif len(record) > width:
                raise UploadError(
                    _("第%(row)d行有 %(n)d 个单元格,多于表头的 %(width)d 列。")
                    % {"row": number, "n": len(record), "width": width}
                )
            if number > max_rows + 1:
                raise _too_many_rows(max_rows)
            if cells > max_cells:
                raise _too_many_cells(max_cells)
    except csv.Error as exc:
        raise UploadError(
            _("第%(row)d行无法读取:单元格过长或引号不成对。") % {"row": number + 1}
        ) from exc
    if number < 2:
        raise _no_data_rows()
