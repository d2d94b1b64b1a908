"""Read and check the plan fixture files described in fixtures/FORMAT.md (no database here:
the models are read for their fields' lengths only)."""

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path

import yaml

from regions.models import Department, Region

from .models import Actual, Baseline, CanonicalIndicator, Indicator, Plan, SourceConflict, Target
from .values import MAX_DECIMAL_PLACES, MAX_INTEGER_DIGITS, fits_column

STATEMENT_MODELS = {"baseline": Baseline, "target": Target, "actual": Actual}

DIRECTIONS = {"higher", "lower", "hold"}
MEASURES = {"level", "cumulative", "new", "per_year"}
COMPARATORS = {"gte", "gt", "lte", "lt", "eq", "range", "qualitative"}
# Region levels from the top of the tree down: a region sits below a region of a higher level.
REGION_LEVELS = ["national", "province", "city", "district"]


class PlanFileError(Exception):
    """A fixture that cannot be loaded; names the file and the record."""

    def __init__(self, path, record, message):
        self.path, self.record, self.message = Path(path), record, message
        super().__init__(f"{self.path.name}: {record}: {message}")


@dataclass
class StatementSpec:
    year: int
    raw: str
    source_ref: str
    source_text: str
    value: Decimal | None = None
    conflict: str | None = None
    # targets only
    year_implied: bool = False
    comparator: str = ""
    value_max: Decimal | None = None
    qualitative_text: str = ""


@dataclass
class IndicatorSpec:
    code: str
    name: str
    category: str
    unit: str
    direction: str
    measure: str
    department: str | None
    source_ref: str
    source_text: str
    notes: str
    baselines: list[StatementSpec] = field(default_factory=list)
    targets: list[StatementSpec] = field(default_factory=list)
    actuals: list[StatementSpec] = field(default_factory=list)


@dataclass
class PlanSpec:
    path: Path
    slug: str
    title: str
    region: str
    issuer: str
    issued_on: date | None
    period_start: int
    period_end: int
    seed_file: str
    notes: str
    departments: list[dict]
    conflicts: dict[str, str]
    indicators: list[IndicatorSpec]


# libyaml's parser where PyYAML was built with it: the same data, six times as fast.
_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _load_yaml(path):
    try:
        content = Path(path).read_bytes()
    except OSError as exc:
        raise PlanFileError(path, "file", f"cannot be read: {exc.strerror}") from exc
    try:
        text = content.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise PlanFileError(
            path,
            "file",
            f"is not UTF-8 text (byte {exc.start} is 0x{content[exc.start]:02x}); "
            "a GBK file must be saved as UTF-8",
        ) from exc
    if "\x00" in text:
        raise PlanFileError(path, "file", f"is not text (a NUL byte at {text.index(chr(0))})")
    try:
        data = yaml.load(text, Loader=_YAML_LOADER)
    except (yaml.YAMLError, ValueError, RecursionError) as exc:
        # ValueError: a value YAML reads but Python refuses, such as the date 2023-02-30.
        raise PlanFileError(path, "file", f"cannot be read as YAML: {exc}") from exc
    if not isinstance(data, dict):
        raise PlanFileError(path, "file", "top level must be a mapping")
    return data


def plan_fixture_paths(fixtures_dir):
    """The plan files of a fixtures folder, in name order."""
    return sorted((Path(fixtures_dir) / "plans").glob("*.yaml"))


class _Reader:
    """Typed access to one record of a file, failing with the record's name."""

    def __init__(self, path, record, data):
        if not isinstance(data, dict):
            raise PlanFileError(path, record, "must be a mapping")
        self.path, self.record, self.data = path, record, data

    def fail(self, message):
        raise PlanFileError(self.path, self.record, message)

    def text(self, key, *, required=True, model=None):
        """The text under `key`; `model`: the model whose field of that name stores it, to
        refuse text longer than the field holds."""
        value = self.data.get(key)
        if value is None or value == "":
            if required:
                self.fail(f"'{key}' is required")
            return ""
        if not isinstance(value, str | int | float):
            self.fail(f"'{key}' must be text")
        text = str(value).strip()
        if "\x00" in text:
            self.fail(f"'{key}' holds a NUL character")
        limit = model._meta.get_field(key).max_length if model is not None else None
        if limit is not None and len(text) > limit:
            self.fail(f"'{key}' is longer than {limit} characters ({len(text)})")
        return text

    def year(self, key):
        value = self.data.get(key)
        if not isinstance(value, int) or not 1949 <= value <= 2100:
            self.fail(f"'{key}' must be a year, got {value!r}")
        return value

    def decimal(self, key, *, required=False):
        value = self.data.get(key)
        if value is None:
            if required:
                self.fail(f"'{key}' is required")
            return None
        if isinstance(value, float):
            self.fail(f"'{key}' must be a quoted number, not a float ({value!r})")
        try:
            number = Decimal(str(value).strip())
        except InvalidOperation:
            self.fail(f"'{key}' is not a number: {value!r}")
        if not number.is_finite():
            self.fail(f"'{key}' is not a number: {value!r}")
        if not fits_column(number):
            self.fail(
                f"'{key}' has more than {MAX_INTEGER_DIGITS} digits before the point or "
                f"{MAX_DECIMAL_PLACES} after it: {value!r}"
            )
        return number

    def choice(self, key, choices):
        value = self.data.get(key)
        if value not in choices:
            self.fail(f"'{key}' must be one of {sorted(choices)}, got {value!r}")
        return value

    def records(self, key):
        value = self.data.get(key) or []
        if not isinstance(value, list):
            self.fail(f"'{key}' must be a list")
        return value


def read_regions(path):
    data = _load_yaml(path)
    regions, seen = [], {}
    for i, item in enumerate(data.get("regions") or [], start=1):
        r = _Reader(path, f"regions[{i}]", item)
        code = r.text("code", model=Region)
        level = r.choice("level", REGION_LEVELS)
        parent = r.text("parent", required=False) or None
        if parent is not None:
            if parent not in seen:
                r.fail(f"parent {parent} must be listed before {code}")
            if REGION_LEVELS.index(seen[parent]) >= REGION_LEVELS.index(level):
                r.fail(f"a {level} region cannot be under the {seen[parent]} region {parent}")
        seen[code] = level
        regions.append(
            {"code": code, "name": r.text("name", model=Region), "level": level, "parent": parent}
        )
    return regions


def _statement(r, indicator, *, kind):
    model = STATEMENT_MODELS[kind]
    s = StatementSpec(
        year=r.year("year"),
        raw=r.text("raw", required=False, model=model),
        source_ref=r.text("source_ref", required=False, model=model) or indicator.source_ref,
        source_text=r.text("source_text", required=False) or indicator.source_text,
        conflict=r.text("conflict", required=False) or None,
    )
    if kind == "baseline":
        s.value = r.decimal("value")
    elif kind == "target":
        s.year_implied = bool(r.data.get("year_implied", False))
        s.comparator = r.choice("comparator", COMPARATORS)
        s.value = r.decimal("value")
        s.value_max = r.decimal("value_max")
        s.qualitative_text = r.text("qualitative_text", required=False)
        if s.comparator == "qualitative":
            if s.value is not None or not s.qualitative_text:
                r.fail("a qualitative target has no value and needs 'qualitative_text'")
        elif s.value is None:
            r.fail(f"a {s.comparator} target needs a 'value'")
        if s.comparator == "range":
            if s.value_max is None or s.value_max < s.value:
                r.fail("a range target needs 'value_max' not below 'value'")
        elif s.value_max is not None:
            r.fail("only a range target has 'value_max'")
    elif kind == "actual" and not s.raw:
        r.fail("an actual needs its 'raw' text")
    return s


def read_plan_file(path):
    path = Path(path)
    data = _load_yaml(path)
    p = _Reader(path, "plan", data.get("plan"))
    issued_on = p.data.get("issued_on")
    if issued_on is not None and not isinstance(issued_on, date):
        p.fail(f"'issued_on' must be a date (YYYY-MM-DD), got {issued_on!r}")
    spec = PlanSpec(
        path=path,
        slug=p.text("slug", model=Plan),
        title=p.text("title", model=Plan),
        region=p.text("region"),
        issuer=p.text("issuer", required=False, model=Plan),
        issued_on=issued_on,
        period_start=p.year("period_start"),
        period_end=p.year("period_end"),
        seed_file=p.text("seed_file", required=False, model=Plan),
        notes=p.text("notes", required=False),
        departments=[],
        conflicts={},
        indicators=[],
    )
    if spec.period_end < spec.period_start:
        p.fail("'period_end' is before 'period_start'")
    root = _Reader(path, "file", data)

    for i, item in enumerate(root.records("departments"), start=1):
        r = _Reader(path, f"departments[{i}]", item)
        spec.departments.append(
            {
                "name": r.text("name", model=Department),
                "source_text": r.text("source_text", required=False),
            }
        )
    department_names = {d["name"] for d in spec.departments}

    for i, item in enumerate(root.records("conflicts"), start=1):
        r = _Reader(path, f"conflicts[{i}]", item)
        spec.conflicts[r.text("key", model=SourceConflict)] = r.text("description")

    codes, used_conflicts = set(), {}
    for i, item in enumerate(root.records("indicators"), start=1):
        r = _Reader(path, f"indicators[{i}]", item)
        code = r.text("code", model=Indicator)
        r.record = f"indicator {code}"
        if code in codes:
            r.fail("duplicate indicator code")
        codes.add(code)
        department = r.text("department", required=False) or None
        if department is not None and department not in department_names:
            r.fail(f"department {department!r} is not listed under 'departments'")
        indicator = IndicatorSpec(
            code=code,
            name=r.text("name", model=Indicator),
            category=r.text("category", required=False, model=Indicator),
            unit=r.text("unit", required=False, model=Indicator),
            direction=r.choice("direction", DIRECTIONS),
            measure=r.choice("measure", MEASURES),
            department=department,
            source_ref=r.text("source_ref", model=Indicator),
            source_text=r.text("source_text"),
            notes=r.text("notes", required=False),
        )
        for kind, key, target_list in (
            ("baseline", "baselines", indicator.baselines),
            ("target", "targets", indicator.targets),
            ("actual", "actuals", indicator.actuals),
        ):
            seen = set()
            for j, sub in enumerate(r.records(key), start=1):
                sr = _Reader(path, f"indicator {code} {key}[{j}]", sub)
                statement = _statement(sr, indicator, kind=kind)
                ident = (statement.year, statement.source_ref)
                if kind == "actual":
                    ident = statement.year
                if ident in seen:
                    sr.fail(f"two {key} for the same year and source")
                seen.add(ident)
                if statement.conflict is not None:
                    if statement.conflict not in spec.conflicts:
                        sr.fail(f"conflict {statement.conflict!r} is not listed under 'conflicts'")
                    used_conflicts[statement.conflict] = (
                        used_conflicts.get(statement.conflict, 0) + 1
                    )
                target_list.append(statement)
        if not indicator.targets:
            r.fail("an indicator needs at least one target")
        spec.indicators.append(indicator)

    for key in spec.conflicts:
        if used_conflicts.get(key, 0) < 2:
            raise PlanFileError(path, f"conflict {key}", "a conflict must link two statements")
    return spec


def read_canonical(path):
    """The canonical catalogue: entries with members (plan slug, indicator code, note)."""
    data = _load_yaml(path)
    entries, members_seen = [], {}
    for i, item in enumerate(data.get("canonical") or [], start=1):
        r = _Reader(path, f"canonical[{i}]", item)
        key = r.text("key", model=CanonicalIndicator)
        r.record = f"canonical {key}"
        entry = {
            "key": key,
            "name": r.text("name", model=CanonicalIndicator),
            "unit": r.text("unit", required=False, model=CanonicalIndicator),
            "direction": r.choice("direction", DIRECTIONS),
            "members": [],
        }
        for j, member in enumerate(r.records("members"), start=1):
            m = _Reader(path, f"canonical {key} members[{j}]", member)
            ident = (m.text("plan"), m.text("indicator"))
            if ident in members_seen:
                m.fail(f"{ident[0]} {ident[1]} is already a member of {members_seen[ident]}")
            members_seen[ident] = key
            entry["members"].append(
                {"plan": ident[0], "indicator": ident[1], "note": m.text("note", required=False)}
            )
        if len({m["plan"] for m in entry["members"]}) < 2:
            r.fail("a canonical indicator links members of at least two plans")
        entries.append(entry)
    return entries
