"""`manage.py extract_targets`: the fields of export_targets plus confidence and position."""

import csv
import io
import json

import pytest
from django.core.management import CommandError, call_command

from indicators.target_fields import TARGET_FIELDS

from .conftest import PLAN_TITLE, PROSE, make_docx, make_pdf

FIELDS = [*TARGET_FIELDS, "confidence", "position"]


def run(*args):
    out = io.StringIO()
    call_command("extract_targets", *map(str, args), stdout=out)
    return out.getvalue()


@pytest.fixture
def docx_file(tmp_path):
    path = tmp_path / "规划.docx"
    path.write_bytes(make_docx())
    return path


def test_json_records_have_the_export_fields(docx_file):
    records = json.loads(run(docx_file, "--period", "2021-2025", "--format", "json"))
    assert records and all(list(r) == FIELDS for r in records)
    rate = next(r for r in records if r["name"] == "产品质量抽查合格率")
    assert rate["target_value"] == 96 and rate["baseline_value"] == 94
    assert rate["source"] == "表1" and rate["confidence"] == 0.95
    assert isinstance(rate["position"], int) and rate["indicator_code"] is None


def test_json_is_laid_out_one_field_a_line(docx_file):
    out = run(docx_file, "--period", "2021-2025")
    assert out == json.dumps(json.loads(out), ensure_ascii=False, indent=2) + "\n"


def test_csv_has_the_export_fields(docx_file):
    rows = list(csv.DictReader(io.StringIO(run(docx_file, "--period=2021-2025", "--format=csv"))))
    assert rows and list(rows[0]) == FIELDS
    rate = next(r for r in rows if r["name"] == "消费品不合格发现率")
    assert (rate["comparator"], rate["target_value"], rate["baseline_value"]) == ("lte", "10", "")


def test_period_defaults_to_the_title_and_plan_slug_is_written(tmp_path):
    path = tmp_path / "plan.pdf"
    path.write_bytes(
        make_pdf([PLAN_TITLE, "一、主要目标", "到2025年,全市产品质量抽查合格率达到96%以上。"])
    )
    records = json.loads(run(path, "--plan", "demo-14"))
    assert [(r["plan"], r["name"], r["target_year"]) for r in records] == [
        ("demo-14", "产品质量抽查合格率", 2025)
    ]


def test_a_document_with_no_targets_prints_nothing(tmp_path):
    path = tmp_path / "notice.txt"
    path.write_text("关于召开质量工作会议的通知\n请各单位准时参加。\n", encoding="gb18030")
    assert json.loads(run(path, "--period", "2021-2025")) == []
    assert run(path, "--period", "2021-2025", "--format", "csv").strip() == ",".join(FIELDS)


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("bad.docx", b"not a zip", r"不是有效的 Word\(\.docx\)文档"),
        ("bad.pdf", b"%PDF-1.4 nothing", "不是有效的 PDF"),
        ("plan.xls", b"x", "不支持的文件类型"),
    ],
)
def test_bad_files_raise_command_error_in_chinese(tmp_path, name, data, message):
    path = tmp_path / name
    path.write_bytes(data)
    with pytest.raises(CommandError, match=message):
        run(path, "--period", "2021-2025")


def test_period_errors(tmp_path):
    path = tmp_path / "plan.txt"
    path.write_text("关于加快建设质量强市的实施方案\n" + PROSE, encoding="utf-8")
    with pytest.raises(CommandError, match="无法从文件标题推断规划期"):
        run(path)
    with pytest.raises(CommandError, match="规划期应写作"):
        run(path, "--period", "2025-2021")
