"""A leader's first look, in a real headless Chromium: charts drawn, Chinese and English."""

from io import StringIO

import pytest
from django.core.management import call_command

from ..conftest import BROWSER_OUTPUT

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_leader_reads_the_dashboards_in_chinese_and_english(browser, live_server, plans, erin):
    call_command("load_demo", "--force", stdout=StringIO())
    page = browser.new_page(viewport={"width": 1400, "height": 1000}, locale="zh-CN")
    page.goto(f"{live_server.url}/")
    page.fill("#id_username", "erin")
    page.fill("#id_password", "pw-erin-1")
    page.click("input[type=submit]")
    page.wait_for_url(f"{live_server.url}/")

    page.wait_for_selector("#chart-overview .main-svg")
    assert page.locator("h1").inner_text() == "规划总览"
    assert page.locator("#card-zhejiang-14 .sample").count() == 1  # sample data is marked
    page.screenshot(path=str(BROWSER_OUTPUT / "overview.png"), full_page=True)

    page.click("#card-zhejiang-14")
    page.wait_for_selector("#chart-plan .main-svg")
    assert "浙江省质量强省" in page.locator("h1").inner_text()
    assert page.locator(".badge").count() > 10
    page.screenshot(path=str(BROWSER_OUTPUT / "plan.png"), full_page=True)

    page.click('table.results a:has-text("制造业产品质量合格率")')
    page.wait_for_selector("#chart-indicator .main-svg")
    assert page.locator("#chart-indicator .scatterlayer .trace").count() >= 3
    assert "表2-1" in page.content()
    page.screenshot(path=str(BROWSER_OUTPUT / "indicator.png"), full_page=True)

    page.click("#lang-en")
    page.wait_for_selector("#chart-indicator .main-svg")
    assert page.locator("nav a").first.inner_text() == "Overview"
    page.screenshot(path=str(BROWSER_OUTPUT / "indicator-en.png"), full_page=True)
    page.click("#lang-zh-hans")
    page.wait_for_selector("#chart-indicator .main-svg")
    assert page.locator("nav a").first.inner_text() == "总览"

    page.goto(f"{live_server.url}/compare/manufacturing-product-quality-pass-rate/")
    page.wait_for_selector("#chart-comparison .main-svg")
    assert "金华市2025年目标94%以上弱于浙江省" in page.content()
    page.screenshot(path=str(BROWSER_OUTPUT / "comparison.png"), full_page=True)
