"""Checks on a spreadsheet of actual figures (admin upload and command alike); the writes are
`services.actuals.actual_import_row` and `services.imports.actuals_import`."""

from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from accounts.scope import region_allowed, scope_indicators
from regions.models import Region

from .entry_rules import check_entry
from .models import Actual, Indicator
from .selectors import approved_history, year_is_locked

COLUMNS = ["plan", "indicator", "region", "year", "value", "note"]
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
    result = ResolvedRow(note=_text(row, "note"))
    plan_slug, code = _text(row, "plan"), _text(row, "indicator")
    if not plan_slug:
        result.fail("plan", _("请填写规划标识。"))
    if not code:
        result.fail("indicator", _("请填写指标编码。"))
    if plan_slug and code:
        result.indicator = (
            Indicator.objects.select_related("plan__region", "department")
            .prefetch_related("targets")
            .filter(plan__slug=plan_slug, code=code)
            .first()
        )
        if result.indicator is None:
            result.fail(
                "indicator",
                _("规划“%(plan)s”中没有编码为“%(code)s”的指标。")
                % {"plan": plan_slug, "code": code},
            )
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
    seen.setdefault(key, row.get("_row_number"))
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
