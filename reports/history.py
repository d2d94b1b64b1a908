"""The 变更记录 sheet: every change to actuals, targets and baselines, field by field."""

from django.utils import timezone

from accounts.scope import scope_actuals
from indicators.models import Actual, Baseline, Target
from regions.models import Region

from .workbook import SheetWriter

COLUMNS = [
    ("时间", 18),
    ("用户", 12),
    ("对象", 8),
    ("规划", 14),
    ("指标编码", 10),
    ("指标名称", 30),
    ("区划/年份", 14),
    ("字段", 12),
    ("原值", 18),
    ("新值", 18),
    ("操作", 8),
    ("原因", 30),
]
TRACKED = {
    Actual: [
        "year",
        "value",
        "qualifier",
        "raw",
        "status",
        "note",
        "qualitative_status",
        "evidence",
        "explanation",
        "next_steps",
        "return_reason",
    ],
    Target: [
        "year",
        "comparator",
        "value",
        "value_max",
        "raw",
        "qualitative_text",
        "source_ref",
        "source_text",
    ],
    Baseline: ["year", "value", "raw", "source_ref", "source_text"],
}
KIND = {Actual: "实际值", Target: "目标值", Baseline: "基期值"}
ACTION = {"+": "新增", "~": "修改", "-": "删除"}


def _text(value):
    return "" if value is None else str(value)


def _records(model, plans, user):
    history = model.history.model
    records = history.objects.filter(indicator__plan__in=plans)
    if model is Actual:
        visible = scope_actuals(Actual.objects.filter(indicator__plan__in=plans), user)
        records = records.filter(id__in=visible.values("pk"))
    return (
        records.select_related("history_user", "indicator__plan")
        .order_by("id", "history_date", "history_id")
        .iterator(chunk_size=2000)
    )


def write_change_log(wb, *, plans, user):
    sheet = SheetWriter(wb, "变更记录", COLUMNS)
    region_codes = dict(Region.objects.values_list("pk", "code"))
    for model, fields in TRACKED.items():
        field_names = {f: str(model._meta.get_field(f).verbose_name) for f in fields}
        previous = None
        for record in _records(model, plans, user):
            if previous is not None and previous.id != record.id:
                previous = None
            where = (
                f"{region_codes.get(record.region_id)}/{record.year}"
                if model is Actual
                else str(record.year)
            )
            common = [
                timezone.localtime(record.history_date).strftime("%Y-%m-%d %H:%M:%S"),
                record.history_user.get_username() if record.history_user else "系统",
                KIND[model],
                record.indicator.plan.slug,
                record.indicator.code,
                record.indicator.name,
                where,
            ]
            for field in fields:
                old = getattr(previous, field) if previous is not None else None
                new = getattr(record, field) if record.history_type != "-" else None
                if _text(old) == _text(new):
                    continue
                sheet.append(
                    [
                        *common,
                        field_names[field],
                        _text(old),
                        _text(new),
                        ACTION[record.history_type],
                        record.history_change_reason or "",
                    ]
                )
            previous = record
    sheet.close()
