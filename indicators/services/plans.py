"""Loading plan files: regions, plans, indicators, baselines, targets, source conflicts and
the achievements the documents record; all or nothing, and again changes nothing."""

from collections import Counter
from pathlib import Path

from django.db import transaction

from regions.models import Department, Region

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

LOAD_REASON = "载入规划文件"


def _sync(model, lookup, values, counter):
    """Create or update one row, saving only when something differs."""
    obj = model.objects.filter(**lookup).first()
    if obj is None:
        obj = model(**lookup, **values)
        obj._change_reason = LOAD_REASON
        obj.save()
        counter[f"{model._meta.model_name} created"] += 1
        return obj
    changed = [k for k, v in values.items() if getattr(obj, k) != v]
    if changed:
        for k in changed:
            setattr(obj, k, values[k])
        obj._change_reason = LOAD_REASON
        obj.save()
        counter[f"{model._meta.model_name} updated"] += 1
    return obj


def _delete_stale(queryset, keep_ids, counter):
    stale = queryset.exclude(pk__in=keep_ids)
    for obj in stale:
        obj._change_reason = LOAD_REASON
        obj.delete()
        counter[f"{queryset.model._meta.model_name} deleted"] += 1


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


def _sync_statements(model, indicator, statements, conflicts, counter):
    """One indicator's baselines or targets made to match the file's; others deleted."""
    keep = []
    for s in statements:
        values = {name: getattr(s, name) for name in STATEMENT_FIELDS[model]}
        lookup = {"indicator": indicator, "year": s.year, "source_ref": s.source_ref}
        obj = _sync(model, lookup, {**values, "conflict": conflicts.get(s.conflict)}, counter)
        keep.append(obj.pk)
    _delete_stale(model.objects.filter(indicator=indicator), keep, counter)


@transaction.atomic
def load_plans(*, fixtures_dir: Path | str) -> Counter[str]:
    """Load regions and every plan file; all or nothing. Returns counts of what changed."""
    fixtures_dir = Path(fixtures_dir)
    counter = Counter()
    regions = {}
    for r in read_regions(fixtures_dir / "regions.yaml"):
        regions[r["code"]] = _sync(
            Region,
            {"code": r["code"]},
            {
                "name": r["name"],
                "level": r["level"],
                "parent": regions[r["parent"]] if r["parent"] else None,
            },
            counter,
        )
    slugs = set()
    for path in plan_fixture_paths(fixtures_dir):
        spec = read_plan_file(path)
        if spec.slug in slugs:
            raise PlanFileError(path, "plan", f"slug {spec.slug} is used by another file")
        slugs.add(spec.slug)
        if spec.region not in regions:
            raise PlanFileError(path, "plan", f"region {spec.region} is not in regions.yaml")
        _load_plan(spec, regions[spec.region], counter)
    canonical = fixtures_dir / "canonical.yaml"
    if canonical.exists():
        _load_canonical(canonical, counter)
    return counter


def _load_canonical(path, counter):
    linked = {}
    keep = []
    for entry in read_canonical(path):
        canonical = _sync(
            CanonicalIndicator,
            {"key": entry["key"]},
            {"name": entry["name"], "unit": entry["unit"], "direction": entry["direction"]},
            counter,
        )
        keep.append(canonical.pk)
        for member in entry["members"]:
            indicator = Indicator.objects.filter(
                plan__slug=member["plan"], code=member["indicator"]
            ).first()
            if indicator is None:
                raise PlanFileError(
                    path,
                    f"canonical {entry['key']}",
                    f"no indicator {member['indicator']} in plan {member['plan']}",
                )
            linked[indicator.pk] = (canonical, member["note"])
    for indicator in Indicator.objects.filter(pk__in=linked) | Indicator.objects.exclude(
        canonical=None
    ):
        canonical, note = linked.get(indicator.pk, (None, ""))
        if (indicator.canonical_id, indicator.canonical_note) != (
            canonical.pk if canonical else None,
            note,
        ):
            indicator.canonical, indicator.canonical_note = canonical, note
            indicator._change_reason = LOAD_REASON
            indicator.save()
            counter["indicator canonical link"] += 1
    _delete_stale(CanonicalIndicator.objects.all(), keep, counter)


def _load_plan(spec, region, counter):
    plan = _sync(
        Plan,
        {"slug": spec.slug},
        {
            "title": spec.title,
            "region": region,
            "issuer": spec.issuer,
            "issued_on": spec.issued_on,
            "period_start": spec.period_start,
            "period_end": spec.period_end,
            "seed_file": spec.seed_file,
            "notes": spec.notes,
        },
        counter,
    )
    departments = {
        d["name"]: _sync(
            Department,
            {"region": region, "name": d["name"]},
            {"source_text": d["source_text"]},
            counter,
        )
        for d in spec.departments
    }
    conflicts = {
        key: _sync(SourceConflict, {"plan": plan, "key": key}, {"description": text}, counter)
        for key, text in spec.conflicts.items()
    }
    indicator_ids = []
    for ind in spec.indicators:
        indicator = _sync(
            Indicator,
            {"plan": plan, "code": ind.code},
            {
                "name": ind.name,
                "category": ind.category,
                "unit": ind.unit,
                "direction": ind.direction,
                "measure": ind.measure,
                "source_ref": ind.source_ref,
                "source_text": ind.source_text,
                "notes": ind.notes,
                # Assignments made by an administrator survive a reload.
                **({"department": departments[ind.department]} if ind.department else {}),
            },
            counter,
        )
        indicator_ids.append(indicator.pk)
        _sync_statements(Baseline, indicator, ind.baselines, conflicts, counter)
        _sync_statements(Target, indicator, ind.targets, conflicts, counter)
        for a in ind.actuals:
            _load_recorded_actual(spec, indicator, region, a, counter)
    stale = plan.indicators.exclude(pk__in=indicator_ids)
    if stale.filter(actuals__isnull=False).exists():
        raise PlanFileError(
            spec.path, "plan", "indicators with reported actuals cannot be removed from the file"
        )
    _delete_stale(stale, indicator_ids, counter)
    _delete_stale(plan.conflicts.all(), [c.pk for c in conflicts.values()], counter)


def _load_recorded_actual(spec, indicator, region, statement, counter):
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
        counter["actual created"] += 1
