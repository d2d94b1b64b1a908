"""A leader's first look, in a real headless Chromium: charts drawn, Chinese and English, every
page at 1366×768 without sideways scrolling (screenshots in test-output/browser/)."""

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

    page.click("details.rest summary")  # the indicators that need no attention, collapsed
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


def dashboard_pages():
    """(name, path) of each kind of dashboard page, with a year chosen where it takes one."""
    from dashboards.departments import departments_by_region

    department = departments_by_region()[0][1][0]
    return [
        ("overview", "/"),
        ("overview-2022", "/?year=2022"),
        ("plan-rizhao-14", "/plans/rizhao-14/"),
        ("plan-rizhao-14-2022", "/plans/rizhao-14/?year=2022"),
        ("plan-zhejiang-14", "/plans/zhejiang-14/"),
        ("plan-jinhua-2023", "/plans/jinhua-2023/"),
        ("plan-zhejiang-13", "/plans/zhejiang-13/"),
        ("plan-jiaxing-2011", "/plans/jiaxing-2011/"),
        ("indicator-rizhao-14-Z1-02", "/plans/rizhao-14/indicators/Z1-02/"),
        ("indicator-jinhua-2023-P-14-2024", "/plans/jinhua-2023/indicators/P-14/?year=2024"),
        ("indicator-zhejiang-14-T2-1-02-2022", "/plans/zhejiang-14/indicators/T2-1-02/?year=2022"),
        ("comparison-index", "/compare/"),
        ("comparison", "/compare/manufacturing-product-quality-pass-rate/"),
        ("comparison-2023", "/compare/manufacturing-product-quality-pass-rate/?year=2023"),
        ("department-index", "/departments/"),
        ("department", f"/departments/{department.pk}/"),
    ]


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_every_page_fits_a_1366_by_768_screen(browser, live_server, plans, erin, language):
    from django.conf import settings

    call_command("load_demo", "--force", stdout=StringIO())
    context = browser.new_context(viewport={"width": 1366, "height": 768})
    page = context.new_page()
    page.goto(f"{live_server.url}/")
    page.fill("#id_username", "erin")
    page.fill("#id_password", "pw-erin-1")
    page.click("input[type=submit]")
    page.wait_for_url(f"{live_server.url}/")
    context.add_cookies(
        [{"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": live_server.url}]
    )
    for name, path in dashboard_pages():
        response = page.goto(f"{live_server.url}{path}")
        assert response.status == 200, path
        if page.locator("[data-figure]").count():
            page.wait_for_selector(".chart .main-svg")
        assert page.evaluate("document.documentElement.scrollWidth") <= 1366, path
        page.screenshot(path=str(BROWSER_OUTPUT / f"{language}-{name}.png"))
        page.screenshot(path=str(BROWSER_OUTPUT / f"{language}-{name}-full.png"), full_page=True)
    context.close()


def test_the_plan_page_is_usable_on_a_narrow_window(browser, live_server, plans, erin):
    call_command("load_demo", "--force", stdout=StringIO())
    page = browser.new_page(viewport={"width": 390, "height": 844})
    page.goto(f"{live_server.url}/")
    page.fill("#id_username", "erin")
    page.fill("#id_password", "pw-erin-1")
    page.click("input[type=submit]")
    page.wait_for_url(f"{live_server.url}/")
    for name, path in [("overview", "/"), ("plan", "/plans/rizhao-14/")]:
        page.goto(f"{live_server.url}{path}")
        page.wait_for_selector(".card" if name == "overview" else ".chart .main-svg")
        assert page.evaluate("document.documentElement.scrollWidth") <= 390, path
        page.screenshot(path=str(BROWSER_OUTPUT / f"narrow-{name}.png"), full_page=True)
