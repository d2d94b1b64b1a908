"""A leader logs in, sees an unread warning, opens it and it is read, in a real Chromium."""

import pytest

from alerts.models import EarlyWarning
from alerts.services import warnings_raise
from indicators.models import Indicator
from regions.models import Region
from tests.conftest import BROWSER_OUTPUT as OUTPUT

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_leader_opens_an_unread_warning(browser, live_server, plans, erin):
    indicator = Indicator.objects.get(plan__slug="jiaxing-2011", code="P-25")
    key = (indicator.pk, Region.objects.get(code="330400").pk, 2013)
    warnings_raise({key: "on_track"}, {key: "off_track"})
    assert EarlyWarning.objects.get(recipient=erin).read_at is None

    page = browser.new_page(viewport={"width": 1366, "height": 768}, locale="zh-CN")
    page.goto(f"{live_server.url}/admin/login/")
    page.fill("#id_username", "erin")
    page.fill("#id_password", "pw-erin-1")
    page.click("input[type=submit]")
    page.wait_for_selector(".warnings-unread")
    assert page.locator("#nav-warnings .unread-count").inner_text() == "1"
    unread = page.locator(".warnings-unread").inner_text()
    assert "1 条未读预警" in unread
    assert "P-25" in unread and "由 ▲ 符合序时进度 转为 ✖ 严重滞后" in unread
    page.screenshot(path=str(OUTPUT / "warnings-unread-leader.png"), full_page=False)

    page.click("text=查看全部预警")
    page.wait_for_selector("table.warnings")
    assert page.locator("table.warnings tr.unread").count() == 1
    assert page.locator("#nav-warnings .unread-count").count() == 0
    page.screenshot(path=str(OUTPUT / "warnings-opened-leader.png"), full_page=False)
    assert EarlyWarning.objects.get(recipient=erin).read_at is not None

    page.goto(f"{live_server.url}/")
    page.wait_for_selector("h1")
    assert page.locator(".warnings-unread").count() == 0
    page.goto(f"{live_server.url}/warnings/")
    assert "已读" in page.locator("table.warnings").inner_text()

    page.click("#lang-en")
    page.wait_for_selector("html[lang=en] table.warnings")
    said = page.locator("table.warnings").inner_text()
    assert "(嘉兴市, 2013): from ▲ On track to ✖ Off track" in said and "Read" in said
    page.screenshot(path=str(OUTPUT / "warnings-read-leader-en.png"), full_page=False)
    page.close()
