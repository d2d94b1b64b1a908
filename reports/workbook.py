"""The auditor's workbook, streamed row by row in constant memory (openpyxl write-only)."""

from decimal import Decimal

from django.utils.functional import Promise
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from .safe_cells import looks_like_formula

HEADER_FONT = Font(bold=True)
HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
WRAP = Alignment(wrap_text=True, vertical="top")

PERCENT = '0.0"%"'  # a figure in percent units: 96 shows as 96.0%
RATIO = "0.0%"  # a ratio: 0.8 shows as 80.0%
INTEGER = "0"
DECIMAL = "0.####"


def number_format_for_unit(unit, whole_units):
    if unit == "%":
        return PERCENT
    if unit in whole_units:
        return INTEGER
    return DECIMAL


class SheetWriter:
    """One worksheet: a header row with widths, then rows of (value, format, fill)."""

    def __init__(self, workbook, title, columns, *, freeze=True, filters=True):
        self.ws = workbook.create_sheet(title=title)
        self.columns = columns
        for n, (_, width) in enumerate(columns, start=1):
            self.ws.column_dimensions[get_column_letter(n)].width = width
        if freeze:
            self.ws.freeze_panes = "A2"
        self.rows = 0
        self.filters = filters
        self.ws.append(
            [self._cell(name, font=HEADER_FONT, fill=HEADER_FILL) for name, _ in columns]
        )

    def _cell(self, value, *, number_format=None, fill=None, font=None, wrap=False):
        if isinstance(value, Promise):
            value = str(value)  # a translated label
        if isinstance(value, Decimal):
            value = float(value) if value != value.to_integral_value() else int(value)
        cell = WriteOnlyCell(self.ws, value=value)
        if looks_like_formula(value):
            cell.data_type = "s"
            cell.quotePrefix = True
        if number_format:
            cell.number_format = number_format
        if fill:
            cell.fill = fill
        if font:
            cell.font = font
        if wrap:
            cell.alignment = WRAP
        return cell

    def append(self, values):
        """values: plain values, or dicts {value, format, fill, wrap} for styled cells."""
        cells = []
        for v in values:
            if isinstance(v, dict):
                cells.append(
                    self._cell(
                        v.get("value"),
                        number_format=v.get("format"),
                        fill=v.get("fill"),
                        wrap=v.get("wrap", False),
                    )
                )
            else:
                cells.append(self._cell(v))
        self.ws.append(cells)
        self.rows += 1

    def close(self):
        if self.filters:
            last = get_column_letter(len(self.columns))
            self.ws.auto_filter.ref = f"A1:{last}{self.rows + 1}"


def new_workbook():
    return Workbook(write_only=True)
