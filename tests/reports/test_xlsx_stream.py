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
    assert ws.column_dimensions["A"].width == 6  # as wide as "7" needs, never narrower than 6


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


def test_formulas_are_written_for_the_row_they_are_in_and_computed_on_opening(tmp_path):
    wb = new_workbook()
    sheet = SheetWriter(wb, "公式", [("a", 8), ("b", 8), ("a/b", 8)])
    for a, b in [(1, 4), (3, 4)]:
        sheet.append([a, b, (xlsx_stream.Formula('IF(B{row}=0,"",A{row}/B{row})'), 0)])
    sheet.close()
    path, book = save(tmp_path, wb)
    ws = book["公式"]
    assert [ws["C2"].value, ws["C3"].value] == ['=IF(B2=0,"",A2/B2)', '=IF(B3=0,"",A3/B3)']
    assert ws["C2"].data_type == "f"
    with zipfile.ZipFile(path) as archive:
        assert b'fullCalcOnLoad="1"' in archive.read("xl/workbook.xml")


def test_every_sheet_prints_landscape_one_page_wide_with_its_header_row_and_page_numbers(
    tmp_path,
):
    wb = new_workbook()
    SheetWriter(wb, "明细", COLUMNS, header="杭州市“十四五”质量发展规划 & 附表", paper=8).close()
    _, book = save(tmp_path, wb)
    ws = book["明细"]
    assert ws.page_setup.orientation == "landscape" and ws.page_setup.paperSize == 8
    assert ws.sheet_properties.pageSetUpPr.fitToPage
    assert (ws.page_setup.fitToWidth, ws.page_setup.fitToHeight) == (1, 0)
    assert ws.print_title_rows == "$1:$1"
    assert ws.oddHeader.center.text == "杭州市“十四五”质量发展规划 && 附表"
    assert ws.oddFooter.center.text == "第 &P 页,共 &N 页"


def test_columns_are_as_wide_as_their_chinese_text_within_their_most(tmp_path):
    wb = new_workbook()
    sheet = SheetWriter(wb, "宽度", [("名称", 40), ("说明", 12), ("值", 10)])
    sheet.append(["台州市椒江区", {"value": "很长的说明" * 6, "wrap": True}, 7])
    sheet.close()
    _, book = save(tmp_path, wb)
    ws = book["宽度"]
    widths = [ws.column_dimensions[c].width for c in "ABC"]
    # six Chinese characters take 12 widths, and 2 for the margin; wrapped text stops at 12
    assert widths == [14, 12, 6]
    # a row holding wrapped text is as tall as its lines: 60 widths in 11 per line = 6 lines
    assert ws.row_dimensions[2].height == 6 * xlsx_stream.LINE_HEIGHT + 2
    assert ws.row_dimensions[1].height is None


def test_a_formula_down_a_column_is_written_once_when_the_rows_are_known(tmp_path):
    higher = xlsx_stream.Formula("A{row}/B{row}")
    lower = xlsx_stream.Formula("B{row}/A{row}")
    wb = new_workbook()
    sheet = SheetWriter(wb, "公式", [("a", 8), ("b", 8), ("比", 8)], rows=4)
    for a, b, formula in [(1, 4, higher), (2, 8, lower), (3, 4, higher), (4, 2, lower)]:
        sheet.append([a, b, formula])
    sheet.close()
    path, book = save(tmp_path, wb)
    with zipfile.ZipFile(path) as archive:
        xml = archive.read("xl/worksheets/sheet1.xml").decode()
    assert '<f t="shared" ref="C2:C5" si="0">A2/B2</f>' in xml
    assert '<f t="shared" ref="C3:C5" si="1">B3/A3</f>' in xml
    assert xml.count("<f t=") == 4 and xml.count("/A") + xml.count("/B") == 2
    ws = book["公式"]
    assert [c.value for c in ws["C"][1:]] == ["=A2/B2", "=B3/A3", "=A4/B4", "=B5/A5"]
