"""A reviewer uploads a real plan in headless Chromium and reads proposals beside the text."""

import os
import shutil
from pathlib import Path

import pytest
from django.conf import settings

from ingestion.models import PlanDocument

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
OUTPUT = Path(__file__).resolve().parents[2] / "test-output" / "browser"
SEED = Path(settings.SEEDS_DIR) / "002_47c185f41e6f50f8.txt"


@pytest.fixture
def browser():
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI") == "true":
            pytest.fail("CI must run the browser tests: Debian's chromium is not installed")
        pytest.skip("Debian's chromium is not installed (scripts/test installs it)")
    if not SEED.exists():
        pytest.skip(f"seed document {SEED} is not here")
    from playwright.sync_api import sync_playwright

    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    OUTPUT.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu", "--no-first-run"]
        )
        yield browser
        browser.close()
    del os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"]


def test_upload_a_seed_and_locate_a_quote(browser, live_server, plans, alice):
    page = browser.new_page(viewport={"width": 1500, "height": 1000}, locale="zh-CN")
    page.goto(f"{live_server.url}/admin/ingestion/plandocument/add/")
    page.fill("#id_username", "alice")
    page.fill("#id_password", "pw-alice-1")
    page.click("input[type=submit]")
    page.set_input_files("#id_file", str(SEED))
    page.select_option("#id_region", label="日照市(371100)")
    page.click("input[name=_continue]")
    page.wait_for_selector("#document-text")
    doc = PlanDocument.objects.get()
    assert (doc.period_start, doc.period_end) == (2021, 2025)
    proposal = doc.proposals.filter(source__startswith="专栏1").first()
    assert page.locator("mark.q-pending").count() > 10
    page.click(f"#p-{proposal.pk}")
    tag = page.locator(f"#q-{proposal.pk}")
    assert tag.is_visible()
    page.screenshot(path=str(OUTPUT / "ingestion-review.png"))

    # The review list: editable names, units, comparators and values; bulk decisions.
    page.set_viewport_size({"width": 1920, "height": 1000})
    page.goto(f"{live_server.url}/admin/ingestion/targetproposal/?document__id__exact={doc.pk}")
    assert page.locator("input[name$='-name']").count() == 50
    page.screenshot(path=str(OUTPUT / "ingestion-proposals.png"))
