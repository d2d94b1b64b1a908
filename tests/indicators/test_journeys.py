"""A year's reporting, done unaided in a real headless Chromium: each person starts at the
login page and follows only links and buttons.

The sample clerk and reviewer (load_demo) work for 示例单位·质量建设, the department of 浙江
十四五 表2-1's seven quality indicators; 2025, the plan's last year, is the year now due.
Screenshots of each step at 1366×768 go to test-output/journeys/.
"""

from decimal import Decimal
from io import StringIO

import pytest
from django.apps import apps
from django.core.management import call_command

from accounts.roles import sync_role_groups
from indicators.demo import sample_password
from indicators.models import Actual, Baseline, Target

from ..conftest import BROWSER_OUTPUT

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = BROWSER_OUTPUT.parent / "journeys"
VIEWPORT = {"width": 1366, "height": 768}
FILLED = ["T2-1-01", "T2-1-02", "T2-1-03", "T2-1-04", "T2-1-05", "T2-1-06"]
APPROVED, RETURNED, LAGGING = "T2-1-02", "T2-1-03", "T2-1-07"
REASON = "请附省农业农村厅2025年监测报告"


@pytest.fixture
def demo(plans):
    sync_role_groups(apps)  # a transactional test before this one emptied the tables
    call_command("load_demo", "--force", stdout=StringIO())
    SHOTS.mkdir(parents=True, exist_ok=True)


def meeting(code):
    """A figure that meets the indicator's 2025 target, as a clerk would type it."""
    target = Target.objects.get(indicator__plan__slug="zhejiang-14", indicator__code=code)
    return f"{target.value.normalize() + Decimal('0.5'):f}"


def figure(code):
    return Actual.objects.get(indicator__plan__slug="zhejiang-14", indicator__code=code, year=2025)


class Person:
    """One person's browser tab: logs in at the login page, then only clicks and types."""

    def __init__(self, browser, live_server, username):
        self.page = browser.new_page(viewport=VIEWPORT, locale="zh-CN")
        self.page.goto(f"{live_server.url}/admin/login/")
        self.page.fill("#id_username", username)
        self.page.fill("#id_password", sample_password(username))
        self.page.click("input[type=submit]")
        self.page.wait_for_load_state()

    def click(self, selector):
        self.page.click(selector)
        self.page.wait_for_load_state()

    def shot(self, name):
        self.page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)

    def line(self, code):
        return f"#line-{code}"

    def close(self):
        self.page.close()


def test_a_year_reported_reviewed_corrected_and_explained(browser, live_server, demo):
    # 1. The clerk opens the work list, then the year due, fills it and submits it.
    clerk = Person(browser, live_server, "demo-clerk")
    clerk.click("#user-tools a:has-text('填报工作清单')")
    assert clerk.page.locator("h1").inner_text() == "填报工作清单"
    clerk.shot("01-clerk-worklist")
    clerk.click("#worklist-table tbody tr:first-child a:has-text('填报')")
    assert "2025年" in clerk.page.locator("#entry-heading").inner_text()
    for code in FILLED:
        clerk.page.fill(f"{clerk.line(code)} input[name$='-text']", meeting(code))
    clerk.shot("02-clerk-entry-filled")
    clerk.click("input[name=_submit]")
    assert "已提交 6 项" in clerk.page.locator(".messagelist").inner_text()
    assert "读作" not in clerk.page.locator(clerk.line("T2-1-02")).inner_text()
    clerk.shot("03-clerk-submitted")
    assert {figure(c).status for c in FILLED} == {"submitted"}

    # 2. The reviewer approves one figure and returns another with a reason.
    reviewer = Person(browser, live_server, "demo-reviewer")
    reviewer.click("#user-tools a:has-text('审核队列')")
    assert reviewer.page.locator("h1").inner_text() == "审核队列"
    reviewer.shot("04-reviewer-queue")
    reviewer.page.check(f"#review-table tr[data-code='{APPROVED}'] input[name=pick]")
    reviewer.click("input[name=_approve]")
    assert "已审核通过 1 项" in reviewer.page.locator(".messagelist").inner_text()
    reviewer.page.check(f"#review-table tr[data-code='{RETURNED}'] input[name=pick]")
    reviewer.click("input[name=_return]")  # no reason yet: refused
    assert "退回时必须填写原因" in reviewer.page.locator(".messagelist").inner_text()
    reviewer.page.check(f"#review-table tr[data-code='{RETURNED}'] input[name=pick]")
    reviewer.page.fill("#id_reason", REASON)
    reviewer.click("input[name=_return]")
    assert "已退回 1 项" in reviewer.page.locator(".messagelist").inner_text()
    reviewer.shot("05-reviewer-approved-one-returned-one")
    assert (figure(APPROVED).status, figure(RETURNED).status) == ("approved", "returned")

    # 3. The clerk finds the returned figure on the work list, corrects and resubmits it.
    clerk.click("#user-tools a:has-text('填报工作清单')")
    returned = clerk.page.locator("#returned-table")
    assert REASON in returned.inner_text() and RETURNED in returned.inner_text()
    clerk.shot("06-clerk-worklist-returned")
    clerk.click(f"#returned-table tr:has-text('{RETURNED}') a:has-text('去修改')")
    approved_line = clerk.page.locator(clerk.line(APPROVED))
    assert "已审核" in approved_line.inner_text() and approved_line.locator("input").count() == 0
    assert REASON in clerk.page.locator(clerk.line(RETURNED)).inner_text()
    clerk.shot("07-clerk-entry-returned")
    clerk.page.fill(f"{clerk.line(RETURNED)} input[name$='-text']", "98.6")
    clerk.click("input[name=_submit]")
    assert "已提交" in clerk.page.locator(".messagelist").inner_text()
    clerk.shot("08-clerk-resubmitted")
    assert (figure(RETURNED).raw, figure(RETURNED).status) == ("98.6", "submitted")
    assert figure(APPROVED).status == "approved"

    # 4. A figure that misses its target is submitted only with 情况说明 and 下一步措施.
    clerk.page.fill(f"{clerk.line(LAGGING)} input[name$='-text']", "93.8")
    clerk.click("input[name=_submit]")
    refused = clerk.page.locator(clerk.line(LAGGING)).inner_text()
    assert "将判为“未达标”" in refused and "情况说明和下一步措施" in refused
    clerk.shot("09-clerk-lagging-refused")
    assert not Actual.objects.filter(indicator__code=LAGGING, year=2025).exists()
    clerk.page.fill(
        f"{clerk.line(LAGGING)} textarea[name$='-explanation']", "两个断面受上游来水影响"
    )
    clerk.page.fill(f"{clerk.line(LAGGING)} textarea[name$='-next_steps']", "开展流域联合治理")
    clerk.click("input[name=_submit]")
    assert "已提交" in clerk.page.locator(".messagelist").inner_text()
    clerk.shot("10-clerk-lagging-explained")
    assert figure(LAGGING).explanation == "两个断面受上游来水影响"

    # The reviewer reads them beside the figure and approves it; the leader finds them beside
    # the indicator's status on the plan's page, and on the indicator's own page.
    reviewer.click("#user-tools a:has-text('审核队列')")
    queued = reviewer.page.locator(f"#review-table tr[data-code='{LAGGING}']")
    assert "两个断面受上游来水影响" in queued.inner_text() and "未达标" in queued.inner_text()
    reviewer.page.check(f"#review-table tr[data-code='{LAGGING}'] input[name=pick]")
    reviewer.shot("11-reviewer-reads-the-reasons")
    reviewer.click("input[name=_approve]")
    assert figure(LAGGING).status == "approved"
    leader = Person(browser, live_server, "demo-leader")
    leader.click("#card-zhejiang-14")
    attention = leader.page.locator(f"table.results tr:has-text('{LAGGING}')").first.inner_text()
    assert "未达标" in attention and "两个断面受上游来水影响" in attention
    leader.shot("12-leader-plan-explained")
    leader.click(f"table.results a:has-text('{LAGGING}') >> visible=true")
    figures = leader.page.locator("table.results tr:has-text('demo-clerk')").last.inner_text()
    assert "两个断面受上游来水影响" in figures and "开展流域联合治理" in figures
    leader.shot("13-leader-indicator-explained")
    for person in (clerk, reviewer, leader):
        person.close()


def test_an_upload_read_plainly_corrected_and_confirmed(browser, live_server, demo, tmp_path):
    """From the entry page to the upload: problems by row and column, the preview as
    old → new, then the figures stored."""
    bad = tmp_path / "figures.csv"
    bad.write_text(
        "规划标识,指标编码,区划代码,年份,数值,说明\n"
        "zhejiang-14,T2-1-02,330000,2025,96.2,\n"
        "zhejiang-14,T2-1-03,330000,2025,九十八,\n",
        encoding="utf-8",
    )
    clerk = Person(browser, live_server, "demo-clerk")
    clerk.click("#user-tools a:has-text('数据填报')")
    clerk.click("a:has-text('上传填好的模板')")
    assert clerk.page.locator("#import-template").count() == 1
    clerk.page.set_input_files("#id_import_file", str(bad))
    clerk.page.select_option("#id_format", label="csv")
    clerk.click("input[value=上传并检查]")
    problems = clerk.page.locator("ul.import-problems").inner_text()
    assert "第3行 第5列(数值):“九十八”不是有效的数值" in problems
    clerk.shot("14-clerk-upload-problems")
    good = tmp_path / "figures-fixed.csv"
    good.write_text(bad.read_text(encoding="utf-8").replace("九十八", "98.3"), encoding="utf-8")
    clerk.page.set_input_files("#id_import_file", str(good))
    clerk.page.select_option("#id_format", label="csv")
    clerk.click("input[value=上传并检查]")
    assert "预览" in clerk.page.locator("#content h2").first.inner_text()
    clerk.shot("15-clerk-upload-preview")
    clerk.click("input[name=confirm]")
    assert {figure(c).raw for c in ("T2-1-02", "T2-1-03")} == {"96.2", "98.3"}
    clerk.shot("16-clerk-upload-done")
    clerk.close()


def test_a_base_year_figure_entered_and_approved_becomes_the_baseline(browser, live_server, demo):
    clerk = Person(browser, live_server, "demo-clerk")
    clerk.click("#user-tools a:has-text('填报工作清单')")
    # The work list lists a base year once it has figures; the page's year choice offers it.
    clerk.click("#worklist-table tbody tr:first-child a:has-text('填报')")
    clerk.page.select_option("select[name=year]", "2020")
    clerk.click("input[value='打开填报页']")
    assert "2020年" in clerk.page.locator("#entry-heading").inner_text()
    note = clerk.page.locator("#base-year-note").inner_text()
    assert "2020年是浙江省质量强省标准强省品牌强省建设“十四五”规划的基期年" in note
    assert "以规划文件为准" in note  # 表2-1 gives 2020 figures
    # 中国质量奖、省政府质量奖获奖组织(累计): the document's 2020 figure is 81.
    clerk.page.fill(f"{clerk.line('T2-1-01')} input[name$='-text']", "83")
    clerk.shot("11-clerk-base-year")
    clerk.click("input[name=_submit]")
    assert "已提交 1 项" in clerk.page.locator(".messagelist").inner_text()

    reviewer = Person(browser, live_server, "demo-reviewer")
    reviewer.click("#user-tools a:has-text('审核队列')")
    reviewer.page.check("#review-table tr[data-code='T2-1-01'] input[name=pick]")
    reviewer.click("input[name=_approve]")
    assert "已审核通过 1 项" in reviewer.page.locator(".messagelist").inner_text()
    reviewer.shot("12-reviewer-approved-base-year")
    baseline = Baseline.objects.get(
        indicator__plan__slug="zhejiang-14", indicator__code="T2-1-01", source_ref="填报审核"
    )
    # The document's own 2020 figure (81) stays the reference; this one is kept beside it.
    assert (baseline.year, baseline.raw) == (2020, "83")
    clerk.close()
    reviewer.close()
