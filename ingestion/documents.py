"""The text of a plan document: plain text, Word (.docx) or PDF with a text layer.

No Django here. Every refusal raises `DocumentError` with a Chinese message fit to show the
person who sent the file; callers store nothing when it is raised.

The text is laid out for `ingestion.extract`: one paragraph a line, and each table cell on
a line of its own with blank lines between cells (the shape the extractor's table rules
read, as in the seed documents).
"""

from __future__ import annotations

import re
import unicodedata
import zipfile
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path, PurePath

from .extract.vocabulary import plan_end_year

MAX_BYTES = 20 * 1024 * 1024
# A .docx is a zip archive: refuse one that unpacks to far more than any plan needs.
MAX_UNPACKED_BYTES = 200 * 1024 * 1024
KINDS = {".txt": "txt", ".docx": "docx", ".pdf": "pdf"}


class DocumentError(ValueError):
    """The file cannot be read as a plan document; the message says why, in Chinese."""


@dataclass(frozen=True)
class Document:
    kind: str  # txt | docx | pdf
    text: str


def kind_of(name: str) -> str:
    """The kind of document a file name announces, or DocumentError."""
    ext = PurePath(name or "").suffix.lower()
    if ext in KINDS:
        return KINDS[ext]
    if ext in (".doc", ".wps"):
        raise DocumentError(
            f"不支持旧版 Word 文件({ext}):请在 Word 或 WPS 中另存为 .docx 后再上传。"
        )
    shown = ext or "无扩展名"
    raise DocumentError(f"不支持的文件类型({shown}):请上传 .txt、.docx 或 .pdf 文件。")


def check_size(size: int, max_bytes: int = MAX_BYTES) -> None:
    if size > max_bytes:
        raise DocumentError(
            f"文件过大({size / 1048576:.1f} MB),上限为 {max_bytes / 1048576:.0f} MB。"
        )
    if size == 0:
        raise DocumentError("文件是空的(0 字节)。")


def read_document(name: str, data: bytes, *, max_bytes: int = MAX_BYTES) -> Document:
    """Read the bytes of a file called `name`."""
    kind = kind_of(name)
    check_size(len(data), max_bytes)
    reader = {"txt": read_text, "docx": read_docx, "pdf": read_pdf}[kind]
    text = normalize(reader(data))
    if not text.strip():
        if kind == "pdf":
            raise DocumentError(
                "PDF 中没有可读取的文字(可能是扫描件):请上传带文字层的 PDF,或先做文字识别(OCR)。"
            )
        raise DocumentError("文件中没有文字。")
    return Document(kind, text)


def read_path(path, *, max_bytes: int = MAX_BYTES) -> Document:
    """Read a file from disk, refusing it by name and size before reading its bytes."""
    path = Path(path)
    kind_of(path.name)
    try:
        check_size(path.stat().st_size, max_bytes)
        data = path.read_bytes()
    except OSError as exc:
        raise DocumentError(f"无法读取文件 {path}:{exc.strerror or exc}。") from exc
    return read_document(path.name, data, max_bytes=max_bytes)


def normalize(text: str) -> str:
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\f", "\n")
    text = text.replace("\x00", "").replace("\ufeff", "")
    return "\n".join(line.rstrip() for line in text.split("\n")).strip("\n") + "\n"


# --------------------------------------------------------------------------- plain text


def read_text(data: bytes) -> str:
    """UTF-8 (with or without BOM), UTF-16 with a BOM, else GB18030 (which covers GBK)."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        encodings = ["utf-16"]
    else:
        encodings = ["utf-8-sig", "gb18030"]
    for encoding in encodings:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if _looks_binary(text):
            break
        return text
    raise DocumentError(
        "无法识别文件内容:不是 UTF-8 或 GB18030(GBK)编码的文本。"
        "如是 Word 或 PDF 文件,请使用 .docx 或 .pdf 扩展名。"
    )


def _looks_binary(text: str) -> bool:
    controls = sum(
        1 for ch in text[:20000] if unicodedata.category(ch) == "Cc" and ch not in "\n\r\t\f"
    )
    return controls > max(2, len(text[:20000]) // 100)


# --------------------------------------------------------------------------- Word


_INVALID_DOCX = "文件不是有效的 Word(.docx)文档,无法打开。如是旧版 .doc 文件,请另存为 .docx。"


def read_docx(data: bytes) -> str:
    """Paragraphs one a line; tables one cell a line, in document order."""
    import docx
    from docx.table import Table

    try:
        with zipfile.ZipFile(BytesIO(data)) as archive:
            names = archive.namelist()
            unpacked = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise DocumentError(_INVALID_DOCX) from exc
    if "word/document.xml" not in names:
        raise DocumentError(_INVALID_DOCX)
    if unpacked > MAX_UNPACKED_BYTES:
        raise DocumentError("Word 文件解压后过大,拒绝读取。")
    try:
        document = docx.Document(BytesIO(data))
        lines: list[str] = []
        for block in document.iter_inner_content():
            if isinstance(block, Table):
                lines.extend(_table_lines(block))
            else:
                lines.append(block.text.strip())
    except DocumentError:
        raise
    except Exception as exc:  # python-docx and lxml raise many kinds on a broken file
        raise DocumentError(_INVALID_DOCX) from exc
    return "\n".join(lines)


_YEAR_HEADER = re.compile(r"(?:19|20)\d{2}")


def _table_lines(table) -> list[str]:
    """One cell a line with blank lines between; a cell merged down from above is given once.

    An empty cell under a year column ("2020年", "2025年目标") is written "—", the placeholder
    the extractor reads as "no value", so the values of the row stay in their columns.
    """
    from docx.table import _Cell

    lines = [""]
    value_columns: set[int] = set()
    for r, row in enumerate(table.rows):
        column = row.grid_cols_before
        for tc in row._tr.tc_lst:
            span = tc.grid_span
            if tc.vMerge == "continue":
                column += span
                continue
            text = _cell_text(_Cell(tc, table))
            if r <= 1 and _YEAR_HEADER.search(text):
                value_columns.update(range(column, column + span))
            if not text and column in value_columns and r > 0:
                text = "—"
            if text:
                lines += [text, ""]
            column += span
    return lines


def _cell_text(cell) -> str:
    """A cell's paragraphs joined: Chinese text wrapped in a cell is one string."""
    parts = [p.text.strip() for p in cell.paragraphs if p.text.strip()]
    out = ""
    for part in parts:
        if out and out[-1].isascii() and out[-1].isalnum() and part[0].isascii():
            out += " "
        out += part
    return re.sub(r"\s+", " ", out)


# --------------------------------------------------------------------------- PDF


_INVALID_PDF = "文件不是有效的 PDF 文档,无法读取。"
_PAGE_NUMBER = re.compile(r"^\s*[-—–]?\s*\d{1,4}\s*[-—–]?\s*$")
_SENTENCE_END = tuple("。!?;:!?;:”》)")
_LINE_START = re.compile(
    r"^\s*(?:[一二三四五六七八九十]{1,3}、|[((][一二三四五六七八九十\d]{1,3}[))]|\d{1,2}[\.．、]"
    r"|专栏|表\s*\d|[·•●—-])"
)


def read_pdf(data: bytes) -> str:
    """The text layer of every page; lines that a page merely wrapped are joined again."""
    import pypdf

    if b"%PDF" not in data[:1024]:
        raise DocumentError(_INVALID_PDF)
    try:
        reader = pypdf.PdfReader(BytesIO(data))
        if reader.is_encrypted and not reader.decrypt(""):
            raise DocumentError("PDF 已加密,无法读取:请上传未加密的文件。")
        pages = [page.extract_text() or "" for page in reader.pages]
    except DocumentError:
        raise
    except Exception as exc:  # a broken file raises many kinds
        raise DocumentError(_INVALID_PDF) from exc
    return "\n".join(_unwrap(_drop_page_number(page.split("\n"))) for page in pages)


def _drop_page_number(lines: list[str]) -> list[str]:
    lines = [ln.rstrip() for ln in lines]
    while lines and not lines[-1].strip():
        lines.pop()
    if lines and _PAGE_NUMBER.match(lines[-1]):
        lines.pop()
    return lines


def _unwrap(lines: list[str]) -> str:
    """Join a line that runs to the right margin without ending a sentence to the next one."""
    widths = sorted(len(ln.strip()) for ln in lines if ln.strip())
    if not widths:
        return ""
    full = widths[min(len(widths) - 1, int(len(widths) * 0.9))]
    out: list[str] = []
    joining = False
    for line in lines:
        stripped = line.strip()
        if joining and stripped and not _LINE_START.match(stripped):
            out[-1] += stripped
        else:
            out.append(stripped)
        joining = (
            full >= 20
            and len(out[-1]) >= 20
            and len(stripped) >= full - 2
            and not stripped.endswith(_SENTENCE_END)
        )
    return "\n".join(out)


# --------------------------------------------------------------------------- period

_SPAN = re.compile(r"((?:19|20)\d{2})\s*[-—–~～至到]\s*((?:19|20)\d{2})\s*年")
_BY_YEAR = re.compile(r"到\s*((?:19|20)\d{2})\s*年")


def guess_period(text: str) -> tuple[int, int] | None:
    """The plan period the document's title states ("十四五", "2023—2027年"), if any.

    Only the opening lines are read: the body of a plan names earlier periods too.
    """
    head = "\n".join(text.split("\n")[:12])[:800]
    m = _SPAN.search(head)
    if m and int(m.group(1)) < int(m.group(2)):
        return int(m.group(1)), int(m.group(2))
    end = plan_end_year(head)
    if end is not None:
        return end - 4, end
    return None


_TYPED_PERIOD = re.compile(r"\s*(\d{4})\s*[-–—~]\s*(\d{4})\s*")


def parse_period(text: str) -> tuple[int, int] | None:
    """A period typed on a command line ("2021-2025"), or None if it is not one."""
    m = _TYPED_PERIOD.fullmatch(text)
    if not m or int(m.group(1)) > int(m.group(2)):
        return None
    return int(m.group(1)), int(m.group(2))
