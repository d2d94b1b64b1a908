"""The one rule for text in every spreadsheet and CSV we write (no database needed)."""

import openpyxl
import pytest

from reports.safe_cells import clean_text, looks_like_formula, safe_cell, set_text

# Text a spreadsheet program would run, as found in probes: a link, a doubled "=", a tab or a
# space before "=", a DDE command, an @-function and arithmetic before a command.
FORMULAS = [
    '=HYPERLINK("http://example.com","点此")',
    '==HYPERLINK("http://example.com","点此")',
    "\t=1+1",
    " =1+1",
    "\u3000=1+1",
    "\r=1+1",
    "+cmd|' /C calc'!A0",
    "@SUM(1,2)",
    "-2+3+cmd|' /C calc'!A0",
]


@pytest.mark.parametrize("text", FORMULAS)
def test_formula_like_text_is_recognised(text):
    assert looks_like_formula(text)
    assert safe_cell(text) == "'" + text


@pytest.mark.parametrize("text", ["98以上", "合格率 = 98%", "a-b", "", "-5", "+1.5", "3e5"])
def test_plain_text_and_plain_numbers_pass_unchanged(text):
    assert safe_cell(text) == text


def test_control_characters_are_dropped_and_line_breaks_kept():
    assert clean_text("a\x00b\x01\x0bc\x1f\x7fd\te\nf\rg") == "abcd\te\nf\rg"
    assert safe_cell("=\x01x") == "'=x"


@pytest.mark.parametrize("value", [None, 7, 1.5, True])
def test_values_that_are_not_text_pass_unchanged(value):
    assert safe_cell(value) is value


def test_an_openpyxl_cell_keeps_formula_like_text_as_text():
    ws = openpyxl.Workbook().active
    for row, text in enumerate([*FORMULAS, "普通\x01说明"], start=1):
        set_text(ws.cell(row=row, column=1), text)
    for row, text in enumerate(FORMULAS, start=1):
        cell = ws.cell(row=row, column=1)
        assert (cell.value, cell.data_type, cell.quotePrefix) == (text, "s", True)
    last = ws.cell(row=len(FORMULAS) + 1, column=1)
    assert (last.value, last.quotePrefix) == ("普通说明", False)
