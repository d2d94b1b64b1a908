"""The writes of actual figures, called directly: save, submit, approve, return, import,
record, and locking years."""

import ast
import inspect
from pathlib import Path

import pytest
import tablib
from django.core.exceptions import PermissionDenied, ValidationError

from indicators.models import Actual, AttainmentRun, Indicator, Plan
from indicators.resources import import_errors
from indicators.services import actuals, imports, plans, runs
from indicators.services.actuals import (
    EntryRow,
    actual_approve,
    actual_record,
    actual_return,
    actual_save,
    actual_submit,
    year_lock,
    year_unlock,
)
from indicators.services.imports import actuals_import

ROOT = Path(__file__).resolve().parents[2]


def indicator(code):
    return Indicator.objects.get(plan__slug="jiaxing-2011", code=code)


def jiaxing():
    return Plan.objects.get(slug="jiaxing-2011")


def submit(user, *figures, year=2013):
    """Submit {code: text} figures as `user` and return the stored actuals."""
    result = actual_submit(
        user=user,
        region=user.profile.department.region,
        year=year,
        rows=[EntryRow(indicator(code), text) for code, text in figures],
    )
    assert result.ok, result.errors
    return result.saved


def reasons(actual):
    return [h.history_change_reason for h in actual.history.order_by("history_date")]


@pytest.mark.django_db
def test_saving_keeps_drafts_and_submitting_sends_them_for_review(bob):
    region = bob.profile.department.region
    [draft] = actual_save(
        user=bob, region=region, year=2013, rows=[EntryRow(indicator("P-25"), "93")]
    ).saved
    assert (draft.status, draft.entered_by, draft.version) == ("draft", bob, 1)
    [sent] = actual_submit(
        user=bob,
        region=region,
        year=2013,
        rows=[EntryRow(indicator("P-25"), "93", version=draft.version)],
    ).saved
    assert (sent.pk, sent.status, sent.version) == (draft.pk, "submitted", 2)
    assert reasons(sent) == ["保存草稿", "提交审核"]


@pytest.mark.django_db
def test_one_bad_row_and_nothing_on_the_page_is_saved(bob):
    result = actual_submit(
        user=bob,
        region=bob.profile.department.region,
        year=2013,
        rows=[EntryRow(indicator("P-25"), "93"), EntryRow(indicator("P-26"), "abc")],
    )
    assert not result.ok and list(result.errors) == [indicator("P-26").pk]
    assert not Actual.objects.filter(indicator__plan__slug="jiaxing-2011").exists()


@pytest.mark.django_db
def test_approving_moves_only_submitted_figures_and_queues_one_recompute(bob, dave):
    submitted = submit(bob, ("P-25", "93"), ("P-26", "95"))
    [draft] = actual_save(
        user=bob,
        region=bob.profile.department.region,
        year=2013,
        rows=[EntryRow(indicator("P-29"), "85")],
    ).saved
    runs_before = AttainmentRun.objects.count()
    assert actual_approve(user=dave, actuals=[*submitted, draft]) == 2
    states = dict(Actual.objects.filter(year=2013).values_list("indicator__code", "status"))
    assert states == {"P-25": "approved", "P-26": "approved", "P-29": "draft"}
    assert AttainmentRun.objects.count() == runs_before + 1
    run = AttainmentRun.objects.latest("pk")
    assert run.indicator_ids == sorted(a.indicator_id for a in submitted)
    assert reasons(Actual.objects.get(pk=submitted[0].pk))[-1] == "审核通过"


@pytest.mark.django_db
def test_returning_needs_a_reason_and_recomputes_only_what_was_approved(bob, dave):
    first, second = submit(bob, ("P-25", "93"), ("P-26", "95"))
    actual_approve(user=dave, actuals=[first])
    with pytest.raises(ValidationError, match="退回时必须填写原因"):
        actual_return(user=dave, actuals=[first, second], reason="  ")
    runs_before = AttainmentRun.objects.count()
    assert actual_return(user=dave, actuals=[first, second], reason=" 口径有误 ") == 2
    first.refresh_from_db()
    assert (first.status, first.return_reason, first.reviewed_by) == ("returned", "口径有误", dave)
    assert reasons(first)[-1] == "退回:口径有误"
    run = AttainmentRun.objects.latest("pk")
    assert AttainmentRun.objects.count() == runs_before + 1
    assert run.indicator_ids == [first.indicator_id]  # the submitted one never counted


@pytest.mark.django_db
def test_returning_only_submitted_figures_queues_no_recompute(bob, dave):
    actuals_ = submit(bob, ("P-25", "93"))
    runs_before = AttainmentRun.objects.count()
    actual_return(user=dave, actuals=actuals_, reason="请补充说明")
    assert AttainmentRun.objects.count() == runs_before


@pytest.mark.django_db
@pytest.mark.parametrize(
    "review, message",
    [
        (lambda user, a: actual_approve(user=user, actuals=a), "2013年已锁定,不能审核。"),
        (
            lambda user, a: actual_return(user=user, actuals=a, reason="更正"),
            "2013年已锁定,不能退回。",
        ),
    ],
)
def test_a_locked_year_refuses_review_and_changes_nothing(bob, dave, review, message):
    actuals_ = submit(bob, ("P-25", "93"))
    year_lock(user=dave, plan=jiaxing(), year=2013)
    with pytest.raises(ValidationError) as refused:
        review(dave, actuals_)
    assert refused.value.messages == [message]
    assert Actual.objects.get(pk=actuals_[0].pk).status == "submitted"


@pytest.mark.django_db
def test_locking_twice_is_one_change_and_unlocking_says_why(dave, grace):
    first = year_lock(user=dave, plan=jiaxing(), year=2013)
    again = year_lock(user=dave, plan=jiaxing(), year=2013)
    assert first.pk == again.pk and again.is_locked and again.locked_by == dave
    unlocked = year_unlock(user=grace, plan=jiaxing(), year=2013, reason=" 统计局更正 ")
    assert (unlocked.is_locked, unlocked.unlock_reason) == (False, "统计局更正")
    assert reasons(unlocked) == ["锁定", "解锁:统计局更正"]


@pytest.mark.django_db
def test_clerks_neither_review_nor_lock(bob):
    actuals_ = submit(bob, ("P-25", "93"))
    with pytest.raises(PermissionDenied, match="您无权审核数据"):
        actual_approve(user=bob, actuals=actuals_)
    with pytest.raises(PermissionDenied, match="您无权审核数据"):
        actual_return(user=bob, actuals=actuals_, reason="x")
    with pytest.raises(PermissionDenied, match="您无权锁定年度"):
        year_lock(user=bob, plan=jiaxing(), year=2013)


def dataset(*rows):
    return tablib.Dataset(*rows, headers=["plan", "indicator", "region", "year", "value", "note"])


@pytest.mark.django_db
def test_an_import_submits_and_a_reviewers_import_approves(bob, dave):
    rows = dataset(["jiaxing-2011", "P-25", "330400", "2013", "92.5", ""])
    result = actuals_import(user=bob, dataset=rows)
    assert not import_errors(result)
    actual = Actual.objects.get(indicator=indicator("P-25"), year=2013)
    assert (actual.status, actual.raw, actual.entered_by, actual.version) == (
        "submitted",
        "92.5",
        bob,
        1,
    )
    changed = dataset(["jiaxing-2011", "P-25", "330400", "2013", "93", ""])
    result = actuals_import(user=dave, dataset=changed, approve=True, entered_by=bob)
    assert not import_errors(result)
    actual.refresh_from_db()
    assert (actual.status, actual.raw, actual.entered_by, actual.reviewed_by, actual.version) == (
        "approved",
        "93",
        bob,
        dave,
        2,
    )
    assert reasons(actual) == ["导入", "导入并审核"]


@pytest.mark.django_db
def test_an_import_with_approval_needs_a_reviewer_and_a_dry_run_writes_nothing(bob):
    rows = dataset(["jiaxing-2011", "P-25", "330400", "2013", "92.5", ""])
    with pytest.raises(PermissionDenied, match="只有审核人员"):
        actuals_import(user=bob, dataset=rows, approve=True, entered_by=bob)
    result = actuals_import(user=bob, dataset=rows, dry_run=True)
    assert not import_errors(result) and result.totals["new"] == 1
    assert not Actual.objects.filter(indicator__plan__slug="jiaxing-2011").exists()


@pytest.mark.django_db
@pytest.mark.parametrize("uploader", [None, "dave"], ids=["no-uploader", "the-reviewer"])
def test_an_import_with_approval_names_someone_else_as_the_uploader(bob, dave, uploader):
    rows = dataset(["jiaxing-2011", "P-25", "330400", "2013", "92.5", ""])
    entered_by = dave if uploader == "dave" else None
    with pytest.raises(PermissionDenied, match="不能审核自己"):
        actuals_import(user=dave, dataset=rows, approve=True, entered_by=entered_by)
    assert not Actual.objects.filter(indicator__plan__slug="jiaxing-2011").exists()


@pytest.mark.django_db
def test_a_recorded_figure_is_approved_but_never_replaces_an_entered_one(bob):
    p25 = indicator("P-25")
    region = bob.profile.department.region
    recorded = Actual(indicator=p25, region=region, year=2014, value=95, raw="95")
    assert actual_record(actual=recorded, reason="载入示例数据")
    assert Actual.objects.get(pk=recorded.pk).status == "approved"
    assert reasons(recorded) == ["载入示例数据"]
    [entered] = submit(bob, ("P-25", "93"))
    again = Actual(indicator=p25, region=region, year=2013, value=90, raw="90")
    assert not actual_record(actual=again, reason="载入示例数据")
    assert again.pk is None and Actual.objects.get(pk=entered.pk).raw == "93"


def public_functions(module):
    return [
        f
        for name, f in inspect.getmembers(module, inspect.isfunction)
        if not name.startswith("_") and f.__module__ == module.__name__
    ]


@pytest.mark.parametrize("module", [actuals, imports, plans, runs], ids=lambda m: m.__name__)
def test_services_take_keywords_only_and_are_typed(module):
    functions = public_functions(module)
    assert functions
    for function in functions:
        signature = inspect.signature(function)
        for parameter in signature.parameters.values():
            assert parameter.kind == parameter.KEYWORD_ONLY, (function.__name__, parameter.name)
            assert parameter.annotation is not parameter.empty, (function.__name__, parameter)
        assert signature.return_annotation is not signature.empty, function.__name__


def status_writes(path):
    """Where a module sets a status: `x.status = …`, or `status=` given to a constructor or
    to `.create()` / `.update()` of a model."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []
    for node in ast.walk(tree):
        targets = []
        if isinstance(node, ast.Assign):
            targets = [t for target in node.targets for t in getattr(target, "elts", [target])]
        for target in targets:
            if isinstance(target, ast.Attribute) and target.attr == "status":
                found.append(node.lineno)
        if isinstance(node, ast.Call) and any(k.arg == "status" for k in node.keywords):
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            if name in ("Actual", "create", "update", "update_or_create", "get_or_create"):
                found.append(node.lineno)
    return found


def test_no_module_outside_the_services_writes_a_status():
    apps = ["accounts", "dashboards", "indicators", "ingestion", "ops", "regions", "reports"]
    services = ROOT / "indicators" / "services"
    writes = {
        str(path.relative_to(ROOT)): lines
        for app in apps
        for path in (ROOT / app).rglob("*.py")
        if services not in path.parents
        and "migrations" not in path.parts
        and (lines := status_writes(path))
    }
    assert writes == {}
    assert status_writes(services / "actuals.py")  # the check does find them
