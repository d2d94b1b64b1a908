"""The upload page speaks plainly: every problem as 第N行 第M列, blank cells blank, the preview
as old value → new value, and the template one click away."""

import csv
from io import StringIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from indicators.models import Indicator
from indicators.services.actuals import EntryRow, actual_return, actual_submit

pytestmark = pytest.mark.django_db

IMPORT = reverse("admin:indicators_actual_import")
HEADER = ["规划标识", "指标编码", "区划代码", "年份", "数值", "说明"]


def upload(client, *rows):
    text = StringIO()
    writer = csv.writer(text)
    writer.writerow(HEADER)
    writer.writerows(rows)
    data = SimpleUploadedFile("figures.csv", text.getvalue().encode("utf-8"))
    return client.post(IMPORT, {"format": "1", "import_file": data, "resource": "0"})


def test_every_problem_reads_as_row_and_column_without_a_click(client, bob):
    client.force_login(bob)
    response = upload(
        client,
        ["jiaxing-2011", "P-25", "330400", "2013", "92.5", ""],
        ["jiaxing-2011", "P-26", "330400", "2013", "abc", ""],
    )
    html = response.content.decode()
    assert "第3行 第5列(数值):“abc”不是有效的数值" in html
    assert "文件有以下问题,未导入任何数据" in html
    assert "某些行验数据证失败" not in html and "validation-error-count" not in html
    table = html.split('class="import-preview"')[1].split("</table>")[0]
    assert "None" not in table  # the blank note stays blank


def test_the_preview_shows_each_change_as_old_value_then_new(client, bob, dave):
    [returned] = actual_submit(
        user=bob,
        region=bob.profile.department.region,
        year=2013,
        rows=[
            EntryRow(
                Indicator.objects.get(plan__slug="jiaxing-2011", code="P-25"),
                "43.5",
                note="小数点待核",
                explanation="抽检批次调整",
                next_steps="复核",
            )
        ],
    ).saved
    actual_return(user=dave, actuals=[returned], reason="小数点位置有误")
    client.force_login(bob)
    html = upload(client, ["jiaxing-2011", "P-25", "330400", "2013", "93.5", ""]).content.decode()
    preview = html.split('class="import-preview"')[1].split("</table>")[0]
    assert '<span class="old">43.5</span> → <span class="new">93.5</span>' in preview
    assert '<span class="old">退回</span> → <span class="new">已提交</span>' in preview
    assert "<del" not in preview and "<ins" not in preview
    assert "None" not in preview
    assert ">数值<" in preview and ">value<" not in preview  # headings in words


def test_the_upload_page_links_the_template(client, bob):
    client.force_login(bob)
    html = client.get(IMPORT).content.decode()
    template = reverse("admin:indicators_actual_entry_template")
    assert f'href="{template}"' in html
    response = client.get(template)  # the clerk's department, the year now due
    assert response.status_code == 200
    assert response["Content-Disposition"].endswith('2015.xlsx"')
