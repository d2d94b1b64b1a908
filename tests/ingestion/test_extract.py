"""The rule-based extractor, on small texts written for these tests (not the seeds)."""

import json
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest

from ingestion.extract import RECORD_FIELDS, TARGET_FIELDS, Proposal, extract, main, to_record

ROOT = Path(__file__).resolve().parents[2]


def run(text, start=2021, end=2025):
    return extract(text, period_start=start, period_end=end)


def only(text, start=2021, end=2025) -> Proposal:
    found = [p for p in run(text, start, end) if p.comparator != "qualitative"]
    assert len(found) == 1, found
    return found[0]


# --------------------------------------------------------------------------- tables

TABLE = """表3-1 某市“十四五”质量发展主要指标

类别

指标

单位

2020年

2025年目标

质量

提升

产品质量抽查合格率

%

94

96以上

消费品不合格发现率

%

12

10

标准

建设

制定团体标准(新增)

-

80

培育品牌企业(累计)

30

60

三、主要任务
"""


def test_table_rows_are_grouped_by_columns_with_categories_split_over_lines():
    found = run(TABLE)
    assert [p.name for p in found] == [
        "产品质量抽查合格率",
        "消费品不合格发现率",
        "制定团体标准(新增)",
        "培育品牌企业(累计)",
    ]
    assert [p.category for p in found] == ["质量提升", "质量提升", "标准建设", "标准建设"]
    assert all(p.source == "表3-1" and p.confidence >= 0.9 for p in found)


def test_table_target_column_is_the_target_and_the_earlier_year_the_baseline():
    p = run(TABLE)[0]
    assert (p.target_year, p.target_value, p.raw, p.comparator) == (
        2025,
        Decimal(96),
        "96以上",
        "gte",
    )
    assert (p.baseline_year, p.baseline_value) == (2020, Decimal(94))
    assert p.year_implied is False
    assert p.quote == "产品质量抽查合格率 | % | 94 | 96以上"


def test_table_row_with_empty_unit_and_dash_baseline():
    p = run(TABLE)[2]
    assert (p.unit, p.baseline_value, p.target_value) == ("", None, Decimal(80))


def test_table_bare_number_for_a_falling_rate_is_a_ceiling():
    p = run(TABLE)[1]
    assert (p.comparator, p.direction) == ("lte", "lower")


def test_table_new_and_cumulative_markers_set_the_measure():
    found = run(TABLE)
    assert [p.measure for p in found] == ["level", "level", "new", "cumulative"]


PREVIOUS_PLAN_TABLE = """表1  “十三五”主要指标完成情况

指标

单位

2015年

2020年

规划

2020年

完成

农产品抽检合格率

%

96

98

98以上

质检中心(新增)

4

10

6
"""


def test_achieved_column_is_not_a_target():
    found = run(PREVIOUS_PLAN_TABLE, 2016, 2020)
    assert [(p.name, p.target_value, p.baseline_value) for p in found] == [
        ("农产品抽检合格率", Decimal(98), Decimal(96)),
        ("质检中心(新增)", Decimal(10), Decimal(4)),
    ]
    assert all(p.target_year == 2020 for p in found)


def test_table_whose_target_year_lies_outside_the_period_is_left_out():
    assert run(PREVIOUS_PLAN_TABLE, 2021, 2025) == []


def test_table_with_serial_column_and_unit_in_the_name():
    cells = ["主要指标表", "序号", "指标名称", "2025年目标", "1", "产品合格率(%)", "95"]
    text = "\n\n".join([*cells, "2", "驰名商标(件)", "3"]) + "\n"
    found = run(text)
    assert [(p.name, p.unit, p.target_value) for p in found] == [
        ("产品合格率", "%", Decimal(95)),
        ("驰名商标", "件", Decimal(3)),
    ]


# --------------------------------------------------------------------------- bullets

BOX = """专栏2 标准化主要目标

· 承担团体标准多于120项,承担省地方标准多于30项;
· 社会公用计量标准不少于150项;
· 企业标准自我声明公开率达到90%以上。
"""


def test_bullets_in_a_box_each_give_a_target_dated_at_the_period_end():
    found = run(BOX)
    assert [(p.name, p.comparator, p.target_value) for p in found] == [
        ("团体标准", "gt", Decimal(120)),
        ("省地方标准", "gt", Decimal(30)),
        ("社会公用计量标准", "gte", Decimal(150)),
        ("企业标准自我声明公开率", "gte", Decimal(90)),
    ]
    assert all(p.target_year == 2025 and p.year_implied for p in found)
    assert all(p.source == "专栏2 标准化主要目标" for p in found)


# --------------------------------------------------------------------------- prose


def test_prose_sentence_with_year_and_floor():
    p = only("(三)产品质量\n\n到2024年,全市产品质量监督抽查合格率达到95%以上,群众满意。\n")
    assert p.name == "产品质量监督抽查合格率"
    assert (p.target_year, p.year_implied, p.comparator, p.unit) == (2024, False, "gte", "%")
    assert p.raw == "达到95%以上"
    assert p.confidence >= 0.85
    assert p.quote.startswith("到2024年,全市产品质量")


@pytest.mark.parametrize(
    ("sentence", "comparator", "value", "value_max"),
    [
        ("到2025年,服务满意度达到85分。", "gte", "85", None),
        ("到2025年,服务满意度达85分。", "gte", "85", None),
        ("到2025年,食品抽检合格率98%以上。", "gte", "98", None),
        ("到2025年,农产品抽检量不少于4批次/千人/年。", "gte", "4", None),
        ("到2025年,承担行业标准多于60项。", "gt", "60", None),
        ("到2025年,有效注册商标超过5万件。", "gt", "5", None),
        ("到2025年,消费品不合格发现率8%以下。", "lte", "8", None),
        ("到2025年,重点产品不合格率不超过3%。", "lte", "3", None),
        ("到2025年,质量损失率控制在2%以内。", "lte", "2", None),
        ("到2025年,饮用水水源地水质达标率保持100%。", "eq", "100", None),
        ("到2025年,中国质量奖力争1~3项。", "range", "1", "3"),
        ("到2025年,培育产业集群3-5个。", "range", "3", "5"),
    ],
)
def test_wording_sets_the_comparator(sentence, comparator, value, value_max):
    p = only(sentence)
    assert p.comparator == comparator
    assert p.target_value == Decimal(value)
    assert p.target_value_max == (Decimal(value_max) if value_max else None)


@pytest.mark.parametrize(
    ("sentence", "direction"),
    [
        ("到2025年,合格率达到95%。", "higher"),
        ("到2025年,不合格发现率8%以下。", "lower"),
        ("到2025年,达标率保持100%。", "hold"),
    ],
)
def test_comparator_sets_the_direction(sentence, direction):
    assert only(sentence).direction == direction


@pytest.mark.parametrize(
    ("sentence", "measure"),
    [
        ("到2025年,累计培育品牌企业50家以上。", "cumulative"),
        ("到2025年,新增管理体系认证证书800张以上。", "new"),
        ("确保每年新增高新技术企业400家以上。", "per_year"),
        ("到2025年,企业专利实施率达到90%。", "level"),
    ],
)
def test_wording_sets_the_measure(sentence, measure):
    assert only(sentence).measure == measure


def test_per_year_target_keeps_its_floor_and_is_dated_at_the_period_end():
    p = only("力争每年培育省级未来工厂2家以上。")
    assert (p.measure, p.comparator, p.target_value) == ("per_year", "gte", Decimal(2))
    assert (p.target_year, p.year_implied) == (2025, True)
    assert p.name == "省级未来工厂"


def test_value_before_the_noun_takes_the_noun_as_name():
    p = only("到2025年,实施30项以上重大科技专项。")
    assert (p.name, p.unit, p.target_value) == ("重大科技专项", "项", Decimal(30))


def test_statement_without_year_uses_the_period_end_and_says_so():
    p = only("专栏1 主要目标\n\n· 制造业产品质量合格率94%以上。\n")
    assert (p.target_year, p.year_implied) == (2025, True)


def test_milestone_years_in_one_passage_give_one_target_each():
    text = "到2025年,质量竞争力指数达92以上。\n\n到2027年,质量竞争力指数达92.5以上。\n"
    found = run(text, 2023, 2027)
    assert [(p.target_year, p.target_value) for p in found] == [
        (2025, Decimal(92)),
        (2027, Decimal("92.5")),
    ]


def test_year_of_an_opening_sentence_carries_to_its_dash_items():
    text = "到2025年,质量整体水平全面提高。\n\n——产品质量合格率达到94%以上。\n"
    p = only(text, 2023, 2027)
    assert (p.target_year, p.year_implied) == (2025, False)


def test_values_listed_respectively_get_one_name_each():
    text = "到2025年,食品、药品和农产品合格率分别达到93%、95%和96%以上。"
    found = run(text)
    assert [(p.name, p.target_value) for p in found] == [
        ("食品", Decimal(93)),
        ("药品", Decimal(95)),
        ("农产品合格率", Decimal(96)),
    ]


def test_results_of_an_earlier_period_are_not_targets():
    text = (
        "一、发展基础\n\n“十三五”期间,产品合格率达到94.3%,建成质检中心5家。\n\n"
        "二、主要目标\n\n截至2020年底,有效商标达3万件。“十二五”期间,新增标准20项。\n"
    )
    assert [p for p in run(text) if p.comparator != "qualitative"] == []


def test_targets_dated_after_the_period_are_left_out():
    assert run("到2035年,制造业产品质量合格率达到96%以上。") == []


def test_bare_number_in_prose_without_year_or_wording_is_not_proposed():
    assert run("(二)工作基础\n\n全市共有检验检测机构120家,从业人员3000人。\n\n三、任务\n") == []


def test_class_thresholds_and_counted_lists_are_not_targets():
    text = "在年产值50亿元以上的产业集群推行联盟标准。开展甲、乙、丙、丁等4项行动。"
    assert run(text) == []


def test_qualitative_goal_is_proposed_without_a_value():
    found = run("专栏3 环境目标\n\n· 环境空气质量符合省下达目标要求。\n")
    assert len(found) == 1
    p = found[0]
    assert (p.comparator, p.target_value, p.confidence) == ("qualitative", None, 0.4)
    assert p.qualitative_text == "环境空气质量符合省下达目标要求"


def test_a_qualitative_goal_repeated_for_a_later_year_keeps_that_year():
    text = "专栏1 主要目标\n· 2021年底前,城区实现全覆盖;2024年底前,城区实现全覆盖;\n"
    assert [(p.name, p.target_year) for p in run(text)] == [
        ("城区实现全覆盖", 2021),
        ("城区实现全覆盖", 2024),
    ]


def test_document_without_targets_gives_nothing():
    assert run("关于做好质量月活动的通知\n\n各单位要高度重视,精心组织,确保活动取得实效。\n") == []
    assert run("") == []


def test_repeated_text_is_proposed_once():
    text = "到2025年,产品合格率达到95%以上。\n"
    assert len(run(text + text)) == 1


def test_table_rows_are_more_confident_than_bare_prose_numbers():
    table = run(TABLE)[0]
    bare = only("(一)主要目标\n\n全市品牌企业30家。\n")
    assert table.confidence > bare.confidence


# --------------------------------------------------------------------------- records and CLI


def test_record_has_the_export_fields_plus_confidence_and_position():
    p = run(TABLE)[0]
    record = to_record(p, plan="demo")
    assert list(record) == [*TARGET_FIELDS, "confidence", "position"] == RECORD_FIELDS
    assert record["plan"] == "demo"
    assert record["target_value"] == Decimal(96) and record["target_year"] == 2025
    assert record["indicator_code"] is None and record["conflict"] is None


def test_records_carry_the_export_fields_in_order():
    from indicators.target_fields import TARGET_FIELDS as EXPORTED

    assert RECORD_FIELDS[: len(EXPORTED)] == EXPORTED


def test_module_imports_without_django_settings():
    code = "import sys, ingestion.extract; print('django' in sys.modules)"
    env = {"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT)}
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "False"


def test_command_line_prints_json_records(tmp_path, capsys):
    doc = tmp_path / "plan.txt"
    doc.write_text("到2025年,产品合格率达到95%以上。\n", encoding="utf-8")
    assert main([str(doc), "--period", "2021-2025", "--format", "json"]) == 0
    records = json.loads(capsys.readouterr().out)
    assert records[0]["name"] == "产品合格率" and records[0]["target_value"] == 95


def test_command_line_prints_csv(tmp_path, capsys):
    doc = tmp_path / "plan.txt"
    doc.write_text("到2025年,产品合格率达到95%以上。\n", encoding="utf-8")
    assert main([str(doc), "--period", "2021-2025", "--format", "csv", "--plan", "x"]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert lines[0].split(",") == RECORD_FIELDS
    assert lines[1].startswith("x,,产品合格率,")
