"""The auditor's workbook, streamed row by row in constant memory (reports.xlsx_stream)."""

from .xlsx_stream import Workbook, column_letter, fill_rgb

HEADER_FILL = "DDEBF7"  # header rows: bold on light blue

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
        self.styles = workbook.styles
        self.columns = columns
        for n, (_, width) in enumerate(columns, start=1):
            self.ws.widths[n] = width
        self.ws.freeze = bool(freeze)
        self.filters = filters
        self._style_cache = {}
        header = self.styles.index(fill=fill_rgb(HEADER_FILL), bold=True)
        self.ws.append([(str(name), header) for name, _ in columns])

    def style(self, number_format=None, fill=None, wrap=False):
        """The index of a cell style, for cells given as (value, index) pairs."""
        key = (number_format, fill, wrap)
        found = self._style_cache.get(key)
        if found is None:
            found = self._style_cache[key] = self.styles.index(
                number_format, fill_rgb(fill), False, wrap
            )
        return found

    def append(self, values):
        """values: plain values, (value, style index) pairs, or dicts {value, format, fill,
        wrap} for styled cells."""
        cells = []
        add = cells.append
        for v in values:
            if type(v) is dict:
                fill = v.get("fill")
                if fill is not None and not isinstance(fill, str):
                    fill = fill.fgColor.rgb
                style = self.style(v.get("format"), fill, bool(v.get("wrap", False)))
                add((v.get("value"), style))
            else:
                add(v)
        self.ws.append(cells)

    def join(self, part):
        """Append the rows of a detached sheet part (see xlsx_stream.Workbook.sheet_part)."""
        self.ws.join(part)

    def close(self):
        if self.filters:
            last = column_letter(len(self.columns))
            self.ws.auto_filter = f"A1:{last}{self.ws.rows}"
        self.ws.close()


def new_workbook():
    return Workbook()
