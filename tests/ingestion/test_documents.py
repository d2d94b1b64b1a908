"""Reading plan documents: plain text, Word with tables, PDF with a text layer, refusals."""

import io
import zipfile
from decimal import Decimal

import pytest

from ingestion.documents import (
    DocumentError,
    guess_period,
    kind_of,
    read_document,
    read_path,
)
from ingestion.extract import extract

from .conftest import PLAN_TITLE, PROSE, make_docx, make_pdf


def proposals(text):
    return {p.name: p for p in extract(text, period_start=2021, period_end=2025)}


# --------------------------------------------------------------------------- plain text


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030", "utf-16"])
def test_plain_text_in_the_usual_encodings(encoding):
    doc = read_document("plan.TXT", f"{PLAN_TITLE}\r\n{PROSE}\r\n".encode(encoding))
    assert doc.kind == "txt"
    assert doc.text == f"{PLAN_TITLE}\n{PROSE}\n"


def test_binary_content_named_txt_is_refused():
    with pytest.raises(DocumentError, match="无法识别文件内容"):
        read_document("plan.txt", make_docx())


# --------------------------------------------------------------------------- Word


def test_docx_paragraphs_and_table_cells_one_a_line():
    doc = read_document("规划.docx", make_docx())
    assert doc.kind == "docx"
    lines = doc.text.split("\n")
    assert lines[:3] == [PLAN_TITLE, "一、主要目标", PROSE]
    # Table cells: one a line, blank lines between.
    start = lines.index("类别")
    assert lines[start : start + 10] == [
        "类别",
        "",
        "指标",
        "",
        "单位",
        "",
        "2020年",
        "",
        "2025年目标",
        "",
    ]
    # The category merged down over two rows is given once; an empty value cell is "—".
    assert doc.text.count("质量提升") == 1
    assert "消费品不合格发现率\n\n%\n\n—\n\n10\n" in doc.text


def test_the_extractor_reads_a_word_table_and_its_prose():
    found = proposals(read_document("plan.docx", make_docx()).text)
    rate = found["产品质量抽查合格率"]
    assert (rate.source, rate.category, rate.unit) == ("表1", "质量提升", "%")
    assert (rate.target_value, rate.baseline_year, rate.baseline_value) == (
        Decimal("96"),
        2020,
        Decimal("94"),
    )
    lower = found["消费品不合格发现率"]
    assert (lower.comparator, lower.baseline_value) == ("lte", None)
    assert found["培育“品字标”企业(累计)"].measure == "cumulative"
    assert found["制造业产品质量合格率"].raw == "达到95%以上"


@pytest.mark.parametrize(
    "data",
    [
        b"this is not a zip archive at all",
        b"PK\x03\x04 broken zip",
        "zip-without-document",
        "broken-document-xml",
    ],
    ids=["text", "broken-zip", "no-document-xml", "bad-xml"],
)
def test_a_malformed_docx_is_refused_with_a_clear_message(data):
    if data == "zip-without-document":
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w") as archive:
            archive.writestr("hello.txt", "hi")
        data = buf.getvalue()
    elif data == "broken-document-xml":
        buf = io.BytesIO()
        with zipfile.ZipFile(io.BytesIO(make_docx())) as src, zipfile.ZipFile(buf, "w") as dst:
            for item in src.infolist():
                body = src.read(item.filename)
                if item.filename == "word/document.xml":
                    body = body[: len(body) // 2]
                dst.writestr(item, body)
        data = buf.getvalue()
    with pytest.raises(DocumentError, match=r"不是有效的 Word\(\.docx\)文档"):
        read_document("plan.docx", data)


def test_a_docx_without_text_is_refused():
    with pytest.raises(DocumentError, match="文件中没有文字"):
        read_document("empty.docx", make_docx(paragraphs=(), rows=None))


# --------------------------------------------------------------------------- PDF


def test_pdf_text_layer_is_read_and_extracted():
    data = make_pdf(
        [PLAN_TITLE, "一、主要目标", "到2025年,全市产品质量抽查合格率达到96%以上。", "3"]
    )
    doc = read_document("plan.pdf", data)
    assert doc.kind == "pdf"
    assert doc.text.split("\n")[0] == PLAN_TITLE
    assert doc.text.rstrip().endswith("达到96%以上。")  # the page number "3" is dropped
    rate = proposals(doc.text)["产品质量抽查合格率"]
    assert (rate.target_value, rate.comparator, rate.target_year) == (Decimal("96"), "gte", 2025)


def test_pdf_lines_wrapped_at_the_margin_are_joined():
    ends = "到2025年,全市规模以上工业企业产品质量抽查合格率稳定在百分之九十以上。"
    wraps = "到2025年,全市规模以上工业企业产品质量抽查合格率稳定在百分之九十五以上"
    data = make_pdf([ends, wraps, "并保持稳定。", "一、主要任务"])
    lines = read_document("wrapped.pdf", data).text.rstrip().split("\n")
    assert lines == [ends, wraps + "并保持稳定。", "一、主要任务"]


def test_a_scanned_pdf_without_text_is_refused():
    with pytest.raises(DocumentError, match="扫描件"):
        read_document("scan.pdf", make_pdf([]))


@pytest.mark.parametrize("data", [b"%PDF-1.4\n garbage", b"not a pdf"])
def test_a_malformed_pdf_is_refused(data):
    with pytest.raises(DocumentError, match="不是有效的 PDF"):
        read_document("plan.pdf", data)


def test_an_encrypted_pdf_is_refused():
    data = make_pdf(["到2025年,合格率达到96%以上。"], encrypt="secret")
    with pytest.raises(DocumentError, match="PDF 已加密"):
        read_document("locked.pdf", data)


# --------------------------------------------------------------------------- refusals


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("plan.xlsx", r"不支持的文件类型\(\.xlsx\)"),
        ("plan", "无扩展名"),
        ("plan.doc", r"另存为 \.docx"),
    ],
)
def test_wrong_extensions_are_refused(name, message):
    with pytest.raises(DocumentError, match=message):
        kind_of(name)
    with pytest.raises(DocumentError, match=message):
        read_document(name, b"text")


def test_size_limit_and_empty_files():
    with pytest.raises(DocumentError, match="文件过大"):
        read_document("plan.txt", PROSE.encode(), max_bytes=10)
    with pytest.raises(DocumentError, match="文件是空的"):
        read_document("plan.txt", b"")
    with pytest.raises(DocumentError, match="文件中没有文字"):
        read_document("plan.txt", b"  \n\n ")


def test_read_path_checks_the_size_before_reading(tmp_path):
    path = tmp_path / "plan.docx"
    path.write_bytes(make_docx())
    assert read_path(path).kind == "docx"
    with pytest.raises(DocumentError, match="文件过大"):
        read_path(path, max_bytes=100)
    with pytest.raises(DocumentError, match="无法读取文件"):
        read_path(tmp_path / "missing.txt")


@pytest.mark.parametrize(
    ("title", "period"),
    [
        ("日照市“十四五”质量发展规划", (2021, 2025)),
        ("台州市椒江区“十三五”质量发展规划", (2016, 2020)),
        ("某市质量强市行动方案(2023—2027年)", (2023, 2027)),
        ("关于加快建设质量强市的实施方案", None),
    ],
)
def test_the_period_is_guessed_from_the_title(title, period):
    assert guess_period(f"{title}\n正文。\n") == period
