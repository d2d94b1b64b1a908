"""The recompute: stored results are the engine's, replaced whole, shared among processes."""

from decimal import Decimal as D

import pytest
from django.db import connection

from indicators import attainment
from indicators.attainment import Observation, Result, TargetTerms
from indicators.models import Actual, AttainmentResult, AttainmentRun, Plan, Target
from indicators.recompute import parallel, recompute, store
from indicators.recompute.reads import TargetRow
from indicators.selectors import reference_baseline


def postgresql_only(reason):
    if connection.vendor != "postgresql":
        pytest.skip(reason)


@pytest.fixture
def forks(monkeypatch):
    """The number of worker processes each recompute forked, in order."""
    counts = []
    run_in_workers = parallel.run_in_workers
    monkeypatch.setattr(
        parallel, "run_in_workers", lambda jobs: counts.append(len(jobs)) or run_in_workers(jobs)
    )
    return counts


def engine_results(target, region):
    """What the engine gives for the target in the region, read through the models: the
    results of its years, and the approved actuals as typed by year."""
    indicator, plan = target.indicator, target.indicator.plan
    approved = Actual.objects.filter(indicator=indicator, region=region, status="approved")
    baselines = [b for b in indicator.baselines.all() if b.value is not None]
    baseline = reference_baseline(baselines, target.year) if region == plan.region else None
    results = attainment.evaluate_series(
        TargetTerms(
            year=target.year,
            comparator=target.comparator,
            value=target.value,
            value_max=target.value_max,
            direction=indicator.direction,
            measure=indicator.measure,
        ),
        years=range(plan.period_start, target.year + 1),
        period_start=plan.period_start,
        observations=[
            Observation(a.year, a.value, a.qualifier) for a in approved if a.value is not None
        ],
        baseline=None if baseline is None else (baseline.year, baseline.value),
        qualitative_statuses={a.year: a.qualitative_status for a in approved},
    )
    return results, {a.year: a.raw for a in approved}


@pytest.mark.django_db
@pytest.mark.parametrize("slug", ["zhejiang-13", "rizhao-14"])
def test_stored_results_are_the_engines_field_by_field(plans, slug):
    plan = Plan.objects.get(slug=slug)
    assert recompute(plan_ids=[plan.pk]) > 0
    targets = Target.objects.filter(indicator__plan=plan).select_related("indicator__plan")
    for target in targets:
        expected, raws = engine_results(target, plan.region)
        stored = AttainmentResult.objects.filter(target=target, region=plan.region)
        for row, result in zip(stored.order_by("year"), expected, strict=True):
            assert (row.plan_id, row.indicator_id) == (plan.pk, target.indicator_id)
            assert row.actual_raw == raws.get(row.year, "")
            for field in Result._fields:  # the rule included
                assert getattr(row, field) == getattr(result, field), (target, row.year, field)


@pytest.mark.django_db
def test_the_deciding_rule_is_stored_with_the_status(plans):
    plan = Plan.objects.get(slug="zhejiang-13")
    recompute(plan_ids=[plan.pk])
    results = AttainmentResult.objects.filter(plan=plan, region=plan.region, year=2020)
    missed = results.get(indicator__code="T1-1-03")  # 6 of 10 in the target year
    assert (missed.status, missed.rule) == ("not_achieved", 4)
    assert set(results.exclude(pk=missed.pk).values_list("status", "rule")) == {("achieved", 3)}
    qualitative = AttainmentResult.objects.filter(target__comparator="qualitative").first()
    assert qualitative.rule == attainment.QUALITATIVE_RULE


def test_plans_are_shared_in_chunks_of_about_equal_rows_and_never_split():
    def target(n, plan_id, period_start):
        return TargetRow(n, n, 2025, "gte", D(1), None, "higher", "level", plan_id, period_start, 1)

    # Plans 1-4: 10 targets of 5 rows each; plan 5: 10 targets of 10 rows; plan 6: none.
    targets = [target(n, n % 5 + 1, 2016 if n % 5 == 4 else 2021) for n in range(50)]
    chunks = parallel.plan_chunks(targets, [6, 5, 4, 3, 2, 1], 3)
    assert [plan_ids for _, plan_ids in chunks] == [[1, 2], [3, 4], [5], [6]]
    for chunk_targets, plan_ids in chunks:
        assert sorted(t.id for t in chunk_targets) == [
            t.id for t in targets if t.plan_id in plan_ids
        ]


# --- worker processes (PostgreSQL) -----------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_recompute_in_worker_processes_stores_what_one_process_stores(monkeypatch, forks):
    postgresql_only("worker processes are used on PostgreSQL only")
    from indicators.synthetic import generate

    generate(regions=5, indicators=7, years=4)
    plans = list(Plan.objects.filter(is_synthetic=True).values_list("pk", flat=True))
    columns = [c for c in store.COPY_COLUMNS if c != "actual_raw"]
    mine = AttainmentResult.objects.filter(plan_id__in=plans)

    def stored():
        return {row[1:]: row[0] for row in mine.values_list("id", *columns)}

    count = recompute(plan_ids=plans, workers=1)  # into an empty table: every row inserted
    alone = stored()
    assert count == len(alone) == 5 * 7 * 4
    # A row no longer produced (a year after the target year) and a row gone missing.
    extra = mine.order_by("pk").first()
    extra.pk, extra.year = None, 2099
    extra.save()
    missing = mine.order_by("pk").last()
    missing.delete()

    # Raw text goes through COPY as it was typed, tabs, line breaks and backslashes included.
    odd = Actual.objects.filter(indicator__plan_id__in=plans, status="approved").first()
    Actual.objects.filter(pk=odd.pk).update(raw="98\t以上\\n\r\n")
    assert recompute(plan_ids=plans, workers=2) == count
    assert forks == [2]  # two worker processes did it
    after = stored()
    assert set(after) == set(alone)  # the same results, the stale row gone, the missing back
    kept = [key for key in alone if alone[key] != missing.pk]
    assert all(after[key] == alone[key] for key in kept)  # updated in place: the same ids
    assert len(set(mine.values_list("computed_at", flat=True))) == 1
    stored_raw = mine.get(indicator_id=odd.indicator_id, region_id=odd.region_id, year=odd.year)
    assert stored_raw.actual_raw == "98\t以上\\n\r\n"

    def broken(*args, **kwargs):
        raise ValueError("Unknown qualifier 'about' for 2021.")

    monkeypatch.setattr(attainment, "evaluate_series", broken)
    with pytest.raises(ValueError, match="Unknown qualifier"):
        recompute(plan_ids=plans, workers=2)
    assert stored() == after  # nothing replaced: each worker's transaction rolled back


@pytest.mark.django_db(transaction=True)
def test_the_nightly_recompute_is_one_run_shared_among_worker_processes(monkeypatch, forks):
    postgresql_only("worker processes are used on PostgreSQL only")
    from indicators.synthetic import generate
    from indicators.tasks import recompute_attainment_nightly

    generate(regions=6, indicators=5, years=4)
    monkeypatch.setattr(parallel, "PARALLEL_MIN_ROWS", 10)  # the national case, small
    monkeypatch.setattr(parallel, "default_workers", lambda: 2)
    before = AttainmentRun.objects.count()
    count = recompute_attainment_nightly.apply().get()
    assert forks == [2]
    run = AttainmentRun.objects.get(pk__gt=0, scope="all plans (nightly)")
    assert AttainmentRun.objects.count() == before + 1
    assert run.state == "done" and run.results == count
    assert AttainmentResult.objects.count() == count
    judged = set(AttainmentResult.objects.values_list("plan_id", flat=True).distinct())
    assert judged == set(Plan.objects.values_list("pk", flat=True))


@pytest.mark.django_db
def test_stored_results_leave_room_on_each_page_for_updates_in_place():
    postgresql_only("a PostgreSQL storage setting")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT reloptions FROM pg_class WHERE relname = %s",
            [AttainmentResult._meta.db_table],
        )
        (options,) = cursor.fetchone()
        cursor.execute(
            "SELECT count(*) FROM pg_indexes WHERE tablename = %s",
            [AttainmentResult._meta.db_table],
        )
        (indexes,) = cursor.fetchone()
    assert "fillfactor=50" in (options or [])
    # primary key, unique (target, region, year), (plan, year, status), indicator, region
    assert indexes == 5
