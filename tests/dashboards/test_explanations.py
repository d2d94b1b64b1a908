"""The department's 情况说明 and 下一步措施 stand beside the status on the indicator's page."""

import pytest
from django.urls import reverse

from indicators.models import Indicator
from indicators.services.actuals import EntryRow, actual_submit


@pytest.mark.django_db
def test_the_indicator_page_shows_the_departments_reasons_for_the_year(client, carol, erin):
    indicator = Indicator.objects.get(plan__slug="jiaxing-2011", code="P-37")
    actual_submit(
        user=carol,
        region=carol.profile.department.region,
        year=2013,
        rows=[
            EntryRow(
                indicator, "120", explanation="两家龙头企业推迟认证", next_steps="下半年集中辅导"
            )
        ],
    )
    client.force_login(erin)
    html = client.get(
        reverse("dashboards:indicator", args=["jiaxing-2011", "P-37"])
    ).content.decode()
    section = html.split('id="explanation-2013"')[1].split("</section>")[0]
    assert "2013年 情况说明(已提交)" in section
    assert "两家龙头企业推迟认证" in section and "下半年集中辅导" in section
