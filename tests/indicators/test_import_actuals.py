"""Spreadsheet upload of actuals: all rows or none, every error by row and column."""

import csv
from io import BytesIO, StringIO

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from indicators.models import Actual, Plan
from indicators.services.actuals import year_lock

HEADER = ["plan", "indicator", "region", "year", "value", "note"]
GOOD = [
    ["jiaxing-2011", "P-25", "330400", "2013", "92.5", ""],
    ["jiaxing-2011", "P-26", "", "2013", "93以上", "食品抽检"],
    ["jiaxing-2011", "P-29", "330400", "2013", "８５．２", ""],
]


def write_csv(tmp_path, rows, header=HEADER, name="actuals.csv"):
    path = tmp_path / name
    with open(path, "w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def run(path, user, *flags):
    out, err = StringIO(), StringIO()
    call_command("import_actuals", str(path), "--user", user, *flags, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def xlsx_upload(workbook):
    buffer = BytesIO()
    workbook.save(buffer)
    return SimpleUploadedFile("filled.xlsx", buffer.getvalue())


def jiaxing_actuals():
    return Actual.objects.filter(indicator__plan__slug="jiaxing-2011")


@pytest.mark.django_db
def test_a_good_file_is_imported_as_submitted(tmp_path, bob):
    out, _ = run(write_csv(tmp_path, GOOD), "bob")
    assert "3 new" in out
    rows = {a.indicator.code: a for a in jiaxing_actuals()}
    assert (rows["P-26"].raw, rows["P-26"].qualifier, rows["P-26"].status) == (
        "93以上",
        "gte",
        "submitted",
    )
    assert str(rows["P-29"].value.normalize()) == "85.2"
    assert rows["P-25"].history.first().history_change_reason == "导入"


@pytest.mark.django_db
def test_approve_needs_a_reviewer(tmp_path, bob, dave):
    path = write_csv(tmp_path, GOOD)
    with pytest.raises(CommandError, match="reviewer"):
        run(path, "bob", "--approve")
    run(path, "dave", "--approve")
    assert {a.status for a in jiaxing_actuals()} == {"approved"}
    assert {a.reviewed_by for a in jiaxing_actuals()} == {dave}


@pytest.mark.django_db
def test_dry_run_writes_nothing(tmp_path, bob):
    out, _ = run(write_csv(tmp_path, GOOD), "bob", "--dry-run")
    assert "Would import 3" in out
    assert not jiaxing_actuals().exists()


BAD_ROWS = [
    (["no-such-plan", "P-25", "", "2013", "92", ""], "indicator", "没有编码"),
    (["jiaxing-2011", "P-99", "", "2013", "92", ""], "indicator", "没有编码"),
    (["jiaxing-2011", "P-37", "", "2013", "120", ""], "indicator", "不属于您所在的单位"),
    (["jiaxing-2011", "P-27", "", "2013", "九十", ""], "value", "不是有效的数值"),
    (["jiaxing-2011", "P-27", "", "2013", "101", ""], "value", "0 到 100"),
    (["jiaxing-2011", "P-27", "", "2019", "95", ""], "year", "不在规划期"),
    (["jiaxing-2011", "P-27", "", "2012", "95", ""], "year", "已锁定"),
    (["jiaxing-2011", "P-25", "", "2013", "95", ""], "indicator", "重复"),
    (["jiaxing-2011", "P-27", "330700", "2013", "95", ""], "region", "无权填报"),
    (["jiaxing-2011", "P-27", "999999", "2013", "95", ""], "region", "没有代码"),
    (["jiaxing-2011", "P-27", "", "2013", "1" * 15, ""], "value", "整数部分最多 14 位"),
    (["jiaxing-2011", "P-27", "", "2013", "99999999亿", ""], "value", "小数最多 6 位"),
    (["jiaxing-2011", "P-27", "", "2013", "95", "长" * 2001], "note", "最多 2000 字"),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("bad", "column", "message"), BAD_ROWS, ids=[m for _, _, m in BAD_ROWS])
def test_one_bad_last_row_and_nothing_is_written(tmp_path, bob, dave, bad, column, message):
    year_lock(user=dave, plan=Plan.objects.get(slug="jiaxing-2011"), year=2012)
    path = write_csv(tmp_path, [*GOOD, bad])
    err = StringIO()
    with pytest.raises(CommandError, match="nothing was imported"):
        call_command("import_actuals", str(path), "--user", "bob", stderr=err)
    assert not jiaxing_actuals().exists()
    assert f"第4行 [{column}]: " in err.getvalue()
    assert message in err.getvalue()


@pytest.mark.django_db
def test_missing_columns_and_wrong_file_types_are_refused(tmp_path, bob):
    with pytest.raises(CommandError):
        run(write_csv(tmp_path, [["jiaxing-2011", "P-25"]], header=["plan", "indicator"]), "bob")
    bad = tmp_path / "actuals.txt"
    bad.write_text("x")
    with pytest.raises(CommandError, match="xlsx"):
        run(bad, "bob")
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(b"PK\x03\x04 not really a zip")
    with pytest.raises(CommandError, match="不是有效的 XLSX"):
        run(broken, "bob")
    assert not jiaxing_actuals().exists()


@pytest.mark.django_db
def test_chinese_headings_are_accepted(tmp_path, bob):
    path = write_csv(
        tmp_path, GOOD, header=["规划标识", "指标编码", "区划代码", "年份", "数值", "说明"]
    )
    run(path, "bob")
    assert jiaxing_actuals().count() == 3


@pytest.mark.django_db
def test_the_template_round_trips_through_the_admin_upload(client, bob):
    client.force_login(bob)
    department = bob.profile.department
    response = client.get(
        reverse("admin:indicators_actual_entry_template"),
        {"department": department.pk, "year": 2013},
    )
    wb = openpyxl.load_workbook(BytesIO(response.content))
    ws = wb.active
    assert [c.value for c in ws[1]][:6] == [
        "规划标识",
        "指标编码",
        "区划代码",
        "年份",
        "数值",
        "说明",
    ]
    codes = [row[1].value for row in ws.iter_rows(min_row=2)]
    assert codes == ["P-23", "P-24", "P-25", "P-26", "P-27", "P-28", "P-29", "P-30"]
    ws["E4"] = "92.8"  # P-25
    ws["E5"] = "abc"  # P-26: bad
    upload = xlsx_upload(wb)
    url = reverse("admin:indicators_actual_import")
    preview = client.post(url, {"format": "0", "import_file": upload, "resource": "0"})
    html = preview.content.decode()
    assert "不是有效的数值" in html
    assert reverse("admin:indicators_actual_process_import") not in html
    assert not jiaxing_actuals().exists()

    ws["E5"] = "93.1"
    upload = xlsx_upload(wb)
    preview = client.post(url, {"format": "0", "import_file": upload, "resource": "0"})
    assert preview.status_code == 200
    assert not jiaxing_actuals().exists()  # a preview writes nothing
    confirm = preview.context["confirm_form"]
    done = client.post(
        reverse("admin:indicators_actual_process_import"),
        {k: v for k, v in confirm.initial.items()},
    )
    assert done.status_code == 302
    assert {a.indicator.code: a.raw for a in jiaxing_actuals()} == {"P-25": "92.8", "P-26": "93.1"}
