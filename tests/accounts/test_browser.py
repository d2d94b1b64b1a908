"""Each sample user logs in at the login page in a real headless Chromium and lands on its work."""

from io import StringIO

import pytest
from django.apps import apps
from django.core.management import call_command

from accounts.roles import sync_role_groups
from indicators.demo import SAMPLE_USERS, sample_password
from tests.conftest import BROWSER_OUTPUT as OUTPUT

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# What each sample user sees first: a selector on the page and its heading.
LANDINGS = {
    "demo-clerk": ("#worklist-table", "填报工作清单"),
    "demo-reviewer": ("#queue-filter", "审核队列"),
    "demo-leader": ("#chart-overview .main-svg", "规划总览"),
    "demo-auditor": ("#chart-overview .main-svg", "规划总览"),
    "demo-admin": ("#content-main .app-indicators", "管理首页"),
}


@pytest.fixture
def demo(plans):
    sync_role_groups(apps)  # a transactional test before this one emptied the tables
    call_command("load_demo", "--force", stdout=StringIO())


def test_each_sample_user_logs_in_and_lands_on_its_work(browser, live_server, demo):
    for username, _name, _role in SAMPLE_USERS:
        page = browser.new_page(viewport={"width": 1400, "height": 900}, locale="zh-CN")
        page.goto(f"{live_server.url}/admin/login/")
        assert "质量发展规划目标监测" in page.title()
        page.fill("#id_username", username)
        page.fill("#id_password", sample_password(username))
        page.click("input[type=submit]")
        selector, heading = LANDINGS[username]
        page.wait_for_selector(selector)
        assert heading in page.locator("h1").first.inner_text(), username
        page.screenshot(path=str(OUTPUT / f"landing-{username}.png"), full_page=True)
        page.close()


def test_a_clerk_opening_the_dashboards_is_told_so_with_the_way_back(
    browser,
    live_server,
    demo,
):
    page = browser.new_page(viewport={"width": 1200, "height": 700}, locale="zh-CN")
    page.goto(f"{live_server.url}/admin/login/?next=/")
    page.fill("#id_username", "demo-clerk")
    page.fill("#id_password", sample_password("demo-clerk"))
    page.click("input[type=submit]")
    page.wait_for_selector("#back")
    assert page.locator("h1").inner_text() == "无权打开此页面"
    page.screenshot(path=str(OUTPUT / "forbidden-clerk.png"), full_page=True)
    page.click("#back")
    page.wait_for_selector("#worklist-table")
