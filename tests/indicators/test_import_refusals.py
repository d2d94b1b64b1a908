"""Bad files and bad cells in an upload of actuals: refused before they are parsed when they
are too big, and every problem said in Chinese as 第N行 第M列 (admin and command alike),
never a traceback or a database message, with nothing written."""

import io
import os
import time
import zipfile
from io import StringIO

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError

from indicators.imports import UploadError, check_upload
from indicators.models import Actual

HEADER = "plan,indicator,region,year,value,note"
GOOD_LINE = "jiaxing-2011,P-25,330400,2013,92.5,"
# What a clerk must never read.
LEAKS = [
    "Traceback",
    "NoneType",
    "object has no attribute",
    "NUL",
    "0x00",
    "varying",
    "DataError",
    "psycopg",
    "numeric field overflow",
    "line contains",
    "Error:",
    "InvalidDimensions",
]


def limits(settings):
    return {
        "max_bytes": settings.IMPORT_MAX_BYTES,
        "max_rows": settings.IMPORT_MAX_ROWS,
        "max_unzipped_bytes": settings.IMPORT_MAX_UNZIPPED_BYTES,
        "max_cells": settings.IMPORT_MAX_CELLS,
    }


def workbook_bytes(rows=None):
    rows = rows or [HEADER.split(","), GOOD_LINE.split(",")]
    wb = openpyxl.Workbook()
    for row in rows:
        wb.active.append(list(row))
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def replace_member(xlsx, name, data):
    """The workbook with one member of its archive replaced (or added)."""
    source, out = zipfile.ZipFile(io.BytesIO(xlsx)), io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for info in source.infolist():
            if info.filename != name:
                archive.writestr(info.filename, source.read(info.filename))
        archive.writestr(name, data)
    return out.getvalue()


def sheet_xml(rows, columns):
    """A worksheet of rows × columns numeric cells, written as Excel writes them."""
    letters = [openpyxl.utils.get_column_letter(c + 1) for c in range(columns)]
    parts = [
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
    ]
    for r in range(1, rows + 1):
        cells = "".join(f'<c r="{letter}{r}"><v>1</v></c>' for letter in letters)
        parts.append(f'<row r="{r}">{cells}</row>')
    parts.append("</sheetData></worksheet>")
    return "".join(parts).encode()


def inflating_xlsx(inflated_mb, ratio):
    """A real workbook padded with a member that inflates to about `inflated_mb` MB at about
    `ratio` times its compressed size (the probe's file: 465 KB inflating to 71 MB)."""
    block = 65536
    random_part = block // ratio - 60
    padding = b"".join(
        os.urandom(random_part) + b"A" * (block - random_part)
        for _ in range(inflated_mb * 1024 * 1024 // block)
    )
    return replace_member(workbook_bytes(), "xl/media/padding.bin", padding)


def post_upload(client, name, data):
    return client.post(
        "/admin/indicators/actual/import/",
        {
            "format": "0" if name.endswith("xlsx") else "1",
            "resource": "0",
            "import_file": SimpleUploadedFile(name, data),
        },
    )


def run_command(tmp_path, name, data, *flags):
    path = tmp_path / name
    path.write_bytes(data)
    out, err = StringIO(), StringIO()
    try:
        call_command("import_actuals", str(path), "--user", "bob", *flags, stdout=out, stderr=err)
    except CommandError as exc:
        return f"{err.getvalue()}\n{exc}", False
    return out.getvalue(), True


def visible_text(response):
    import re

    html = response.content.decode()
    html = html[html.find('id="content"') :]
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def assert_no_leak(text):
    for leak in LEAKS:
        assert leak not in text, (leak, text[:2000])


# --- Before parsing: the archive's inflated size and each sheet's cells -----------------------


def test_an_xlsx_inflating_past_the_cap_is_refused_before_it_is_parsed(settings):
    data = inflating_xlsx(71, 150)
    assert 300_000 < len(data) < 700_000  # the probe's 465 KB, give or take
    started = time.monotonic()
    with pytest.raises(UploadError, match="解压后"):
        check_upload("big.xlsx", data, **limits(settings))
    assert time.monotonic() - started < 2


def test_the_inflated_size_cap_is_a_setting(settings):
    data = inflating_xlsx(3, 100)
    check_upload("ok.xlsx", data, **limits(settings))
    settings.IMPORT_MAX_UNZIPPED_BYTES = 2 * 1024 * 1024
    with pytest.raises(UploadError, match="2 MB"):
        check_upload("ok.xlsx", data, **limits(settings))


@pytest.mark.parametrize(("rows", "columns"), [(4_000, 60), (13, 16_384)], ids=["tall", "wide"])
def test_a_sheet_with_too_many_cells_is_refused_before_it_is_parsed(settings, rows, columns):
    data = replace_member(workbook_bytes(), "xl/worksheets/sheet1.xml", sheet_xml(rows, columns))
    assert len(data) < settings.IMPORT_MAX_BYTES
    started = time.monotonic()
    with pytest.raises(UploadError, match="单元格"):
        check_upload("cells.xlsx", data, **limits(settings))
    assert time.monotonic() - started < 3


def test_the_cell_cap_is_a_setting_and_a_normal_sheet_passes(settings):
    data = replace_member(workbook_bytes(), "xl/worksheets/sheet1.xml", sheet_xml(100, 6))
    check_upload("cells.xlsx", data, **limits(settings))
    settings.IMPORT_MAX_CELLS = 500
    with pytest.raises(UploadError, match="500"):
        check_upload("cells.xlsx", data, **limits(settings))


def test_csv_rows_and_cells_are_counted_whatever_the_line_endings(settings):
    many = (HEADER + "\r" + (GOOD_LINE + "\r") * (settings.IMPORT_MAX_ROWS + 5)).encode()
    with pytest.raises(UploadError, match="行数"):
        check_upload("cr.csv", many, **limits(settings))
    wide = (HEADER + "\n" + "," * 250_000 + "\n").encode()
    with pytest.raises(UploadError, match="第2行"):
        check_upload("wide.csv", wide, **limits(settings))


# --- Every problem by row and column, in Chinese --------------------------------------------

BAD_FILES = [
    # (file name, content, what the clerk is told)
    ("missing.csv", b"plan,indicator\njiaxing-2011,P-25\n", ["第1行", "缺少必需的列", "年份"]),
    ("empty.csv", b"", ["空"]),
    ("blank.csv", b"\r\n\r\n", ["空"]),
    (
        "nul.csv",
        f"{HEADER}\n{GOOD_LINE}\njiaxing-2011,P-26,330400,2013,93,a\x00b\n".encode(),
        ["第3行 第6列", "控制字符"],
    ),
    (
        "nul-code.csv",
        f"{HEADER}\njiaxing-2011,P-2\x005,330400,2013,93,\n".encode(),
        ["第2行 第2列", "控制字符"],
    ),
    (
        "long-value.csv",
        f"{HEADER}\njiaxing-2011,P-25,330400,2013,{'0' * 250}92,\n".encode(),
        ["第2行 第5列", "200"],
    ),
    (
        "long-note.csv",
        f"{HEADER}\njiaxing-2011,P-25,330400,2013,92,{'说' * 5000}\n".encode(),
        ["第2行 第6列", "2000"],
    ),
    (
        "huge-field.csv",
        f'{HEADER}\njiaxing-2011,P-25,330400,2013,92,"{"x" * 200_000}"\n'.encode(),
        ["第2行"],
    ),
    (
        "too-wide.csv",
        f"{HEADER}\n{GOOD_LINE},extra,cells\n".encode(),
        ["第2行", "多于"],
    ),
    (
        "bad-value.csv",
        f"{HEADER}\n{GOOD_LINE}\njiaxing-2011,P-26,330400,2013,九十,\n".encode(),
        ["第3行 第5列", "不是有效的数值"],
    ),
    (
        "headings.csv",
        "规划标识,指标编码,区划代码,年份,数值,说明\njiaxing-2011,P-26,330400,2013,九十,\n".encode(),
        ["第2行 第5列(数值)", "不是有效的数值"],
    ),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "data", "told"), BAD_FILES, ids=[b[0] for b in BAD_FILES])
def test_a_bad_file_is_refused_by_row_and_column_in_the_admin(
    client, bob, settings, name, data, told
):
    settings.DEBUG = False
    client.force_login(bob)
    page = post_upload(client, name, data)
    assert page.status_code == 200
    text = visible_text(page)
    for words in told:
        assert words in text, (words, text[:1500])
    assert_no_leak(text)
    assert "确认导入" not in text
    assert not Actual.objects.filter(indicator__plan__slug="jiaxing-2011").exists()


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "data", "told"), BAD_FILES, ids=[b[0] for b in BAD_FILES])
def test_a_bad_file_is_refused_by_row_and_column_by_the_command(tmp_path, bob, name, data, told):
    text, ok = run_command(tmp_path, name, data)
    assert not ok
    for words in told:
        assert words in text, (words, text)
    assert_no_leak(text)
    assert not Actual.objects.filter(indicator__plan__slug="jiaxing-2011").exists()


GOOD_FILES = [
    ("cr-only.csv", f"{HEADER}\r{GOOD_LINE}\rjiaxing-2011,P-26,330400,2013,93,\r".encode()),
    ("crlf.csv", f"{HEADER}\r\n{GOOD_LINE}\r\njiaxing-2011,P-26,330400,2013,93,\r\n".encode()),
    ("bom.csv", f"\ufeff{HEADER}\n{GOOD_LINE}\njiaxing-2011,P-26,330400,2013,93,\n".encode()),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "data"), GOOD_FILES, ids=[g[0] for g in GOOD_FILES])
def test_line_endings_of_any_kind_are_read(client, tmp_path, bob, settings, name, data):
    settings.DEBUG = False
    client.force_login(bob)
    page = post_upload(client, name, data)
    text = visible_text(page)
    assert "确认导入" in text, text[:1500]
    assert_no_leak(text)
    out, ok = run_command(tmp_path, name, data)
    assert ok and "2 new" in out, out
    assert Actual.objects.filter(indicator__plan__slug="jiaxing-2011").count() == 2


@pytest.mark.django_db
def test_an_xlsx_with_a_problem_is_told_by_row_and_column(client, bob, settings):
    settings.DEBUG = False
    data = workbook_bytes(
        [
            ["规划标识", "指标编码", "区划代码", "年份", "数值", "说明"],
            ["jiaxing-2011", "P-25", "330400", 2013, 92.5, None],
            ["jiaxing-2011", "P-26", "330400", 2013, "x" * 201, None],
        ]
    )
    client.force_login(bob)
    text = visible_text(post_upload(client, "filled.xlsx", data))
    assert "第3行 第5列(数值)" in text
    assert_no_leak(text)
    assert not Actual.objects.filter(indicator__plan__slug="jiaxing-2011").exists()


@pytest.mark.django_db
def test_a_file_refused_at_confirmation_says_why_instead_of_finished(client, bob, dave):
    from django.urls import reverse

    from indicators.models import Plan
    from indicators.services.actuals import year_lock

    client.force_login(bob)
    data = f"{HEADER}\n{GOOD_LINE}\n".encode()
    preview = post_upload(client, "late.csv", data)
    confirm = preview.context["confirm_form"]
    # Between the preview and the confirmation a reviewer locks the year.
    year_lock(user=dave, plan=Plan.objects.get(slug="jiaxing-2011"), year=2013)
    done = client.post(
        reverse("admin:indicators_actual_process_import"), dict(confirm.initial), follow=True
    )
    told = " ".join(str(m) for m in done.context["messages"])
    assert "未导入" in told and "第2行 第4列(year)" in told and "已锁定" in told, told
    assert "导入成功" not in told
    assert not Actual.objects.filter(indicator__plan__slug="jiaxing-2011").exists()
