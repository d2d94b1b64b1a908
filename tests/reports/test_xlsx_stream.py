"""The streaming XLSX writer behind the auditor's workbook (no database needed)."""

import zipfile
from decimal import Decimal
from pathlib import Path
from xml.etree import ElementTree

import openpyxl
import pytest
from openpyxl.styles import PatternFill

from reports import xlsx_stream
from reports.workbook import DECIMAL, PERCENT, RATIO, SheetWriter, new_workbook

COLUMNS = [("名称", 20), ("值", 10), ("说明", 30)]


def save(tmp_path, wb):
    path = tmp_path / "out.xlsx"
    wb.save(path)
    with zipfile.ZipFile(path) as archive:  # every part is well-formed XML
        for name in archive.namelist():
            ElementTree.fromstring(archive.read(name))
    return path, openpyxl.load_workbook(path)


def test_text_is_escaped_and_illegal_characters_dropped(tmp_path):
    wb = new_workbook()
    sheet = SheetWriter(wb, "汇总 & <明细> x'y", COLUMNS)
    sheet.append(['<a href="x">&amp;</a>', "a\x00b\x07c\x1bd\ufffe", "  杭州市\n第二行 "])
    sheet.append(["x\r\ny", "]]>", "中文:规划目标(%)"])
    sheet.close()
    _, book = save(tmp_path, wb)
    assert book.sheetnames == ["汇总 & <明细> x'y"]
    ws = book.active
    assert [c.value for c in ws[1]] == ["名称", "值", "说明"]
    assert [c.value for c in ws[2]] == ['<a href="x">&amp;</a>', "abcd", "  杭州市\n第二行 "]
    assert [c.value for c in ws[3]] == ["x\r\ny", "]]>", "中文:规划目标(%)"]
    assert ws.auto_filter.ref == "A1:C3"
    assert ws.freeze_panes == "A2"


def test_escape_function():
    assert xlsx_stream.escape("plain 中文") == "plain 中文"
    assert xlsx_stream.escape('a<b>&"c"\x01') == "a&lt;b&gt;&amp;&quot;c&quot;"


def test_text_that_looks_like_a_formula_is_stored_as_text(tmp_path):
    formulas = ["=1+1", "+1", "-2", "@SUM(A1)", "\tTAB", "\rCR", '=HYPERLINK("http://x","y")']
    wb = new_workbook()
    sheet = SheetWriter(wb, "公式", [("文本", 20), ("带填充", 20)])
    for text in formulas:
        sheet.append([text, {"value": text, "fill": PatternFill("solid", fgColor="FF9999")}])
    sheet.close()
    path, book = save(tmp_path, wb)
    with zipfile.ZipFile(path) as archive:
        assert b"<f>" not in archive.read("xl/worksheets/sheet1.xml")
    ws = book["公式"]
    for row, text in zip(ws.iter_rows(min_row=2), formulas, strict=True):
        for cell in row:
            assert (cell.value, cell.data_type, cell.quotePrefix) == (text, "s", True)
        assert row[1].fill.fgColor.rgb.endswith("FF9999")
    assert ws["A1"].font.b and not ws["A1"].quotePrefix


def test_numbers_formats_fills_and_wrap(tmp_path):
    wb = new_workbook()
    sheet = SheetWriter(wb, "数值", [("a", 8)] * 8, freeze=False, filters=False)
    sheet.append(
        [
            7,
            2.5,
            Decimal("96.0"),
            {"value": Decimal("0.8"), "format": RATIO},
            {"value": 96, "format": PERCENT, "fill": "C6EFCE"},
            {"value": Decimal("1.2345"), "format": DECIMAL, "wrap": True},
            True,
            None,
        ]
    )
    sheet.close()
    _, book = save(tmp_path, wb)
    ws = book["数值"]
    cells = next(iter(ws.iter_rows(min_row=2)))
    assert [c.value for c in cells[:7]] == [7, 2.5, 96, 0.8, 96, 1.2345, True]
    assert all(c.data_type == "n" for c in cells[:6])
    assert cells[3].number_format == RATIO and cells[4].number_format == PERCENT
    assert cells[4].fill.fgColor.rgb.endswith("C6EFCE")
    assert cells[5].number_format == DECIMAL and cells[5].alignment.wrap_text
    assert ws.freeze_panes is None and ws.auto_filter.ref is None
    assert ws.column_dimensions["A"].width == 8


def test_decimal_edge_cases(tmp_path):
    wb = new_workbook()
    sheet = SheetWriter(wb, "小数", [("a", 8)] * 5)
    values = [Decimal("1E+2"), Decimal("-0.00"), Decimal("96.50"), Decimal("0.001"), Decimal("NaN")]
    sheet.append([{"value": v} for v in values])
    sheet.close()
    _, book = save(tmp_path, wb)
    assert [c.value for c in book["小数"][2]] == [100, 0, 96.5, 0.001, "NaN"]


def test_long_and_duplicate_titles(tmp_path):
    wb = new_workbook()
    long = "规划" * 20
    for title in [long, long, "a/b"]:
        SheetWriter(wb, title, COLUMNS).close()
    _, book = save(tmp_path, wb)
    assert [len(t) <= 31 for t in book.sheetnames] == [True] * 3
    assert len(set(book.sheetnames)) == 3 and book.sheetnames[0] == long[:31]


def test_many_rows_stream_through_temporary_files(tmp_path, monkeypatch):
    monkeypatch.setattr(xlsx_stream, "FLUSH_CHARS", 10_000)
    wb = new_workbook()
    tmpdir = wb.tmpdir
    big = SheetWriter(wb, "明细", [(f"列{n}", 10) for n in range(10)])
    other = SheetWriter(wb, "其他", COLUMNS)  # left open: save() finishes it
    rows = 3_000
    for n in range(rows):
        big.append([n, f"指标{n}", n / 4, {"value": n % 7, "format": PERCENT}, *["x"] * 6])
    # The rows went to the temporary file as they came, not kept in memory until the end.
    written = sum(f.stat().st_size for f in Path(tmpdir).iterdir())
    assert written > 50 * xlsx_stream.FLUSH_CHARS
    other.append(["only", 1, None])
    big.close()
    path = tmp_path / "big.xlsx"
    wb.save(path)
    import os

    assert not os.path.exists(tmpdir)  # temporary files removed
    book = openpyxl.load_workbook(path, read_only=True)
    ws = book["明细"]
    all_rows = list(ws.iter_rows(values_only=True))
    assert len(all_rows) == rows + 1
    assert all_rows[-1][:4] == (rows - 1, f"指标{rows - 1}", (rows - 1) / 4, (rows - 1) % 7)
    assert list(book["其他"].iter_rows(values_only=True))[1] == ("only", 1, None)
    book.close()
    book = openpyxl.load_workbook(path)
    assert book["明细"].auto_filter.ref == f"A1:J{rows + 1}"


def test_parts_written_apart_join_in_row_order(tmp_path):
    wb = new_workbook()
    sheet = SheetWriter(wb, "明细", COLUMNS)
    ratio = sheet.style(RATIO)
    for style in (0, ratio):  # every style the parts use, registered before they are made
        wb.styles.quoted(style)
    registered = len(wb.styles)
    sheet.append(["own", 1, None])
    first, second = wb.sheet_part(first_row=3), wb.sheet_part(first_row=5)
    second.append(["third", 3, "x"])
    second.append(["fourth", 4, "x", "a fourth column"])
    first.append(["first", 1, None])
    first.append(["=1+1", (Decimal("0.5"), ratio), ("-1", ratio)])
    assert len(wb.styles) == registered  # the parts added no style
    sheet.join(first.detach())
    with pytest.raises(ValueError, match="starting at row 3 cannot follow row 4"):
        sheet.join(first.detach())
    sheet.join(second.detach())
    sheet.append(["after", 5, None])
    sheet.close()
    _, book = save(tmp_path, wb)
    ws = book["明细"]
    assert [r[0] for r in ws.iter_rows(values_only=True)] == [
        "名称",
        "own",
        "first",
        "=1+1",
        "third",
        "fourth",
        "after",
    ]
    assert ws["A4"].quotePrefix and ws["A4"].data_type == "s"
    assert ws["C4"].quotePrefix and ws["C4"].number_format == RATIO and ws["C4"].value == "-1"
    assert ws["B4"].value == 0.5 and ws["B4"].number_format == RATIO
    assert ws["D6"].value == "a fourth column"
    assert ws.auto_filter.ref == "A1:C7"
