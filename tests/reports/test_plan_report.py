"""The plan's implementation report (规划实施情况报告): read with python-docx against the
attainment command's output, and rendered to pages by LibreOffice."""

import io
import json
import re
from collections import Counter
from io import StringIO
from typing import NamedTuple

import docx
import docx.document
import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction
from django.urls import reverse
from docx.oxml.ns import qn
from PIL import Image

from dashboards.status_style import badge
from indicators.attainment import Status
from indicators.demo import load_demo
from indicators.models import Actual, Indicator, Plan
from indicators.recompute import recompute
from indicators.selectors import primary_targets
from indicators.services.actuals import EntryRow, actual_approve, actual_submit
from indicators.services.runs import attainment_run_now
from reports.models import ReportJob

from .office import convert, page_images, pdf_text

PARTS = [
    "一、总体情况",
    "二、主要指标完成情况",
    "三、存在的主要问题",
    "四、下一步工作",
    "附:有关说明",
]
PROBLEMS = {Status.LAGGING, Status.OFF_TRACK, Status.REGRESSING, Status.NOT_ACHIEVED}
CJK = re.compile("[\u4e00-\u9fff]")
CODE_WORDS = re.compile(r"\b(gte|lte|eq|range|qualitative|on_track|no_data)\b|\d\.\d{5,}")


def report(tmp_path, *args, name="report.docx"):
    out = tmp_path / name
    call_command("export_plan_report", "--out", str(out), *args, stdout=StringIO())
    return docx.Document(out), out


def texts(doc, style):
    return [p.text for p in doc.paragraphs if p.style.name == style]


def section(doc, heading):
    """The paragraphs under a first-level heading, up to the next one."""
    found, out = False, []
    for p in doc.paragraphs:
        if p.style.name == "Heading 1":
            found = p.text == heading
        elif found:
            out.append(p)
    return out


class _Milestone(NamedTuple):
    pk: int
    indicator_id: str
    year: int


def command_statuses(slug, *extra):
    """{indicator code: status} of the target that speaks for each indicator, and the roll-up,
    as the attainment command gives them."""
    out = StringIO()
    call_command("attainment", "--plan", slug, "--format", "json", *extra, stdout=out)
    payload = json.loads(out.getvalue())
    records = payload["records"]
    at = payload["rollups"][0]["year"]
    milestones = [
        _Milestone(n, r["indicator_code"], r["target_year"]) for n, r in enumerate(records)
    ]
    primary = {m.pk for m in primary_targets(milestones, at)}
    statuses = {r["indicator_code"]: r["status"] for n, r in enumerate(records) if n in primary}
    return statuses, payload["rollups"][0]


def status_words(status):
    b = badge(status)
    return f"{b['shape']} {b['label']}"


class Made(NamedTuple):
    doc: docx.document.Document
    statuses: dict
    rollup: dict


@pytest.fixture(scope="module")
def rizhao(django_db_setup, django_db_blocker, tmp_path_factory):
    """rizhao-14's report with the sample figures, and what the attainment command gives:
    made once for the tests that only read them; the figures are rolled back after."""
    with django_db_blocker.unblock(), transaction.atomic():
        get_user_model().objects.create_superuser("alice", "alice@example.com", "pw-alice-1")
        load_demo()
        recompute(plan_ids=list(Plan.objects.values_list("pk", flat=True)))
        doc, _ = report(tmp_path_factory.mktemp("rizhao"), "--plan", "rizhao-14")
        made = Made(doc, *command_statuses("rizhao-14"))
        transaction.set_rollback(True)
    return made


@pytest.mark.django_db
def test_the_report_has_a_title_page_and_its_parts_in_order(rizhao):
    doc = rizhao.doc
    assert texts(doc, "Title") == ["日照市“十四五”质量发展规划"]
    assert texts(doc, "Subtitle") == ["2024年度规划实施情况报告"]
    body = "\n".join(p.text for p in doc.paragraphs[:20])
    for line in ("区划:日照市", "规划期:2021—2025年", "评价年份:2024年", "生成日期:", "数据截至:"):
        assert line in body
    assert texts(doc, "Heading 1") == PARTS
    assert section(doc, "附:有关说明")  # the method is always there
    assert "(3) 达到目标:已达标" in [p.text for p in section(doc, "附:有关说明")]


@pytest.mark.django_db
def test_every_indicator_is_in_its_categorys_table_with_the_status_the_command_gives(rizhao):
    doc, statuses = rizhao.doc, rizhao.statuses
    indicators = {i.code: i for i in Indicator.objects.filter(plan__slug="rizhao-14")}
    categories = list(
        dict.fromkeys(i.category for i in sorted(indicators.values(), key=lambda i: i.code))
    )
    assert [h.split(")", 1)[1] for h in texts(doc, "Heading 2")[: len(categories)]] == categories
    tables = doc.tables[1:]  # after the counts of 一、总体情况
    assert len(tables) == len(categories)
    shown = Counter()
    for table in tables:
        header = [c.text for c in table.rows[0].cells]
        assert header == [
            "指标", "单位", "基期值", "目标", "2024年实际", "完成率", "目标进度 / 序时进度", "状态",
            "责任单位",
        ]  # fmt: skip
        for row in table.rows[1:]:
            cells = [c.text for c in row.cells]
            shown[cells[0], cells[7]] += 1
    expected = Counter((indicators[code].name, status_words(s)) for code, s in statuses.items())
    assert shown == expected
    assert len(statuses) == len(indicators) == sum(shown.values())


@pytest.mark.django_db
def test_a_row_says_its_figures_in_words(rizhao):
    rows = {
        r.cells[0].text: [c.text for c in r.cells] for t in rizhao.doc.tables[1:] for r in t.rows
    }
    assert rows["定检率"] == [
        "定检率", "%", "91.8%(2021年)", "保持100%(2025年)", "96.7%", "96.7%", "59.8% / 75.0%",
        "◆ 滞后", "示例单位·严格特种设备安全监管",
    ]  # fmt: skip
    assert not any(CODE_WORDS.search(cell) for row in rows.values() for cell in row)


@pytest.mark.django_db
def test_the_overview_gives_the_counts_and_the_rate_with_what_it_is_made_of(rizhao):
    doc, statuses, rollup = rizhao
    overview = [p.text for p in section(doc, "一、总体情况")]
    due = len(statuses)
    assert overview[0].startswith(f"本规划共有指标 {due} 个")
    assert f"已填报 {due} 个,数据完整度 100.0%" in overview[0]
    rate = f"{float(rollup['achievement_rate']) * 100:.1f}%"
    assert overview[1] == (
        f"达标率:{rate}(已达标 {rollup['achieved']} 个 / "
        f"有数据的数值目标 {rollup['with_data']} 个)。"
    )
    counts = {r.cells[0].text: int(r.cells[3].text) for r in doc.tables[0].rows[1:-1]}
    expected = Counter(status_words(s) for s in statuses.values())
    assert {k: v for k, v in counts.items() if v} == dict(expected)
    for named in ("✔ 已达标", "▲ 符合序时进度", "◆ 滞后", "✖ 严重滞后", "■ 未达标", "? 数据不足"):
        assert named in counts  # named even when none


@pytest.mark.django_db
def test_the_chart_draws_the_status_mix_in_the_dashboards_colours(rizhao):
    doc = rizhao.doc
    (picture,) = [r for r in doc.part.rels.values() if "image" in r.reltype]
    image = Image.open(io.BytesIO(picture.target_part.blob)).convert("RGB")
    colours = {c for _, c in image.getcolors(maxcolors=1 << 20)}
    for status in set(rizhao.statuses.values()):
        colour = badge(status)["colour"].lstrip("#")
        assert tuple(int(colour[i : i + 2], 16) for i in (0, 2, 4)) in colours, status
    assert "图 2024年各完成状态的指标数" in texts(doc, "Caption")


@pytest.mark.django_db
def test_fewer_than_half_reported_says_there_is_not_enough_data(tmp_path, alice, bob, dave):
    indicators = Indicator.objects.filter(plan__slug="jiaxing-2011", code__in=["P-25", "P-26"])
    sent = actual_submit(
        user=bob,
        region=bob.profile.department.region,
        year=2013,
        rows=[EntryRow(i, "93") for i in indicators],
    ).saved
    actual_approve(user=dave, actuals=sent)
    attainment_run_now(scope="test", plan=Plan.objects.get(slug="jiaxing-2011"))
    doc, _ = report(tmp_path, "--plan", "jiaxing-2011", "--year", "2013")
    overview = [p.text for p in section(doc, "一、总体情况")]
    assert overview[1] == "达标率:数据不足(2/46 已填报)。"


@pytest.mark.django_db
def test_problems_give_each_lagging_indicator_its_numbers_and_the_departments_explanation(
    tmp_path, alice, demo
):
    plan = Plan.objects.get(slug="rizhao-14")
    Actual.objects.filter(indicator__plan=plan, indicator__code="P-02", year=2024).update(
        explanation="部分老旧设备停用待检,年底前完成补检。"
    )
    doc, _ = report(tmp_path, "--plan", "rizhao-14")
    statuses, _ = command_statuses("rizhao-14")
    names = dict(Indicator.objects.filter(plan=plan).values_list("code", "name"))
    problems = [p.text for p in section(doc, "三、存在的主要问题")]
    listed = [p for p in problems if re.match(r"\d+\. ", p)]
    expected = [names[c] for c, s in statuses.items() if Status(s) in PROBLEMS]
    said = [re.match(r"\d+\. (.*)\([◆✖▼■] ", p).group(1) for p in listed]
    assert sorted(said) == sorted(expected)
    n = next(i for i, p in enumerate(problems) if re.match(r"\d+\. 定检率\(", p))
    assert problems[n].endswith(
        "定检率(◆ 滞后):目标进度 59.8%,低于序时进度 75.0% 的九成五(71.3%),"
        "达到其六成(45.0%),判为滞后。责任单位:示例单位·严格特种设备安全监管。"
    )
    assert problems[n + 1] == "情况说明:部分老旧设备停用待检,年底前完成补检。"
    assert "责任单位未提交情况说明。" in problems


@pytest.mark.django_db
def test_next_steps_are_grouped_by_department(tmp_path, alice, bob, carol, dave):
    plan = Plan.objects.get(slug="jiaxing-2011")
    entered = []
    for clerk, code in ((bob, "P-25"), (carol, "P-37")):
        indicator = Indicator.objects.get(plan=plan, code=code)
        entered += actual_submit(
            user=clerk,
            region=clerk.profile.department.region,
            year=2013,
            # Both lag: submitted with the department's reasons, rewritten below.
            rows=[EntryRow(indicator, "90", explanation="见说明", next_steps="见措施")],
        ).saved
    actual_approve(user=dave, actuals=entered)
    Actual.objects.filter(pk=entered[0].pk).update(next_steps="开展专项抽查。")
    Actual.objects.filter(pk=entered[1].pk).update(next_steps="完善服务评价。")
    doc, _ = report(tmp_path, "--plan", "jiaxing-2011", "--year", "2013")
    steps = section(doc, "四、下一步工作")
    headings = [p.text for p in steps if p.style.name == "Heading 2"]
    assert headings == ["(一)市发展改革委", "(二)市质量技监局"]
    said = [p.text for p in steps if p.style.name != "Heading 2"]
    p37 = Indicator.objects.get(plan=plan, code="P-37").name
    p25 = Indicator.objects.get(plan=plan, code="P-25").name
    assert said == [f"{p37}:完善服务评价。", f"{p25}:开展专项抽查。"]


@pytest.mark.django_db
def test_the_appendix_lists_weaker_targets_and_open_conflicts(tmp_path, alice):
    doc, _ = report(tmp_path, "--plan", "jiaojiang-13")
    appendix = [p.text for p in section(doc, "附:有关说明")]
    weaker = [t for t in appendix if "弱于浙江省同年目标" in t]
    assert len(weaker) == 2 and all(t.startswith("地表水") for t in weaker)
    conflicts = Plan.objects.get(slug="jiaojiang-13").conflicts.filter(resolved_at=None)
    assert conflicts and all(c.description in appendix for c in conflicts)


@pytest.mark.django_db
def test_the_east_asian_font_is_declared_on_the_styles(tmp_path, alice):
    doc, _ = report(tmp_path, "--plan", "zhejiang-13")
    for name, font in [
        ("Normal", "宋体"),
        ("Table Text", "宋体"),
        ("Title", "黑体"),
        ("Heading 1", "黑体"),
        ("Heading 2", "黑体"),
    ]:
        fonts = doc.styles[name].element.rPr.rFonts
        assert fonts.get(qn("w:eastAsia")) == font, name
        assert fonts.get(qn("w:eastAsiaTheme")) is None, name


@pytest.mark.django_db
def test_the_report_in_english(tmp_path, alice, demo):
    doc, _ = report(tmp_path, "--plan", "rizhao-14", "--language", "en")
    parts = texts(doc, "Heading 1")
    assert parts == [
        "1. Overview",
        "2. Main indicators",
        "3. Main problems",
        "4. Next steps",
        "Appendix: notes",
    ]
    assert texts(doc, "Subtitle") == ["Implementation report for 2024"]
    fixed = (
        parts
        + [c.text for c in doc.tables[0].rows[0].cells]
        + [r.cells[0].text for r in doc.tables[0].rows[1:]]
    )
    assert not any(CJK.search(t) for t in fixed), fixed
    assert "◆ Lagging" in [r.cells[7].text for t in doc.tables[1:] for r in t.rows]


def test_the_command_refuses_an_unknown_plan_or_another_file(tmp_path, db):
    with pytest.raises(CommandError, match="no-such"):
        report(tmp_path, "--plan", "no-such")
    with pytest.raises(CommandError, match="docx"):
        report(tmp_path, "--plan", "zhejiang-13", name="report.doc")


@pytest.mark.django_db
def test_an_auditor_requests_the_report_from_the_reports_page(
    client, frank, settings, tmp_path, django_capture_on_commit_callbacks
):
    settings.REPORTS_DIR = tmp_path
    client.force_login(frank)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("reports:list"), {"kind": "plan_report", "plan": "zhejiang-13", "year": 2020}
        )
    job = ReportJob.objects.get()
    assert (job.kind, job.state, job.plan_slugs, job.year) == (
        "plan_report",
        "done",
        ["zhejiang-13"],
        2020,
    )
    assert job.file_name.endswith(".docx") and job.rows == 20
    download = client.get(reverse("reports:download", args=[job.pk]))
    assert download.status_code == 200
    assert "zhejiang-13" in download["Content-Disposition"]
    doc = docx.Document(io.BytesIO(b"".join(download.streaming_content)))
    assert texts(doc, "Heading 1") == PARTS
    page = client.get(reverse("reports:list")).content.decode()
    assert "规划实施情况报告(Word)" in page


@pytest.mark.libreoffice
@pytest.mark.django_db
def test_libreoffice_renders_the_report_to_pages_with_its_chinese(tmp_path, alice, demo):
    _, path = report(tmp_path, "--plan", "rizhao-14")
    pdf = convert(path, "pdf", tmp_path / "pdf")
    text = pdf_text(pdf)
    for part in PARTS:
        assert part in text
    assert "日照市“十四五”质量发展规划" in pdf_text(pdf, last=1)
    pages = page_images(pdf, "plan-report-rizhao-14")
    assert len(pages) >= 5
    _, english = report(tmp_path, "--plan", "rizhao-14", "--language", "en", name="en.docx")
    english_pdf = convert(english, "pdf", tmp_path / "pdf")
    assert "1. Overview" in pdf_text(english_pdf)
    assert page_images(english_pdf, "plan-report-rizhao-14-en")
