"""A reviewer uploads a real plan in headless Chromium and reads proposals beside the text."""

from pathlib import Path

import pytest
from django.conf import settings

from ingestion.models import PlanDocument

from ..conftest import BROWSER_OUTPUT

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SEED = Path(settings.SEEDS_DIR) / "002_47c185f41e6f50f8.txt"


@pytest.fixture
def seed():
    if not SEED.exists():
        pytest.skip(f"seed document {SEED} is not here")
    return SEED


def test_upload_a_seed_and_locate_a_quote(seed, browser, live_server, plans, alice):
    page = browser.new_page(viewport={"width": 1500, "height": 1000}, locale="zh-CN")
    page.goto(f"{live_server.url}/admin/ingestion/plandocument/add/")
    page.fill("#id_username", "alice")
    page.fill("#id_password", "pw-alice-1")
    page.click("input[type=submit]")
    page.set_input_files("#id_file", str(seed))
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
    page.screenshot(path=str(BROWSER_OUTPUT / "ingestion-review.png"))

    # The review list: editable names, units, comparators and values; bulk decisions.
    page.set_viewport_size({"width": 1920, "height": 1000})
    page.goto(f"{live_server.url}/admin/ingestion/targetproposal/?document__id__exact={doc.pk}")
    assert page.locator("input[name$='-name']").count() == 50
    page.screenshot(path=str(BROWSER_OUTPUT / "ingestion-proposals.png"))
