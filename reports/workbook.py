"""The auditor's workbook, streamed row by row in constant memory (reports.xlsx_stream)."""

from .xlsx_stream import PageSetup, Workbook, column_letter, fill_rgb, text_width

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


# Column widths follow the text of the header and of the first rows, in character widths
# (a Chinese character counts two), within each column's most.
MEASURED_ROWS = 500
MIN_WIDTH = 6


class SheetWriter:
    """One worksheet: a header row, then rows of (value, format, fill); printed landscape,
    one page wide, the header row on every page, `header` atop each page.

    columns: (name, most width) pairs; a column is as wide as its header and the text of its
    first MEASURED_ROWS rows need, within its most (a longer header wraps). A sheet whose rows
    are all joined from parts (Workbook.sheet_part) keeps the most widths. rows: how many rows
    will follow the header, where known (a formula down a column is then written once)."""

    def __init__(
        self, workbook, title, columns, *, freeze=True, filters=True, header="", paper=9, rows=None
    ):
        self.ws = workbook.create_sheet(title=title)
        if rows is not None:  # the rows to come, below the header: formulas may be shared
            self.ws.last_row = 1 + rows
        self.styles = workbook.styles
        self.columns = columns
        self.ws.freeze = bool(freeze)
        self.ws.page = PageSetup(header=header or self.ws.title, paper=paper)
        self.filters = filters
        self._style_cache = {}
        self._measured = 0
        self._needed = [MIN_WIDTH] * len(columns)
        for n, (name, most) in enumerate(columns):
            self._needed[n] = max(MIN_WIDTH, text_width(str(name)) + 1)
            self.ws.widths[n + 1] = most  # until the rows tell
        header_style = self.styles.index(fill=fill_rgb(HEADER_FILL), bold=True, wrap=True)
        self.ws.append([(str(name), header_style) for name, _ in columns])

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
        if self._measured < MEASURED_ROWS:
            self._measure(cells)
        self.ws.append(cells)

    def _measure(self, cells):
        self._measured += 1
        needed = self._needed
        for n, cell in enumerate(cells[: len(needed)]):
            width = text_width(cell[0] if type(cell) is tuple else cell) + 2
            if width > needed[n]:
                needed[n] = width

    def join(self, part):
        """Append the rows of a detached sheet part (see xlsx_stream.Workbook.sheet_part)."""
        self.ws.join(part)

    def close(self):
        for n, (_, most) in enumerate(self.columns, start=1):
            self.ws.widths[n] = min(most, self._needed[n - 1]) if self._measured else most
        if self.filters:
            last = column_letter(len(self.columns))
            self.ws.auto_filter = f"A1:{last}{self.ws.rows}"
        self.ws.close()


def new_workbook():
    return Workbook()
