"""Loading plan files: regions, plans, indicators, baselines, targets, source conflicts, the
canonical catalogue and the achievements the documents record; all or nothing.

The load owns the files' content; people own what they changed in the admin. On a re-run
every field whose current value a person set, every row a person created and every row a
person deleted is kept as it is (known from the change history, `edits.PeoplesEdits`: a
person's records name them; the load's name nobody and give LOAD_REASON or RESET_REASON)
and listed in the report;
`reset=True` puts the files' values back over them and lists what it overwrote. An
unchanged re-run changes nothing. What changed is recomputed (`runs.results_touched`).
"""

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction
from django.db.models import Q

from regions.models import Department, Region

from ..edits import PeoplesEdits
from ..models import Actual, Baseline, CanonicalIndicator, Indicator, Plan, SourceConflict, Target
from ..plan_files import (
    PlanFileError,
    plan_fixture_paths,
    read_canonical,
    read_plan_file,
    read_regions,
)
from ..values import FigureError, parse_figure
from .actuals import actual_record
from .runs import results_touched

LOAD_REASON = "载入规划文件"
RESET_REASON = "载入规划文件(恢复文件原值)"

# What a baseline or target row takes from its statement in the plan file, besides the
# (indicator, year, source) that identify it and the conflict it belongs to.
STATEMENT_FIELDS = {
    Baseline: ["value", "raw", "source_text"],
    Target: [
        "year_implied",
        "comparator",
        "value",
        "value_max",
        "qualitative_text",
        "raw",
        "source_text",
    ],
}
INDICATOR_FIELDS = [
    "name",
    "category",
    "unit",
    "direction",
    "measure",
    "source_ref",
    "source_text",
    "notes",
]
PLAN_FIELDS = [
    "title",
    "region",
    "issuer",
    "issued_on",
    "period_start",
    "period_end",
    "seed_file",
    "notes",
]
# The fields the load sets, per model whose rows people may change too.
LOADED_FIELDS = {
    Region: ["name", "level", "parent"],
    Department: ["source_text"],
    Plan: PLAN_FIELDS,
    Indicator: [*INDICATOR_FIELDS, "department", "canonical", "canonical_note"],
    Baseline: [*STATEMENT_FIELDS[Baseline], "conflict"],
    Target: [*STATEMENT_FIELDS[Target], "conflict"],
    CanonicalIndicator: ["name", "unit", "direction"],
}
# A change of these recomputes (runs.results_touched) the plan, or the indicator.
PLAN_RESULT_FIELDS = {"region", "period_start", "period_end"}
INDICATOR_RESULT_FIELDS = {"unit", "direction", "measure", "canonical"}


@dataclass
class LoadReport:
    counts: Counter = field(default_factory=Counter)  # what changed: "target updated" -> n
    kept: list[str] = field(default_factory=list)  # people's changes left as they are
    overwritten: list[str] = field(default_factory=list)  # with reset: people's changes undone


@transaction.atomic
def load_plans(
    *, fixtures_dir: Path | str, reset: bool = False, dry_run: bool = False
) -> LoadReport:
    """Load regions, every plan file and the canonical catalogue; all or nothing.

    reset: put the files' values back over what people changed. dry_run: report what would
    happen and change nothing.
    """
    load = _Load(reset=reset)
    load.run(Path(fixtures_dir))
    if dry_run:
        transaction.set_rollback(True)
    else:
        results_touched(
            scope=RESET_REASON if reset else LOAD_REASON,
            plan_ids=load.plans_touched,
            indicator_ids=load.indicators_touched,
        )
    return load.report


UNREAD = object()  # sync(): the caller has not read the row


class _Load:
    def __init__(self, *, reset):
        self.reset = reset
        self.reason = RESET_REASON if reset else LOAD_REASON
        self.report = LoadReport()
        self.edits = {}  # model -> PeoplesEdits, read before anything is written
        self.plans_touched, self.indicators_touched = set(), set()
        self.skipped = set()  # (plan slug, indicator code or None) a person deleted
        self.slugs = []  # the files' plans

    # -- rows ----------------------------------------------------------------------------

    def sync(self, model, lookup, values, label, *, keep_deleted=True, found=UNREAD):
        """The row `lookup` names with `values`: created, updated or left as it is; None when
        a person deleted it (and this is no reset). Returns (row, names of changed fields).
        `found`: the row, or None, when the caller has read it (with its siblings, in one
        query)."""
        obj = model.objects.filter(**lookup).first() if found is UNREAD else found
        if obj is None:
            gone = self.edits[model].deleted(lookup) if keep_deleted else None
            if gone is not None:
                if not self.reset:
                    self.report.kept.append(f"{label} ({gone})")
                    return None, []
                self.report.overwritten.append(f"{label} restored ({gone})")
            obj = model(**lookup, **values)
            obj._change_reason = self.reason
            obj.save()
            self.report.counts[f"{model._meta.model_name} created"] += 1
            return obj, list(values)
        return obj, self.update(obj, values, label)

    def update(self, obj, values, label, *, counted_as=None):
        """Set the fields that differ from `values`, except those a person set last (unless
        this is a reset); returns the names of those changed."""
        changed = [name for name, value in values.items() if _differs(obj, name, value)]
        edits = self.edits.get(type(obj))
        by_people = edits.changed_fields(obj.pk) if edits else {}
        for name in [n for n in changed if n in by_people]:
            line = f"{label} {name} ({by_people[name]})"
            if self.reset:
                self.report.overwritten.append(line)
            else:
                self.report.kept.append(line)
                changed.remove(name)
        if changed:
            for name in changed:
                setattr(obj, name, values[name])
            obj._change_reason = self.reason
            obj.save()
            self.report.counts[counted_as or f"{obj._meta.model_name} updated"] += 1
        return changed

    def stale(self, model, rows, keep_ids, label_of):
        """Of `rows`, those no longer in the files, but those a person created (unless this
        is a reset), which are listed as kept."""
        edits = self.edits.get(model)
        keep_ids, stale = set(keep_ids), []
        for obj in (o for o in rows if o.pk not in keep_ids):
            created = edits.created(obj.pk) if edits else None
            if created is not None:
                if not self.reset:
                    self.report.kept.append(f"{label_of(obj)} ({created})")
                    continue
                self.report.overwritten.append(f"{label_of(obj)} deleted ({created})")
            stale.append(obj)
        return stale

    def delete(self, rows):
        for obj in rows:
            if isinstance(obj, Indicator):  # its statements' history says the load, too
                self.delete([*obj.baselines.all(), *obj.targets.all()])
            obj._change_reason = self.reason
            obj.delete()
            self.report.counts[f"{obj._meta.model_name} deleted"] += 1

    # -- files ---------------------------------------------------------------------------

    def read_edits(self, *, codes, slugs):
        """What people did to the rows of the files' regions and plans (only theirs: other
        rows' history can be long, removed national-scale synthetic data leaves a record
        per row)."""
        self.slugs = slugs
        plan_ids = Plan.history.filter(slug__in=slugs).values("id")
        indicator_ids = Indicator.history.filter(plan_id__in=plan_ids).values("id")
        rows = {
            Region: Q(code__in=codes),
            Plan: Q(slug__in=slugs),
            Indicator: Q(plan_id__in=plan_ids),
            Baseline: Q(indicator_id__in=indicator_ids),
            Target: Q(indicator_id__in=indicator_ids),
        }
        self.edits = {
            model: PeoplesEdits(model, fields=fields, rows=rows.get(model, Q()))
            for model, fields in LOADED_FIELDS.items()
        }

    def run(self, fixtures_dir):
        region_specs = read_regions(fixtures_dir / "regions.yaml")
        specs = [read_plan_file(path) for path in plan_fixture_paths(fixtures_dir)]
        self.read_edits(codes=[r["code"] for r in region_specs], slugs=[s.slug for s in specs])
        regions = {}
        for r in region_specs:
            regions[r["code"]], _ = self.sync(
                Region,
                {"code": r["code"]},
                {
                    "name": r["name"],
                    "level": r["level"],
                    "parent": regions[r["parent"]] if r["parent"] else None,
                },
                f"region {r['code']}",
                keep_deleted=False,
            )
        slugs = set()
        for spec in specs:
            if spec.slug in slugs:
                raise PlanFileError(spec.path, "plan", f"slug {spec.slug} is used by another file")
            slugs.add(spec.slug)
            if spec.region not in regions:
                raise PlanFileError(
                    spec.path, "plan", f"region {spec.region} is not in regions.yaml"
                )
            self.plan(spec, regions[spec.region])
        canonical = fixtures_dir / "canonical.yaml"
        if canonical.exists():
            self.canonical(canonical)

    def plan(self, spec, region):
        plan, changed = self.sync(
            Plan,
            {"slug": spec.slug},
            {name: region if name == "region" else getattr(spec, name) for name in PLAN_FIELDS},
            f"plan {spec.slug}",
        )
        if plan is None:
            self.skipped.add((spec.slug, None))
            return
        if PLAN_RESULT_FIELDS & set(changed):
            self.plans_touched.add(plan.pk)
        departments = {
            d["name"]: self.sync(
                Department,
                {"region": region, "name": d["name"]},
                {"source_text": d["source_text"]},
                f"department {region.code} {d['name']}",
                keep_deleted=False,
            )[0]
            for d in spec.departments
        }
        conflicts = {
            key: self.sync(
                SourceConflict,
                {"plan": plan, "key": key},
                {"description": text},
                f"conflict {spec.slug} {key}",
                keep_deleted=False,
            )[0]
            for key, text in spec.conflicts.items()
        }
        indicators = {i.code: i for i in plan.indicators.order_by("pk")}
        # Each indicator's stored baselines and targets, read for the whole plan at once.
        stored = {Baseline: defaultdict(dict), Target: defaultdict(dict)}
        for model, by_indicator in stored.items():
            for o in model.objects.filter(indicator__plan=plan).order_by("pk"):
                by_indicator[o.indicator_id][(o.year, o.source_ref)] = o
        indicator_ids = []
        for ind in spec.indicators:
            where = f"{spec.slug} {ind.code}"
            values = {name: getattr(ind, name) for name in INDICATOR_FIELDS}
            if ind.department:  # else an assignment made in the admin stays as it is
                values["department"] = departments[ind.department]
            indicator, changed = self.sync(
                Indicator,
                {"plan": plan, "code": ind.code},
                values,
                f"indicator {where}",
                found=indicators.get(ind.code),
            )
            if indicator is None:
                self.skipped.add((spec.slug, ind.code))
                continue
            indicator_ids.append(indicator.pk)
            if INDICATOR_RESULT_FIELDS & set(changed):
                self.indicators_touched.add(indicator.pk)
            for model, statements in ((Baseline, ind.baselines), (Target, ind.targets)):
                self.statements(
                    model, indicator, statements, conflicts, where, stored[model][indicator.pk]
                )
            for a in ind.actuals:
                self.recorded_actual(spec, indicator, region, a)
        stale = self.stale(
            Indicator,
            indicators.values(),
            indicator_ids,
            lambda i: f"indicator {spec.slug} {i.code}",
        )
        if Actual.objects.filter(indicator__in=stale).exists():
            raise PlanFileError(
                spec.path,
                "plan",
                "indicators with reported actuals cannot be removed from the file",
            )
        self.delete(stale)
        self.delete(plan.conflicts.exclude(pk__in=[c.pk for c in conflicts.values()]))

    def statements(self, model, indicator, statements, conflicts, where, stored):
        """One indicator's baselines or targets made to match the file's (`where`: the plan
        and indicator, for the report; `stored`: those in the database, by year and source)."""
        kind = model._meta.model_name
        for o in stored.values():
            o.indicator = indicator  # saves and signals need it; it is the same row
        keep = []
        for s in statements:
            values = {name: getattr(s, name) for name in STATEMENT_FIELDS[model]}
            values["conflict"] = conflicts.get(s.conflict)
            lookup = {"indicator": indicator, "year": s.year, "source_ref": s.source_ref}
            obj, changed = self.sync(
                model,
                lookup,
                values,
                f"{kind} {where} {s.year} {s.source_ref}",
                found=stored.get((s.year, s.source_ref)),
            )
            if obj is not None:
                keep.append(obj.pk)
            if changed:
                self.indicators_touched.add(indicator.pk)
        stale = self.stale(
            model,
            stored.values(),
            keep,
            lambda s: f"{kind} {where} {s.year} {s.source_ref}",
        )
        if stale:
            self.delete(stale)
            self.indicators_touched.add(indicator.pk)

    def recorded_actual(self, spec, indicator, region, statement):
        """An achieved value the document itself records; never overwrites entered figures."""
        try:
            figure = parse_figure(statement.raw)
        except FigureError as exc:
            raise PlanFileError(spec.path, f"indicator {indicator.code} actual", str(exc)) from exc
        actual = Actual(
            indicator=indicator,
            region=region,
            year=statement.year,
            value=figure.value,
            qualifier=figure.qualifier,
            raw=statement.raw,
            source_ref=statement.source_ref,
            source_text=statement.source_text,
            note=f"规划文件{statement.source_ref}记录的完成值",
        )
        if actual_record(actual=actual, reason=LOAD_REASON):
            self.report.counts["actual created"] += 1
            self.indicators_touched.add(indicator.pk)

    def canonical(self, path):
        linked, keep = {}, []
        for entry in read_canonical(path):
            canonical, changed = self.sync(
                CanonicalIndicator,
                {"key": entry["key"]},
                {"name": entry["name"], "unit": entry["unit"], "direction": entry["direction"]},
                f"canonical {entry['key']}",
            )
            if canonical is None:
                continue
            keep.append(canonical.pk)
            for member in entry["members"]:
                indicator = Indicator.objects.filter(
                    plan__slug=member["plan"], code=member["indicator"]
                ).first()
                if indicator is None:
                    if {
                        (member["plan"], None),
                        (member["plan"], member["indicator"]),
                    } & self.skipped:
                        continue  # a person deleted it; kept so, and said so above
                    raise PlanFileError(
                        path,
                        f"canonical {entry['key']}",
                        f"no indicator {member['indicator']} in plan {member['plan']}",
                    )
                linked[indicator.pk] = (canonical, member["note"])
                if changed:  # 上下衔接 compares the members under the entry's unit, direction
                    self.indicators_touched.add(indicator.pk)
        stale = self.stale(
            CanonicalIndicator,
            CanonicalIndicator.objects.all(),
            keep,
            lambda c: f"canonical {c.key}",
        )
        unlinked = Indicator.objects.filter(canonical__in=stale).values_list("pk", flat=True)
        self.indicators_touched.update(unlinked)
        self.delete(stale)
        # The links of the files' plans' indicators; other plans' are people's business.
        linked_now = Indicator.objects.filter(plan__slug__in=self.slugs).exclude(canonical=None)
        members = Indicator.objects.filter(pk__in=linked) | linked_now
        for indicator in members.select_related("plan"):
            canonical, note = linked.get(indicator.pk, (None, ""))
            changed = self.update(
                indicator,
                {"canonical": canonical, "canonical_note": note},
                f"indicator {indicator.plan.slug} {indicator.code}",
                counted_as="indicator canonical link",
            )
            if "canonical" in changed:
                self.indicators_touched.add(indicator.pk)


def _differs(obj, name, value):
    """Whether the row's field differs from `value` (a related row compared by its key)."""
    model_field = obj._meta.get_field(name)
    if model_field.is_relation:
        return getattr(obj, model_field.attname) != (None if value is None else value.pk)
    return getattr(obj, name) != value
