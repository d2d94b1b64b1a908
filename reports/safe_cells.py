"""Text in every spreadsheet and CSV we hand out: never run as a formula, no control characters.

The one rule for the entry template, the admin's raw exports (XLSX and CSV) and the auditor's
workbook. A text is formula-like when, after any leading whitespace, it begins with = + - or @,
or when it begins with a tab or a carriage return: spreadsheet programs run such text
(LibreOffice evaluates "+cmd|…", "@SUM(…)" and "-2+3+…" read from a CSV, and an XLSX cell
stored as a formula). Formula-like text is written as text:

- where the writer sets the cell's type (openpyxl, `reports.xlsx_stream`): as a string cell with
  quotePrefix, so that it reads back exactly and stays text when edited (`set_text`);
- where it cannot (a CSV, django-import-export's XLSX): with an apostrophe in front, as a
  spreadsheet shows text typed that way (`safe_cell`).

Control characters (U+0000–U+001F except tab, line feed and carriage return, and U+007F) are
dropped: XLSX cannot hold most of them, and they only hide what a cell says.
"""

import re

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# A number written as digits is not run whatever its sign ("-5", "+1.5").
_PLAIN_NUMBER = re.compile(r"[+-]?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?")


def clean_text(text: str) -> str:
    """The text without control characters."""
    return _CONTROL.sub("", text)


def looks_like_formula(value) -> bool:
    if not isinstance(value, str) or not value:
        return False
    return value.startswith(FORMULA_STARTS) or value.lstrip().startswith(FORMULA_STARTS)


def safe_cell(value):
    """A value for a file whose writer cannot mark a cell as text: text without control
    characters, and an apostrophe in front of formula-like text. Other values pass."""
    if not isinstance(value, str):
        return value
    text = clean_text(value)
    if looks_like_formula(text) and not _PLAIN_NUMBER.fullmatch(text):
        return "'" + text
    return text


def set_text(cell, value) -> None:
    """Write text into an openpyxl cell as a string cell, formula-like text with quotePrefix."""
    text = clean_text(value)
    cell.value = text
    if looks_like_formula(text):
        cell.data_type = "s"  # openpyxl takes a text starting with "=" for a formula
        cell.quotePrefix = True
