"""A small streaming XLSX writer (standard library only).

Each sheet's rows go to a temporary file as they are appended, so memory stays constant
whatever the number of rows; the package (workbook, styles, sheets) is assembled by
`Workbook.save()`. Text is written as inline strings, escaped for XML, with control characters
and characters illegal in XML 1.0 removed; formula-like text gets quotePrefix (`safe_cells`):
text is never a formula, only a `Formula` is. Cell styles are collected as they are used:
every distinct (number format, fill colour, bold, wrap, quote prefix) gets one cellXfs entry.
A sheet may carry a print setup (`PageSetup`).
"""

import functools
import math
import os
import re
import shutil
import tempfile
import zipfile
from decimal import Decimal
from typing import NamedTuple

from .safe_cells import FORMULA_STARTS, clean_text, looks_like_formula

MAX_TEXT = 32767  # the most characters a spreadsheet cell holds
MAX_TITLE = 31
# Characters XML 1.0 does not allow (plus lone surrogates, which UTF-8 cannot encode).
_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_SPECIAL = re.compile('[&<>"\r\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff\ufffe\uffff]')
_BAD_TITLE = re.compile(r"[\\*?:/\[\]]")
FLUSH_CHARS = 1 << 20  # buffered XML per sheet before it goes to the temporary file

MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG_REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
XML_DECL = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'


class Formula(str):
    """A cell formula (without the "="), written with no cached value: the spreadsheet
    computes it on opening (the workbook asks for a full calculation on load). "{row}" stands
    for the number of the row the cell is in."""


class PageSetup(NamedTuple):
    """How a sheet prints: landscape on `paper` (9 = A4, 8 = A3), one page wide, the first
    `title_rows` rows repeated on every page, `header` centred at the top of each page and the
    page number ("第 N 页,共 M 页") at the bottom."""

    header: str = ""
    paper: int = 9
    title_rows: int = 1


def escape(text):
    """`text` as XML character data / attribute value (illegal characters dropped)."""
    if not _SPECIAL.search(text):
        return text
    text = _ILLEGAL.sub("", text)
    return (
        text.replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace('"', "&quot;")
        .replace("\r", "&#13;")  # would otherwise be read back as a line feed
    )


def text_width(value):
    """The width a value takes, in widths of a digit: a Chinese character counts two."""
    if value is None:
        return 0
    if type(value) is Formula:
        return 8
    if isinstance(value, int | float | Decimal):
        text = f"{value.normalize():f}" if isinstance(value, Decimal) else str(value)
        return len(text) + 3  # room for a number format's decimals, unit or percent sign
    text = str(value)
    if "\n" in text:
        return max(text_width(line) for line in text.split("\n"))
    # UTF-8 takes 3 bytes for a Chinese character and 1 for an ASCII one: (3 - 1) / 2 + 1 = 2.
    return (len(text.encode()) + len(text)) / 2


def column_letter(n):
    """1 -> A, 27 -> AA."""
    letters = ""
    while n:
        n, rem = divmod(n - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def fill_rgb(fill):
    """A fill as ARGB hex: an RGB/ARGB string or an object with .fgColor.rgb (openpyxl)."""
    if fill is None:
        return None
    if not isinstance(fill, str):
        fill = getattr(getattr(fill, "fgColor", None), "rgb", None)
        if not isinstance(fill, str):
            return None
    return _argb(fill)


@functools.lru_cache(maxsize=256)
def _argb(fill):
    fill = fill.upper().lstrip("#")
    if len(fill) == 6:
        fill = "FF" + fill
    if not re.fullmatch(r"[0-9A-F]{8}", fill):
        raise ValueError(f"not an RGB colour: {fill!r}")
    return fill


class Styles:
    """cellXfs collected as used: key (number format, fill ARGB, bold, wrap, quotePrefix)."""

    def __init__(self):
        self._index = {(None, None, False, False, False): 0}
        self._keys = list(self._index)
        self._quoted = {}
        self.wrapping = set()  # the indices of styles that wrap text

    def __len__(self):
        return len(self._keys)

    def index(self, number_format=None, fill=None, bold=False, wrap=False, quote=False):
        key = (number_format or None, fill, bool(bold), bool(wrap), bool(quote))
        found = self._index.get(key)
        if found is None:
            found = self._index[key] = len(self._keys)
            self._keys.append(key)
            if wrap:
                self.wrapping.add(found)
        return found

    def quoted(self, style):
        """The index of `style` with quotePrefix set (for text that looks like a formula)."""
        found = self._quoted.get(style)
        if found is None:
            fmt, fill, bold, wrap, _ = self._keys[style]
            found = self._quoted[style] = self.index(fmt, fill, bold, wrap, quote=True)
        return found

    def xml(self):
        formats, fills = {}, {}
        for fmt, fill, _, _, _ in self._index:
            if fmt and fmt != "General" and fmt not in formats:
                formats[fmt] = 164 + len(formats)
            if fill and fill not in fills:
                fills[fill] = 2 + len(fills)  # 0 and 1 are reserved (none, gray125)
        out = [XML_DECL, f'<styleSheet xmlns="{MAIN_NS}">']
        if formats:
            out.append(f'<numFmts count="{len(formats)}">')
            out += [
                f'<numFmt numFmtId="{i}" formatCode="{escape(f)}"/>' for f, i in formats.items()
            ]
            out.append("</numFmts>")
        out.append(
            '<fonts count="2">'
            '<font><sz val="11"/><name val="Calibri"/><family val="2"/></font>'
            '<font><b/><sz val="11"/><name val="Calibri"/><family val="2"/></font>'
            "</fonts>"
        )
        out.append(
            f'<fills count="{2 + len(fills)}"><fill><patternFill patternType="none"/></fill>'
            '<fill><patternFill patternType="gray125"/></fill>'
        )
        out += [
            f'<fill><patternFill patternType="solid"><fgColor rgb="{rgb}"/>'
            f'<bgColor rgb="{rgb}"/></patternFill></fill>'
            for rgb in fills
        ]
        out.append("</fills>")
        out.append('<borders count="1"><border><left/><right/><top/><bottom/><diagonal/>')
        out.append("</border></borders>")
        out.append(
            '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0">'
            '<alignment vertical="top"/></xf>'
        )
        out.append(f'</cellStyleXfs><cellXfs count="{len(self._index)}">')
        for fmt, fill, bold, wrap, quote in self._index:  # insertion order = index order
            fmt_id = formats.get(fmt, 0)
            attrs = [f'numFmtId="{fmt_id}" fontId="{int(bold)}"']
            attrs.append(f'fillId="{fills[fill] if fill else 0}" borderId="0" xfId="0"')
            if fmt_id:
                attrs.append('applyNumberFormat="1"')
            if bold:
                attrs.append('applyFont="1"')
            if fill:
                attrs.append('applyFill="1"')
            if quote:
                attrs.append('quotePrefix="1"')
            # Top-aligned, so that a row made tall by wrapped text reads from its top line.
            attrs.append('applyAlignment="1"')
            wrap_text = ' wrapText="1"' if wrap else ""
            out.append(f'<xf {" ".join(attrs)}><alignment vertical="top"{wrap_text}/></xf>')
        out.append(
            '</cellXfs><cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/>'
            "</cellStyles></styleSheet>"
        )
        return "".join(out)


LINE_HEIGHT = 15  # points per line of text


class Sheet:
    """One worksheet whose rows stream to temporary files (its own, and any joined parts).

    A row holding text in a wrapping style is made as tall as the text needs in its column's
    width (the widths known when the row is appended), so that it prints whole.

    Where the sheet knows its `last_row`, a Formula repeated down a column is written once, as
    a shared formula over the rows to the last (`<f t="shared">`), and the cells below it
    refer to it; its index (si) counts from `first_shared`, which parts of one sheet written
    apart must keep apart."""

    def __init__(self, workbook, title, *, first_row=1, widths=None, last_row=None, first_shared=0):
        self.workbook = workbook
        self.title = title
        self.widths = dict(widths or {})  # column number -> width
        self.last_row = last_row
        self._shared = {}  # (column index, Formula) -> its shared formula's index
        self._first_shared = first_shared
        self.freeze = False
        self.auto_filter = None  # "A1:K101"
        self.page = None  # a PageSetup, to print
        self.first_row = first_row
        self.rows = first_row - 1  # the number of the last row written
        self.max_column = 0
        self._buffer = []
        self._buffered = 0
        self._paths = []  # the row files, in row order
        self._file = None
        self.closed = False
        self._letters = []

    # -- writing ---------------------------------------------------------------------------
    def append(self, cells):
        """cells: plain values or (value, style index) pairs; unstyled None cells are skipped."""
        if self.closed:
            raise ValueError(f"sheet {self.title!r} is closed")
        self.rows += 1
        row = str(self.rows)
        letters = self._letters
        styles = self.workbook.styles
        if len(cells) > len(letters):
            self.max_column = max(self.max_column, len(cells))
            while len(letters) < len(cells):
                letters.append(column_letter(len(letters) + 1))
        parts = [""]  # the row's tag, once its height is known
        add = parts.append
        special = _SPECIAL.search
        wrapping = styles.wrapping
        formulas = self.workbook.formulas
        # Shared formulas only while the rows stay within the range they were declared for.
        shares = self._shared if self.last_row and self.rows <= self.last_row else None
        lines = 1
        for i, value in enumerate(cells):
            kind = type(value)
            if kind is tuple:
                value, style = value
                kind = type(value)
                s = f' s="{style}"' if style else ""
            else:
                style, s = 0, ""
            if style in wrapping and kind is str:
                width = self.widths.get(i + 1)
                # Two widths a character at most: a short text needs no measuring.
                if width and 2 * len(value) > width - 1:
                    lines = max(lines, math.ceil(text_width(value) / max(width - 1, 1)))
            if kind is str:
                if (
                    value.startswith(FORMULA_STARTS)
                    or value[:1].isspace()
                    or len(value) > MAX_TEXT
                    or special(value)
                ):
                    add(_text_cell(letters[i] + row, value, style, styles))
                else:
                    add(
                        f'<c r="{letters[i]}{row}"{s} t="inlineStr">'
                        f'<is><t xml:space="preserve">{value}</t></is></c>'
                    )
            elif kind is Formula:
                shared = shares.get((i, value)) if shares is not None else None
                if shared is not None:
                    add(f'<c r="{letters[i]}{row}"{s}><f t="shared" si="{shared}"/></c>')
                    continue
                formula = formulas.get(value)
                if formula is None:
                    formula = formulas[value] = escape(value)
                formula = formula.replace("{row}", row)
                if shares is None:
                    add(f'<c r="{letters[i]}{row}"{s}><f>{formula}</f></c>')
                else:
                    shared = shares[i, value] = self._first_shared + len(shares)
                    add(
                        f'<c r="{letters[i]}{row}"{s}><f t="shared" '
                        f'ref="{letters[i]}{row}:{letters[i]}{self.last_row}" si="{shared}">'
                        f"{formula}</f></c>"
                    )
            elif value is None:
                if style:
                    add(f'<c r="{letters[i]}{row}"{s}/>')
            elif kind is int:
                add(f'<c r="{letters[i]}{row}"{s}><v>{value}</v></c>')
            elif kind is float:
                if value - value == 0:  # finite
                    add(f'<c r="{letters[i]}{row}"{s}><v>{value!r}</v></c>')
                else:
                    add(_text_cell(letters[i] + row, str(value), style, styles))
            elif kind is Decimal:
                text = str(value)
                if "E" in text or "N" in text or "n" in text:  # exponent, NaN, Infinity
                    add(_decimal_cell(letters[i] + row, value, style, styles))
                else:
                    if "." in text:
                        text = text.rstrip("0").rstrip(".")  # 96.50 -> 96.5, 98.0 -> 98
                    add(f'<c r="{letters[i]}{row}"{s}><v>{text}</v></c>')
            elif isinstance(value, bool):
                add(f'<c r="{letters[i]}{row}"{s} t="b"><v>{int(value)}</v></c>')
            elif isinstance(value, int):
                add(f'<c r="{letters[i]}{row}"{s}><v>{int(value)}</v></c>')
            elif isinstance(value, float):
                add(f'<c r="{letters[i]}{row}"{s}><v>{float(value)!r}</v></c>')
            elif isinstance(value, Decimal):
                add(_decimal_cell(letters[i] + row, value, style, styles))
            else:  # dates, lazy translations, anything else: its text
                add(_text_cell(letters[i] + row, str(value), style, styles))
        add("</row>")
        if lines > 1:
            parts[0] = f'<row r="{row}" ht="{LINE_HEIGHT * lines + 2}" customHeight="1">'
        else:
            parts[0] = f'<row r="{row}">'
        text = "".join(parts)
        self._buffer.append(text)
        self._buffered += len(text)
        if self._buffered >= FLUSH_CHARS:
            self._flush()

    def _flush(self):
        if self._file is None:
            fd, path = tempfile.mkstemp(suffix=".xml", dir=self.workbook.tmpdir)
            self._file = open(fd, "w", encoding="utf-8", newline="")  # noqa: SIM115
            self._paths.append(path)
        self._file.write("".join(self._buffer))
        self._buffer.clear()
        self._buffered = 0

    def _close_file(self):
        self._flush()
        self._file.close()
        self._file = None

    def close(self):
        """Flush the rows to the temporary file and close it (no more rows may follow)."""
        if self.closed:
            return
        self._close_file()
        self.closed = True

    def detach(self):
        """Close a part (see Workbook.sheet_part) and describe it for `join`: plain data, so
        that the part may have been written in another process."""
        self.close()
        return {
            "paths": self._paths,
            "first_row": self.first_row,
            "rows": self.rows,
            "max_column": self.max_column,
        }

    def join(self, part):
        """Append the rows of a detached part; it must start right after the rows so far."""
        if part["first_row"] != self.rows + 1:
            raise ValueError(
                f"sheet {self.title!r}: a part starting at row {part['first_row']} cannot "
                f"follow row {self.rows}"
            )
        if self._buffer or self._file is not None:
            self._close_file()
        self._paths += part["paths"]
        self.rows = part["rows"]
        self.max_column = max(self.max_column, part["max_column"])

    # -- assembling ------------------------------------------------------------------------
    def _head(self):
        last_col = column_letter(max(self.max_column, len(self.widths), 1))
        out = [XML_DECL, f'<worksheet xmlns="{MAIN_NS}" xmlns:r="{REL_NS}">']
        if self.page:
            out.append('<sheetPr><pageSetUpPr fitToPage="1"/></sheetPr>')
        out.append(f'<dimension ref="A1:{last_col}{max(self.rows, 1)}"/>')
        out.append('<sheetViews><sheetView workbookViewId="0"')
        if self.workbook.sheets and self.workbook.sheets[0] is self:
            out.append(' tabSelected="1"')
        if self.freeze:
            out.append(
                '><pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>'
                '<selection pane="bottomLeft" activeCell="A2" sqref="A2"/></sheetView>'
            )
        else:
            out.append("/>")
        out.append('</sheetViews><sheetFormatPr defaultRowHeight="15"/>')
        if self.widths:
            out.append("<cols>")
            out += [
                f'<col min="{n}" max="{n}" width="{float(w)!r}" customWidth="1"/>'
                for n, w in sorted(self.widths.items())
            ]
            out.append("</cols>")
        out.append("<sheetData>")
        return "".join(out)

    def _tail(self):
        tail = "</sheetData>"
        if self.auto_filter:
            tail += f'<autoFilter ref="{self.auto_filter}"/>'
        if not self.page:
            return tail + (
                '<pageMargins left="0.75" right="0.75" top="1" bottom="1" header="0.5" '
                'footer="0.5"/></worksheet>'
            )
        # Header and footer codes: &C centre, &P page number, &N pages; a literal & is &&.
        header = self.page.header.replace("&", "&&")[:200]
        return tail + (
            '<printOptions horizontalCentered="1"/>'
            '<pageMargins left="0.4" right="0.4" top="0.75" bottom="0.6" header="0.3" '
            'footer="0.3"/>'
            f'<pageSetup paperSize="{self.page.paper}" orientation="landscape" '
            'fitToWidth="1" fitToHeight="0"/>'
            f"<headerFooter><oddHeader>{escape('&C' + header)}</oddHeader>"
            f"<oddFooter>{escape('&C第 &P 页,共 &N 页')}</oddFooter></headerFooter>"
            "</worksheet>"
        )

    def write_to(self, archive, name):
        if not self.closed:
            self.close()
        size = sum(os.path.getsize(path) for path in self._paths)
        with archive.open(name, "w", force_zip64=size > (1 << 31) - (1 << 24)) as out:
            out.write(self._head().encode())
            for path in self._paths:
                with open(path, "rb") as rows:
                    shutil.copyfileobj(rows, out, 1 << 20)
                os.unlink(path)
            out.write(self._tail().encode())


def _decimal_cell(ref, value, style, styles):
    if not value.is_finite():
        return _text_cell(ref, str(value), style, styles)
    text = str(value)
    if "E" in text:
        text = repr(float(value))
    elif "." in text:
        text = text.rstrip("0").rstrip(".")  # 96.50 -> 96.5, 98.0 -> 98
    s = f' s="{style}"' if style else ""
    return f'<c r="{ref}"{s}><v>{text}</v></c>'


def _text_cell(ref, text, style, styles):
    text = clean_text(text)
    if looks_like_formula(text):
        # Stored as text, never as a formula; quotePrefix keeps it text when edited.
        style = styles.quoted(style)
    if len(text) > MAX_TEXT:
        text = text[:MAX_TEXT]
    s = f' s="{style}"' if style else ""
    return f'<c r="{ref}"{s} t="inlineStr"><is><t xml:space="preserve">{escape(text)}</t></is></c>'


class Workbook:
    """Sheets in creation order; `save(path)` writes the package."""

    def __init__(self):
        self._tmp = tempfile.TemporaryDirectory(prefix="xlsx-")
        self.tmpdir = self._tmp.name
        self.sheets = []
        self.styles = Styles()
        self.formulas = {}  # Formula -> its text escaped for XML, once

    @property
    def sheetnames(self):
        return [s.title for s in self.sheets]

    def sheet_part(self, *, first_row, widths=None, last_row=None, first_shared=0):
        """Rows of a sheet from row `first_row` on, written apart (in a worker process, say)
        and added to the sheet with `Sheet.join(part.detach())`. Its cells may only use
        styles registered before the part was made; `widths` are the sheet's, by which its
        rows' heights are told; `last_row` and `first_shared` as Sheet takes them."""
        return Sheet(
            self,
            None,
            first_row=first_row,
            widths=widths,
            last_row=last_row,
            first_shared=first_shared,
        )

    def create_sheet(self, title):
        title = _BAD_TITLE.sub("_", str(title)).strip("'") or "Sheet"
        title = title[:MAX_TITLE]
        taken = {s.title.lower() for s in self.sheets}
        base, n = title, 1
        while title.lower() in taken:
            suffix = str(n)
            title = base[: MAX_TITLE - len(suffix)] + suffix
            n += 1
        sheet = Sheet(self, title)
        self.sheets.append(sheet)
        return sheet

    def save(self, path):
        if not self.sheets:
            self.create_sheet("Sheet")
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
            archive.writestr("[Content_Types].xml", self._content_types())
            archive.writestr("_rels/.rels", self._root_rels())
            archive.writestr("docProps/app.xml", self._app())
            archive.writestr("xl/workbook.xml", self._workbook())
            archive.writestr("xl/_rels/workbook.xml.rels", self._workbook_rels())
            archive.writestr("xl/styles.xml", self.styles.xml())
            for n, sheet in enumerate(self.sheets, start=1):
                sheet.write_to(archive, f"xl/worksheets/sheet{n}.xml")
        self._tmp.cleanup()

    def _content_types(self):
        sheet = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
        out = [
            XML_DECL,
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">',
            '<Default Extension="rels" '
            'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>',
            '<Default Extension="xml" ContentType="application/xml"/>',
            '<Override PartName="/xl/workbook.xml" ContentType="application/'
            'vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>',
            '<Override PartName="/xl/styles.xml" ContentType="application/'
            'vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>',
            '<Override PartName="/docProps/app.xml" ContentType="application/'
            'vnd.openxmlformats-officedocument.extended-properties+xml"/>',
        ]
        out += [
            f'<Override PartName="/xl/worksheets/sheet{n}.xml" ContentType="{sheet}"/>'
            for n in range(1, len(self.sheets) + 1)
        ]
        out.append("</Types>")
        return "".join(out)

    def _root_rels(self):
        return (
            f'{XML_DECL}<Relationships xmlns="{PKG_REL_NS}">'
            '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/'
            '2006/relationships/officeDocument" Target="xl/workbook.xml"/>'
            '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/'
            '2006/relationships/extended-properties" Target="docProps/app.xml"/>'
            "</Relationships>"
        )

    def _app(self):
        return (
            f"{XML_DECL}<Properties xmlns="
            '"http://schemas.openxmlformats.org/officeDocument/2006/extended-properties">'
            "<Application>qualityplan</Application></Properties>"
        )

    def _workbook(self):
        out = [
            XML_DECL,
            f'<workbook xmlns="{MAIN_NS}" xmlns:r="{REL_NS}">',
            '<bookViews><workbookView activeTab="0"/></bookViews><sheets>',
        ]
        out += [
            f'<sheet name="{escape(s.title)}" sheetId="{n}" r:id="rId{n}"/>'
            for n, s in enumerate(self.sheets, start=1)
        ]
        out.append("</sheets>")
        names = []
        for n, sheet in enumerate(self.sheets):
            quoted = "'" + sheet.title.replace("'", "''") + "'!"
            if sheet.auto_filter:
                names.append(
                    f'<definedName name="_xlnm._FilterDatabase" localSheetId="{n}" hidden="1">'
                    + escape(quoted + _absolute(sheet.auto_filter))
                    + "</definedName>"
                )
            if sheet.page and sheet.page.title_rows:
                rows = f"$1:${sheet.page.title_rows}"
                names.append(
                    f'<definedName name="_xlnm.Print_Titles" localSheetId="{n}">'
                    + escape(quoted + rows)
                    + "</definedName>"
                )
        if names:
            out += ["<definedNames>", *names, "</definedNames>"]
        # Formulas are written without values: every program computes them on opening.
        out.append('<calcPr calcId="191029" fullCalcOnLoad="1"/></workbook>')
        return "".join(out)

    def _workbook_rels(self):
        kind = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
        out = [XML_DECL, f'<Relationships xmlns="{PKG_REL_NS}">']
        out += [
            f'<Relationship Id="rId{n}" Type="{kind}/worksheet" Target="worksheets/sheet{n}.xml"/>'
            for n in range(1, len(self.sheets) + 1)
        ]
        n = len(self.sheets) + 1
        out.append(f'<Relationship Id="rId{n}" Type="{kind}/styles" Target="styles.xml"/>')
        out.append("</Relationships>")
        return "".join(out)


def _absolute(ref):
    """A1:K101 -> $A$1:$K$101."""
    return ":".join(re.sub(r"([A-Z]+)(\d+)", r"$\1$\2", part) for part in ref.split(":"))
