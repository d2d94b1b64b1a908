"""The 变更记录 sheet: what people changed (figures entered, approved, returned, years locked,
targets, baselines and indicators edited), field by field, in words.

Changes no person made (loading plan files, sample data) are summed up in one line per load:
who, when, what file, how many rows of each kind; row by row only on request.
"""

from collections import Counter, defaultdict
from datetime import timedelta

from django.utils import timezone

from accounts.scope import scope_actuals
from indicators import wording
from indicators.models import Actual, Baseline, Indicator, PlanYear, Target
from indicators.services.plans import LOAD_REASON
from regions.models import Department, Region

from .workbook import SheetWriter

COLUMNS = [
    ("时间", 17),
    ("用户", 12),
    ("对象", 8),
    ("规划", 14),
    ("指标编码", 10),
    ("指标名称", 24),
    ("区划/年份", 14),
    ("字段", 12),
    ("原值", 24),
    ("新值", 24),
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
        "explanation",
        "next_steps",
        "qualitative_status",
        "evidence",
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
    Indicator: ["name", "category", "unit", "direction", "measure", "department"],
    PlanYear: ["is_locked", "due_date", "unlock_reason"],
}
KIND = {
    Actual: "实际值",
    Target: "目标值",
    Baseline: "基期值",
    Indicator: "指标",
    PlanYear: "年度",
}
ACTION = {"+": "新增", "~": "修改", "-": "删除"}
SYSTEM = "系统"
# Records of one load lie this close together; a later one starts another load.
LOAD_GAP = timedelta(minutes=1)
# The figures said at the indicator's precision, with its unit.
FIGURES = {"value", "value_max"}


def _plan_path(model):
    return "plan" if model in (Indicator, PlanYear) else "indicator__plan"


def _history(model, plans, user):
    records = model.history.model.objects.filter(**{f"{_plan_path(model)}__in": plans})
    if model is Actual:
        visible = scope_actuals(Actual.objects.filter(indicator__plan__in=plans), user)
        records = records.filter(id__in=visible.values("pk"))
    return records


class Words:
    """A field's value as a person reads it: choices by their names, figures at the
    indicator's precision with its unit, yes or no, departments by name."""

    def __init__(self, indicator_ids):
        self.units = dict(Indicator.objects.filter(pk__in=indicator_ids).values_list("pk", "unit"))
        figures = defaultdict(list)
        for model in (Target, Baseline):
            for indicator_id, value in model.objects.filter(
                indicator__in=indicator_ids
            ).values_list("indicator_id", "value"):
                figures[indicator_id].append(value)
        self.places = {pk: wording.precision(*values) for pk, values in figures.items()}
        self.departments = dict(Department.objects.values_list("pk", "name"))
        self.choices = {}
        for model, fields in TRACKED.items():
            for name in fields:
                field = model._meta.get_field(name)
                if field.choices:
                    self.choices[model, name] = {k: str(v) for k, v in field.flatchoices}

    def __call__(self, model, name, value, indicator_id):
        if value is None or value == "":
            return ""
        if (model, name) in self.choices:
            return self.choices[model, name].get(value, str(value))
        if name in FIGURES:
            places = max(self.places.get(indicator_id, 0), wording.decimal_places(value))
            return wording.quantity(value, self.units.get(indicator_id, ""), places)
        if name == "department":
            return self.departments.get(value, "")
        if isinstance(value, bool):
            return "是" if value else "否"
        return str(value)


def _changed(plans, user, *, by_people):
    """The indicators whose history the sheet lists row by row: those some person changed
    (`by_people`), or all that have a history."""
    changed = set()
    for model in TRACKED:
        if model is not PlanYear:
            records = _history(model, plans, user)
            if by_people:
                records = records.exclude(history_user=None)
            changed.update(
                records.values_list(
                    "id" if model is Indicator else "indicator_id", flat=True
                ).distinct()
            )
    return changed


def _field(model, name):
    return "department_id" if name == "department" else name


def write_change_log(wb, *, plans, user, with_load_detail=False, header=""):
    sheet = SheetWriter(wb, "变更记录", COLUMNS, header=f"{header} · 变更记录")
    if not with_load_detail:
        for line in load_summaries(plans, user):
            sheet.append(line)
    words = Words(_changed(plans, user, by_people=not with_load_detail))
    regions = dict(Region.objects.values_list("pk", "name"))
    for model, fields in TRACKED.items():
        names = {f: str(model._meta.get_field(f).verbose_name) for f in fields}
        indicator_of = "id" if model is Indicator else "indicator_id"
        previous = None
        records = (
            _history(model, plans, user)
            .select_related("history_user", _plan_path(model))
            .order_by("id", "history_date", "history_id")
            .iterator(chunk_size=2000)
        )
        for record in records:
            if previous is not None and previous.id != record.id:
                previous = None
            person = record.history_user
            if person is None and not with_load_detail:
                previous = record  # summed up in its load's line; people's changes follow it
                continue
            common = _common(model, record, person, regions)
            indicator_id = getattr(record, indicator_of, None)
            for field in fields:
                attribute = _field(model, field)
                old = getattr(previous, attribute) if previous is not None else None
                new = getattr(record, attribute) if record.history_type != "-" else None
                if _text(old) == _text(new):
                    continue
                sheet.append(
                    [
                        *common,
                        names[field],
                        _wrapped(words(model, field, old, indicator_id)),
                        _wrapped(words(model, field, new, indicator_id)),
                        ACTION[record.history_type],
                        _wrapped(record.history_change_reason or ""),
                    ]
                )
            previous = record
    sheet.close()


def _wrapped(text):
    return {"value": text, "wrap": True}


def _text(value):
    return "" if value is None else str(value)


def _common(model, record, person, regions):
    """The columns that say when, who and what, before the field."""
    when = timezone.localtime(record.history_date).strftime("%Y-%m-%d %H:%M:%S")
    who = person.get_username() if person else SYSTEM
    if model is PlanYear:
        return [when, who, KIND[model], record.plan.slug, "", "", f"{record.year}年"]
    indicator = record if model is Indicator else record.indicator
    plan = record.plan if model is Indicator else indicator.plan
    if model is Actual:
        where = f"{regions.get(record.region_id, '')}/{record.year}年"
    elif model is Indicator:
        where = ""
    else:
        where = f"{record.year}年"
    return [when, who, KIND[model], plan.slug, indicator.code, indicator.name, where]


def load_summaries(plans, user):
    """One line per load of a plan by no person: when it began, the file the plan comes from,
    and how many rows of each kind it added, changed or deleted."""
    events = defaultdict(list)  # (plan id, reason) -> [(time, kind, action)]
    for model in TRACKED:
        plan_id = f"{_plan_path(model)}_id"
        for plan, reason, when, action in (
            _history(model, plans, user)
            .filter(history_user=None)
            .values_list(plan_id, "history_change_reason", "history_date", "history_type")
        ):
            events[plan, reason or ""].append((when, KIND[model], action))
    by_pk = {p.pk: p for p in plans}
    lines = []
    for (plan_id, reason), happened in events.items():
        happened.sort()
        start = 0
        for n in range(1, len(happened) + 1):
            if n == len(happened) or happened[n][0] - happened[n - 1][0] > LOAD_GAP:
                lines.append(_load_line(by_pk[plan_id], reason, happened[start:n]))
                start = n
    lines.sort(key=lambda line: (line[0], line[3]))
    return lines


def _load_line(plan, reason, happened):
    counts = Counter((action, kind) for _, kind, action in happened)
    said = [
        f"{ACTION[action]}{kind} {counts[action, kind]} 条"
        for action in ACTION
        for kind in KIND.values()
        if counts[action, kind]
    ]
    what = "、".join(said)
    if reason == LOAD_REASON and plan.seed_file:
        what = f"来源文件 {plan.seed_file}:{what}"
    when = timezone.localtime(happened[0][0]).strftime("%Y-%m-%d %H:%M:%S")
    return [when, SYSTEM, "规划", plan.slug, "", "", "", "载入", "", _wrapped(what), "载入", reason]
