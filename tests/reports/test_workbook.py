"""The auditor's workbook, opened with openpyxl and with a real spreadsheet program."""

import json
import re
from decimal import Decimal
from io import StringIO

import openpyxl
import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.urls import reverse
from django.utils import timezone
from openpyxl.utils import get_column_letter

from indicators.demo import DEMO_PLANS
from indicators.models import Actual, AttainmentResult, Indicator, Plan, Target
from indicators.recompute import recompute
from indicators.services.actuals import (
    EntryRow,
    actual_approve,
    actual_return,
    actual_save,
    actual_submit,
    year_lock,
    year_unlock,
)
from reports import builder
from reports.models import ReportJob
from reports.services import reports_remove_expired

from .office import convert, pdf_text

FORMULA_NOTE = '=HYPERLINK("http://example.com","x")'


def export(tmp_path, *args):
    out = tmp_path / "report.xlsx"
    call_command("export_report", "--out", str(out), *args, stdout=StringIO())
    return openpyxl.load_workbook(out), out


def header(ws):
    return [c.value for c in ws[1]]


def rows_by_code(ws):
    names = header(ws)
    return {
        row[0]: dict(zip(names, row, strict=True))
        for row in ws.iter_rows(min_row=2, values_only=True)
    }


@pytest.mark.django_db
def test_sheets_and_headers(tmp_path, alice):
    wb, _ = export(tmp_path)
    assert wb.sheetnames == [
        "汇总",
        "zhejiang-13",
        "zhejiang-14",
        "jiaxing-2011",
        "jinhua-2023",
        "jiaojiang-13",
        "rizhao-14",
        "变更记录",
        "说明",
    ]
    plan_header = header(wb["zhejiang-13"])
    for column in [
        "指标编码",
        "指标名称",
        "类别",
        "单位",
        "责任单位",
        "基期年份",
        "基期值",
        "目标年份",
        "比较方式",
        "目标值",
        "目标表述",
        "2016年实际",
        "2020年实际",
        "判定用实际值",
        "判定用基期值",
        "判定用基期年份",
        "完成率(复算)",
        "完成率",
        "目标进度(复算)",
        "目标进度",
        "序时进度(复算)",
        "序时进度",
        "核对",
        "完成状态",
        "判定依据",
        "预测值",
        "出处",
        "原文",
        "来源冲突",
    ]:
        assert column in plan_header
    # Each recomputed ratio stands just left of the stored one, the check after them.
    at = plan_header.index("完成率(复算)")
    assert plan_header[at : at + 7] == [
        "完成率(复算)",
        "完成率",
        "目标进度(复算)",
        "目标进度",
        "序时进度(复算)",
        "序时进度",
        "核对",
    ]
    assert header(wb["变更记录"])[:10] == [
        "时间",
        "用户",
        "对象",
        "规划",
        "指标编码",
        "指标名称",
        "区划/年份",
        "字段",
        "原值",
        "新值",
    ]
    for name in wb.sheetnames[:-1]:
        assert wb[name].freeze_panes == "A2"
        assert wb[name].auto_filter.ref.startswith("A1:")
    method = " ".join(str(c.value) for c in wb["说明"]["A"])
    assert "目标进度不低于序时进度的 95%:符合序时进度" in method
    assert "目标进度不低于序时进度的 60%:滞后" in method


@pytest.mark.django_db
def test_values_match_the_database(tmp_path, alice):
    wb, _ = export(tmp_path, "--plan", "zhejiang-13")
    assert wb.sheetnames == ["汇总", "zhejiang-13", "变更记录", "说明"]
    rows = rows_by_code(wb["zhejiang-13"])
    farm = rows["T1-1-01"]
    assert (farm["目标值"], farm["基期值"], farm["2020年实际"]) == (98, 96, "98以上")
    assert farm["完成状态"] == "✔ 已达标"
    assert farm["判定依据"] == "实际 98%以上,达到目标 不低于 98%,判为已达标"
    centres = rows["T1-1-03"]
    assert (centres["2020年实际"], centres["完成状态"], centres["完成率"]) == (6, "■ 未达标", 0.6)
    assert (
        centres["判定依据"]
        == "已到目标年份 2020 年,实际 2016年以来累计新增 6,未达到目标 不低于 10,判为未达标"
    )
    assert (
        centres["原文"]
        == Indicator.objects.get(plan__slug="zhejiang-13", code="T1-1-03").source_text
    )
    summary = {r[0]: r for r in wb["汇总"].iter_rows(min_row=2, values_only=True)}
    names = header(wb["汇总"])
    zhejiang = dict(zip(names, summary["zhejiang-13"], strict=True))
    assert (zhejiang["已达标"], zhejiang["未达标"], zhejiang["达标率"]) == (19, 1, 0.95)
    assert (zhejiang["已达标数值目标"], zhejiang["有数据数值目标"]) == (19, 20)
    assert zhejiang["生成人"] == "alice"


@pytest.mark.django_db
def test_status_cells_are_filled_and_numbers_formatted(tmp_path, alice):
    wb, _ = export(tmp_path, "--plan", "zhejiang-13")
    ws = wb["zhejiang-13"]
    names = header(ws)
    status_col = names.index("完成状态") + 1
    target_col = names.index("目标值") + 1
    completion_col = names.index("完成率") + 1
    missed = next(r for r in ws.iter_rows(min_row=2) if r[0].value == "T1-1-03")
    achieved = next(r for r in ws.iter_rows(min_row=2) if r[0].value == "T1-1-01")
    assert missed[status_col - 1].fill.fgColor.rgb.endswith("FF9999")
    assert achieved[status_col - 1].fill.fgColor.rgb.endswith("C6EFCE")
    assert achieved[target_col - 1].number_format == '0.0"%"'
    assert achieved[completion_col - 1].number_format == "0.0%"


@pytest.mark.django_db
def test_text_that_looks_like_a_formula_stays_text(tmp_path, alice, bob, dave):
    indicator = Indicator.objects.get(plan__slug="jiaxing-2011", code="P-25")
    actual = actual_submit(
        user=bob,
        region=bob.profile.department.region,
        year=2013,
        rows=[EntryRow(indicator, "93", note=FORMULA_NOTE)],
    ).saved[0]
    actual_approve(user=dave, actuals=[actual])
    wb, path = export(tmp_path, "--plan", "jiaxing-2011")
    cells = [c for row in wb["变更记录"].iter_rows() for c in row if c.value == FORMULA_NOTE]
    assert cells and all(c.data_type == "s" for c in cells)
    raw = openpyxl.load_workbook(path, data_only=False)
    formula_columns = {"完成率(复算)", "目标进度(复算)", "序时进度(复算)", "核对"}
    for ws in raw:
        names = header(ws)
        for row in ws.iter_rows(min_row=2):
            for name, c in zip(names, row, strict=False):
                # Only the workbook's own recomputations are formulas, never a text.
                assert (c.data_type == "f") == (name in formula_columns), (ws.title, name)


@pytest.mark.django_db
def test_the_change_log_lists_who_changed_what_and_why(tmp_path, alice, bob, dave):
    indicator = Indicator.objects.get(plan__slug="jiaxing-2011", code="P-25")
    first = actual_save(
        user=bob, region=bob.profile.department.region, year=2013, rows=[EntryRow(indicator, "93")]
    ).saved[0]
    actual_submit(
        user=bob,
        region=bob.profile.department.region,
        year=2013,
        rows=[EntryRow(indicator, "93.5", version=first.version)],
    )
    wb, _ = export(tmp_path, "--plan", "jiaxing-2011")
    names = header(wb["变更记录"])
    log = [
        dict(zip(names, r, strict=True))
        for r in wb["变更记录"].iter_rows(min_row=2, values_only=True)
    ]
    change = next(r for r in log if r["字段"] == "填报原文" and r["新值"] == "93.5")
    assert (change["用户"], change["原值"], change["原因"], change["区划/年份"]) == (
        "bob",
        "93",
        "提交审核",
        "嘉兴市/2013年",
    )


@pytest.mark.django_db
def test_an_unknown_plan_or_bad_file_name_is_refused(tmp_path, alice):
    with pytest.raises(CommandError, match="no-such"):
        export(tmp_path, "--plan", "no-such")
    with pytest.raises(CommandError, match="xlsx"):
        call_command("export_report", "--out", str(tmp_path / "r.csv"))


@pytest.mark.libreoffice
@pytest.mark.django_db
def test_libreoffice_prints_the_summary_on_one_page_wide(tmp_path, alice):
    _, path = export(tmp_path)
    pdf = convert(path, "pdf", tmp_path / "pdf")
    first_page = pdf_text(pdf, last=1)
    # The first and the last column of 汇总 on the first page, the page header above them.
    assert "质量规划审计报表 · 汇总" in first_page
    assert "规划标识" in first_page and "生成人" in first_page
    assert "第 1 页" in first_page


@pytest.mark.django_db
def test_auditors_request_a_report_and_download_it(
    client, frank, bob, django_capture_on_commit_callbacks
):
    client.force_login(frank)
    page = client.get(reverse("reports:list"))
    assert page.status_code == 200
    with django_capture_on_commit_callbacks(execute=True):  # queued once the request commits
        client.post(reverse("reports:list"), {"plans": ["zhejiang-13"]})
    job = ReportJob.objects.get()
    assert (job.state, job.total_plans, job.done_plans) == ("done", 1, 1)
    status = client.get(reverse("reports:status", args=[job.pk])).json()
    assert status["percent"] == 100
    download = client.get(reverse("reports:download", args=[job.pk]))
    assert download.status_code == 200
    assert b"".join(download.streaming_content).startswith(b"PK")
    client.force_login(bob)
    assert client.get(reverse("reports:list")).status_code == 403
    assert client.get(reverse("reports:download", args=[job.pk])).status_code == 403


@pytest.mark.django_db
def test_expired_reports_are_removed(
    client, frank, settings, tmp_path, django_capture_on_commit_callbacks
):
    settings.REPORTS_DIR = tmp_path
    client.force_login(frank)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("reports:list"), {"plans": ["zhejiang-13"]})
    job = ReportJob.objects.get()
    assert (tmp_path / job.file_name).exists()
    assert reports_remove_expired(now=job.expires_at) == 1
    job.refresh_from_db()
    assert job.state == "expired" and not list(tmp_path.iterdir())
    assert client.get(reverse("reports:download", args=[job.pk])).status_code == 404


@pytest.mark.django_db
def test_the_export_shows_only_what_the_user_may_see(tmp_path, bob, carol, dave):
    indicator = Indicator.objects.get(plan__slug="jiaxing-2011", code="P-37")
    actual = actual_submit(
        user=carol,
        region=carol.profile.department.region,
        year=2013,
        rows=[EntryRow(indicator, "120", explanation="认证推迟", next_steps="集中辅导")],
    ).saved[0]
    actual_approve(user=dave, actuals=[actual])
    out = tmp_path / "bob.xlsx"
    call_command(
        "export_report",
        "--plan",
        "jiaxing-2011",
        "--user",
        "bob",
        "--out",
        str(out),
        stdout=StringIO(),
    )
    wb = openpyxl.load_workbook(out)
    assert rows_by_code(wb["jiaxing-2011"])["P-37"]["2013年实际"] is None
    actual_changes = [r for r in wb["变更记录"].iter_rows(values_only=True) if r[2] == "实际值"]
    assert not any(r[4] == "P-37" for r in actual_changes)
    assert Actual.objects.get(pk=actual.pk).value == Decimal("120")


@pytest.mark.django_db
def test_raw_tables_export_with_chinese_columns(client, frank, erin):
    client.force_login(frank)
    url = reverse("admin:indicators_target_export")
    page = client.get(url)
    assert page.status_code == 200
    response = client.post(
        url,
        {
            "format": "1",
            "resource": "0",
            **{
                f"targetexportresource_{f}": "on"
                for f in ["plan_slug", "indicator_code", "year", "value", "raw"]
            },
        },
    )
    text = response.content.decode("utf-8-sig")
    assert text.splitlines()[0].startswith("规划标识,指标编码")
    client.force_login(erin)
    assert client.get(url).status_code == 403


def cell_facts(ws, *, skip_columns=()):
    """Every cell's value and look, for comparing two workbooks."""
    return [
        [
            (c.value, c.data_type, c.number_format, c.fill.fgColor.rgb, c.quotePrefix)
            for n, c in enumerate(row)
            if n not in skip_columns
        ]
        for row in ws.iter_rows()
    ]


@pytest.mark.django_db
def test_above_the_plan_sheet_limit_rows_go_to_one_sheet_with_a_plan_column(
    tmp_path, alice, monkeypatch
):
    monkeypatch.setattr(builder, "MAX_PLAN_SHEETS", 2)
    wb, _ = export(
        tmp_path, "--plan", "zhejiang-13", "--plan", "jiaxing-2011", "--plan", "rizhao-14"
    )
    assert wb.sheetnames == ["汇总", "指标明细", "变更记录", "说明"]
    ws = wb["指标明细"]
    names = header(ws)
    assert names[:2] == ["规划标识", "指标编码"]
    assert names.count("2011年实际") == 1 and "2025年实际" in names  # every plan's years
    assert "核对" in names and "判定依据" not in names  # the sentence: in each plan's own sheet
    assert ws.freeze_panes == "A2"
    assert ws.auto_filter.ref == f"A1:{get_column_letter(len(names))}{ws.max_row}"
    rows = [dict(zip(names, r, strict=True)) for r in ws.iter_rows(min_row=2, values_only=True)]
    assert [r["规划标识"] for r in rows] == sorted(
        (r["规划标识"] for r in rows), key=["zhejiang-13", "jiaxing-2011", "rizhao-14"].index
    )
    farm = next(r for r in rows if (r["规划标识"], r["指标编码"]) == ("zhejiang-13", "T1-1-01"))
    assert (farm["目标值"], farm["基期值"], farm["2020年实际"], farm["完成状态"]) == (
        98,
        96,
        "98以上",
        "✔ 已达标",
    )
    assert farm["2011年实际"] is None  # a year outside the plan's period
    cells = {(r[0].value, r[1].value): r for r in ws.iter_rows(min_row=2)}
    missed, achieved = cells["zhejiang-13", "T1-1-03"], cells["zhejiang-13", "T1-1-01"]
    assert missed[names.index("完成状态")].fill.fgColor.rgb.endswith("FF9999")
    assert achieved[names.index("完成状态")].fill.fgColor.rgb.endswith("C6EFCE")
    assert achieved[names.index("目标值")].number_format == '0.0"%"'
    assert achieved[names.index("完成率")].number_format == "0.0%"
    assert achieved[names.index("原文")].alignment.wrap_text


@pytest.mark.django_db(transaction=True)
def test_two_worker_processes_write_the_same_one_sheet_workbook(tmp_path, plans, monkeypatch):
    if connection.vendor != "postgresql":
        pytest.skip("worker processes are used on PostgreSQL only")
    get_user_model().objects.create_superuser("alice", "alice@example.com", "pw-alice-1")
    # Formula-like text in a part written by a worker: stored as text, with quotePrefix.
    Target.objects.filter(indicator__plan__slug="rizhao-14").update(raw=FORMULA_NOTE)
    monkeypatch.setattr(builder, "MAX_PLAN_SHEETS", 2)
    monkeypatch.setattr(builder, "PARALLEL_MIN_ROWS", 10**9)
    alone, _ = export(tmp_path)
    forks = []
    run_in_workers = builder.run_in_workers
    monkeypatch.setattr(
        builder, "run_in_workers", lambda jobs: forks.append(len(jobs)) or run_in_workers(jobs)
    )
    monkeypatch.setattr(builder, "PARALLEL_MIN_ROWS", 1)
    shared, _ = export(tmp_path)
    assert forks == [2]
    assert shared.sheetnames == alone.sheetnames == ["汇总", "指标明细", "变更记录", "说明"]
    generated_at = header(alone["汇总"]).index("报表生成时间")
    assert cell_facts(shared["汇总"], skip_columns={generated_at}) == cell_facts(
        alone["汇总"], skip_columns={generated_at}
    )
    for name in ["指标明细", "变更记录", "说明"]:
        assert cell_facts(shared[name]) == cell_facts(alone[name])
    ws = shared["指标明细"]
    assert ws.auto_filter.ref == alone["指标明细"].auto_filter.ref
    assert ws.freeze_panes == "A2"
    plans_seen = [r[0] for r in ws.iter_rows(min_row=2, values_only=True)]
    assert len(set(plans_seen)) == 6 and len(plans_seen) == Target.objects.count()
    quoted = [c for row in ws.iter_rows(min_row=2) for c in row if c.value == FORMULA_NOTE]
    assert quoted and all(c.data_type == "s" and c.quotePrefix for c in quoted)


@pytest.mark.django_db
def test_a_plan_without_data_is_judged_at_the_year_the_attainment_command_gives(tmp_path, alice):
    out = StringIO()
    call_command("attainment", "--plan", "jinhua-2023", "--format", "json", stdout=out)
    command_year = json.loads(out.getvalue())["rollups"][0]["year"]
    wb, _ = export(tmp_path, "--plan", "jinhua-2023")
    names = header(wb["汇总"])
    jinhua = dict(zip(names, next(wb["汇总"].iter_rows(min_row=2, values_only=True)), strict=True))
    # No figure yet: the current year within 2023-2027, not the plan's last year ahead of time.
    assert jinhua["评价年份"] == command_year == min(2027, timezone.now().year)


def sheet_rows(ws):
    names = header(ws)
    return [dict(zip(names, r, strict=True)) for r in ws.iter_rows(min_row=2, values_only=True)]


@pytest.mark.django_db
def test_the_ratios_are_recomputed_by_formulas_over_the_cells_beside_them(tmp_path, alice, demo):
    wb, _ = export(tmp_path, "--plan", "rizhao-14")
    ws = wb["rizhao-14"]
    names = header(ws)
    col = {name: get_column_letter(n) for n, name in enumerate(names, start=1)}
    a, b, y0 = col["判定用实际值"], col["判定用基期值"], col["判定用基期年份"]
    t, target_year, y = col["目标值"], col["目标年份"], col["评价年份"]
    row = next(r for r in sheet_rows(ws) if r["指标编码"] == "P-02")  # 定检率, 滞后
    n = 1 + [r["指标编码"] for r in sheet_rows(ws)].index("P-02") + 1
    assert row["完成率(复算)"] == f'=IF(OR({a}{n}="",{t}{n}=0),"",{a}{n}/{t}{n})'
    assert row["目标进度(复算)"] == (
        f'=IF(OR({a}{n}="",{b}{n}=""),"",IF({t}{n}={b}{n},"",({a}{n}-{b}{n})/({t}{n}-{b}{n})))'
    )
    assert row["序时进度(复算)"] == (
        f'=IF({y0}{n}="","",IF({target_year}{n}={y0}{n},1,'
        f"MIN(1,MAX(0,({y}{n}-{y0}{n})/({target_year}{n}-{y0}{n})))))"
    )
    assert row["核对"].startswith("=IF(AND(") and row["核对"].endswith(',"一致","不一致")')
    stored = AttainmentResult.objects.get(
        target__indicator__plan__slug="rizhao-14",
        target__indicator__code="P-02",
        region=Plan.objects.get(slug="rizhao-14").region,
        year=2024,
    )
    assert (row["判定用实际值"], row["判定用基期值"], row["判定用基期年份"]) == (
        float(stored.actual),
        float(stored.baseline_value),
        stored.baseline_year,
    )
    assert (row["完成率"], row["目标进度"], row["序时进度"]) == (
        float(stored.completion),
        float(stored.progress),
        float(stored.elapsed),
    )
    assert row["完成状态"] == "◆ 滞后"
    assert row["判定依据"].startswith("目标进度 59.8%,低于序时进度 75.0% 的九成五(71.3%)")


@pytest.mark.django_db
def test_a_lower_is_better_target_is_recomputed_as_target_over_actual(tmp_path, alice):
    wb, _ = export(tmp_path, "--plan", "rizhao-14")
    ws = wb["rizhao-14"]
    col = {name: get_column_letter(n) for n, name in enumerate(header(ws), start=1)}
    rows = sheet_rows(ws)
    n = [r["指标编码"] for r in rows].index("Z2-03") + 2  # 不合格发现率稳定在10%以下
    a, t = col["判定用实际值"] + str(n), col["目标值"] + str(n)
    assert rows[n - 2]["比较方式"] == "≤"
    assert rows[n - 2]["完成率(复算)"] == f'=IF(OR({a}="",{a}=0),"",{t}/{a})'


@pytest.mark.libreoffice
@pytest.mark.django_db
def test_libreoffice_recomputes_every_ratio_and_it_agrees_with_the_stored_one(
    tmp_path, alice, demo, monkeypatch
):
    # One stored figure altered behind the engine's back: its row, and only its, disagrees.
    plan = Plan.objects.get(slug="rizhao-14")
    altered = (
        AttainmentResult.objects.filter(
            plan=plan, region=plan.region, year=2024, completion__isnull=False
        )
        .select_related("target__indicator")
        .order_by("target__indicator__code")
        .first()
    )
    AttainmentResult.objects.filter(pk=altered.pk).update(completion=altered.completion + 1)
    slug_of = dict(Plan.objects.values_list("pk", "slug"))
    _, path = export(tmp_path)
    computed = openpyxl.load_workbook(convert(path, "xlsx", tmp_path / "lo"), data_only=True)
    by_plan = {slug: sheet_rows(computed[slug]) for slug in slug_of.values()}
    # The one sheet of a national scope, the plan in its first column.
    monkeypatch.setattr(builder, "MAX_PLAN_SHEETS", 2)
    one = tmp_path / "one"
    one.mkdir()
    _, path = export(one)
    computed = openpyxl.load_workbook(convert(path, "xlsx", one / "lo"), data_only=True)
    together = sheet_rows(computed["指标明细"])
    for rows, plan_of in [
        *((rows, lambda row, slug=slug: slug) for slug, rows in by_plan.items()),
        (together, lambda row: row["规划标识"]),
    ]:
        for row in rows:
            changed = (plan_of(row), row["指标编码"], row["目标年份"]) == (
                slug_of[altered.plan_id],
                altered.target.indicator.code,
                altered.target.year,
            )
            assert row["核对"] == ("不一致" if changed else "一致"), row
    assert sum(len(rows) for rows in by_plan.values()) == len(together) == Target.objects.count()
    with_data = [r for p in DEMO_PLANS for r in by_plan[p] if r["完成率"] is not None]
    assert len(with_data) > 100  # the demo plans' ratios were recomputed, not only blanks


@pytest.mark.django_db
def test_every_sheet_prints_landscape_one_page_wide_with_the_plan_named_atop(tmp_path, alice):
    wb, _ = export(tmp_path)
    for ws in wb:
        assert ws.page_setup.orientation == "landscape", ws.title
        assert ws.sheet_properties.pageSetUpPr.fitToPage, ws.title
        assert (ws.page_setup.fitToWidth, ws.page_setup.fitToHeight) == (1, 0), ws.title
        assert ws.print_title_rows == "$1:$1", ws.title
        assert ws.oddFooter.center.text == "第 &P 页,共 &N 页"
    assert wb["rizhao-14"].oddHeader.center.text == ("日照市“十四五”质量发展规划(日照市 2021—2025)")
    assert wb["汇总"].oddHeader.center.text == "质量规划审计报表 · 汇总"


@pytest.mark.django_db
def test_columns_fit_their_chinese_content(tmp_path, alice):
    wb, _ = export(tmp_path)
    summary = wb["汇总"]
    names = header(summary)
    title = get_column_letter(names.index("规划名称") + 1)
    longest = max(len(p.title) for p in Plan.objects.all())
    assert summary.column_dimensions[title].width == min(36, 2 * longest + 2)
    assert all(c.alignment.wrap_text for c in summary[title][1:])
    ws = wb["jiaxing-2011"]
    code = get_column_letter(header(ws).index("指标编码") + 1)
    assert ws.column_dimensions[code].width == 9  # "指标编码" and a margin; "P-25" is narrower


@pytest.mark.django_db
def test_each_plan_load_is_one_line_of_the_change_log(tmp_path, alice):
    wb, _ = export(tmp_path)
    log = sheet_rows(wb["变更记录"])
    loads = [r for r in log if r["操作"] == "载入"]
    assert sorted(r["规划"] for r in loads) == sorted(Plan.objects.values_list("slug", flat=True))
    assert not [r for r in log if r["用户"] == "系统" and r["操作"] != "载入"]
    zhejiang = next(r for r in loads if r["规划"] == "zhejiang-13")
    assert zhejiang["用户"] == "系统" and zhejiang["原因"] == "载入规划文件"
    assert zhejiang["新值"].startswith("来源文件 003_d20cb9f0f27c0c7e.txt:新增实际值 20 条")
    assert "新增目标值 20 条" in zhejiang["新值"] and "新增基期值 20 条" in zhejiang["新值"]

    detailed, _ = export(tmp_path, "--with-load-detail")
    rows = sheet_rows(detailed["变更记录"])
    assert not [r for r in rows if r["操作"] == "载入"]
    targets = [
        r for r in rows if (r["对象"], r["字段"], r["规划"]) == ("目标值", "目标值", "zhejiang-13")
    ]
    assert len(targets) == 20 and all(r["用户"] == "系统" for r in targets)
    farm = next(r for r in targets if r["指标编码"] == "T1-1-01")
    assert (farm["原值"], farm["新值"], farm["操作"]) == ("", "98%", "新增")


CODE_WORDS = re.compile(
    r"\b(gte|gt|lte|lt|eq|range|qualitative|draft|submitted|approved|returned|level|new)\b"
    r"|\b[a-z]+_[a-z_]+\b|\d\.\d{5,}"
)


@pytest.mark.django_db
def test_the_change_log_says_peoples_changes_in_words(tmp_path, alice, bob, dave, grace):
    indicator = Indicator.objects.get(plan__slug="jiaxing-2011", code="P-25")
    region = bob.profile.department.region
    draft = actual_save(user=bob, region=region, year=2013, rows=[EntryRow(indicator, "93以上")])
    sent = actual_submit(
        user=bob,
        region=region,
        year=2013,
        rows=[EntryRow(indicator, "93.5", version=draft.saved[0].version)],
    ).saved[0]
    actual_return(user=dave, actuals=[sent], reason="请附佐证")
    sent.refresh_from_db()
    again = actual_submit(
        user=bob, region=region, year=2013, rows=[EntryRow(indicator, "93.5", version=sent.version)]
    ).saved[0]
    actual_approve(user=dave, actuals=[again])
    plan = indicator.plan
    year_lock(user=dave, plan=plan, year=2013)
    year_unlock(user=grace, plan=plan, year=2013, reason="更正数据")
    wb, _ = export(tmp_path, "--plan", "jiaxing-2011")
    log = [r for r in sheet_rows(wb["变更记录"]) if r["操作"] != "载入"]
    said = {(r["用户"], r["字段"], r["原值"], r["新值"], r["原因"]) for r in log}
    assert ("bob", "状态", "", "草稿", "保存草稿") in said
    assert ("bob", "限定", "", "以上", "保存草稿") in said
    assert ("bob", "实际值", "", "93%", "保存草稿") in said  # at the indicator's precision
    assert ("bob", "实际值", "93%", "93.5%", "提交审核") in said  # never fewer places than typed
    assert ("bob", "状态", "草稿", "已提交", "提交审核") in said
    assert ("dave", "状态", "已提交", "退回", "退回:请附佐证") in said
    assert ("dave", "状态", "已提交", "已审核", "审核通过") in said
    assert ("dave", "已锁定", "", "是", "锁定") in said
    assert ("grace", "已锁定", "是", "否", "解锁:更正数据") in said
    locked = next(r for r in log if r["原因"] == "锁定")
    assert (locked["对象"], locked["区划/年份"]) == ("年度", "2013年")
    for row in log:
        for value in row.values():
            assert not (isinstance(value, str) and CODE_WORDS.search(value)), row


@pytest.mark.django_db
def test_the_departments_reasons_stand_beside_the_status_and_in_the_change_log(
    tmp_path, alice, carol, dave
):
    indicator = Indicator.objects.get(plan__slug="jiaxing-2011", code="P-37")
    actual = actual_submit(
        user=carol,
        region=carol.profile.department.region,
        year=2013,
        rows=[
            EntryRow(indicator, "120", explanation="两家龙头企业推迟认证", next_steps="集中辅导")
        ],
    ).saved[0]
    actual_approve(user=dave, actuals=[actual])
    recompute(plan_ids=[indicator.plan_id])  # as the run the approval queued does
    wb, _ = export(tmp_path, "--plan", "jiaxing-2011")
    row = rows_by_code(wb["jiaxing-2011"])["P-37"]
    assert (row["评价年份"], row["完成状态"]) == (2013, "✖ 严重滞后")
    assert (row["情况说明"], row["下一步措施"]) == ("两家龙头企业推迟认证", "集中辅导")
    said = [r for r in sheet_rows(wb["变更记录"]) if r["字段"] == "情况说明"]
    assert [r["新值"] for r in said] == ["两家龙头企业推迟认证"]
