"""A leader's first look, in a real headless Chromium: charts drawn, Chinese and English."""

import os
import shutil
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
OUTPUT = Path(__file__).resolve().parents[2] / "test-output" / "browser"


@pytest.fixture
def browser():
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI") == "true":
            pytest.fail("CI must run the browser tests: Debian's chromium is not installed")
        pytest.skip("Debian's chromium is not installed (scripts/test installs it)")
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an event loop in this thread; the ORM calls made here
    # are still plain synchronous ones.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

    OUTPUT.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        yield browser
        browser.close()
    del os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"]


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
    page.screenshot(path=str(OUTPUT / "overview.png"), full_page=True)

    page.click("#card-zhejiang-14")
    page.wait_for_selector("#chart-plan .main-svg")
    assert "浙江省质量强省" in page.locator("h1").inner_text()
    assert page.locator(".badge").count() > 10
    page.screenshot(path=str(OUTPUT / "plan.png"), full_page=True)

    page.click('table.results a:has-text("制造业产品质量合格率")')
    page.wait_for_selector("#chart-indicator .main-svg")
    assert page.locator("#chart-indicator .scatterlayer .trace").count() >= 3
    assert "表2-1" in page.content()
    page.screenshot(path=str(OUTPUT / "indicator.png"), full_page=True)

    page.click("#lang-en")
    page.wait_for_selector("#chart-indicator .main-svg")
    assert page.locator("nav a").first.inner_text() == "Overview"
    page.screenshot(path=str(OUTPUT / "indicator-en.png"), full_page=True)
    page.click("#lang-zh-hans")
    page.wait_for_selector("#chart-indicator .main-svg")
    assert page.locator("nav a").first.inner_text() == "总览"

    page.goto(f"{live_server.url}/compare/manufacturing-product-quality-pass-rate/")
    page.wait_for_selector("#chart-comparison .main-svg")
    assert "金华市2025年目标94%以上弱于浙江省" in page.content()
    page.screenshot(path=str(OUTPUT / "comparison.png"), full_page=True)
