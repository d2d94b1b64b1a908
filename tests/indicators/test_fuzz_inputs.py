"""Random text, numbers and files thrown at the value parser and the upload of actuals: a
figure or a message for the clerk, never an exception, a traceback or a database message,
and nothing written when a file is refused."""

import csv
import io
from decimal import Decimal
from io import StringIO

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from indicators.models import Actual
from indicators.values import WHOLE_UNITS, Figure, FigureError, check_figure, parse_figure

from .test_import_refusals import LEAKS, visible_text

UNITS = ["", "%", "万元", "万件", "亿元", "项", "家", "个", "天", "‰"]
QUALIFIERS = ["", "达到", "不少于", "≥", ">", "<", "超过", "不超过", "力争"]
SUFFIXES = ["", "%", "以上", "以下", "以内", "万", "亿", "万以上", "％", "项"]
numbers = st.one_of(
    st.integers().map(str),
    st.decimals(allow_nan=False, allow_infinity=False).map(str),
    st.floats(allow_nan=False).map(str),
    st.from_regex(r"[+-]?[0-9０-９]{1,40}([.。．][0-9０-９]{0,20})?", fullmatch=True),
    st.from_regex(r"\d{1,3}(,\d{3}){1,8}(\.\d+)?", fullmatch=True),
)
figure_texts = st.one_of(
    st.text(),
    st.builds(
        lambda q, n, s, pad: f"{pad}{q}{n}{s}{pad}",
        st.sampled_from(QUALIFIERS),
        numbers,
        st.sampled_from(SUFFIXES),
        st.sampled_from(["", " ", "\u3000", "\t"]),
    ),
)
# The same cases on every run (derandomize, no example database): a failure reproduces, and
# CI never goes red on a case a developer never saw.
FUZZ = settings(
    max_examples=300,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)


def assert_plain(text):
    for leak in LEAKS:
        assert leak not in text, (leak, text)


@FUZZ
@given(text=figure_texts, unit=st.sampled_from(UNITS))
def test_the_value_parser_reads_a_figure_or_says_why_not(text, unit):
    try:
        figure = parse_figure(text, unit)
    except FigureError as exc:
        assert str(exc).strip()
        assert_plain(str(exc))
        return
    assert isinstance(figure, Figure) and isinstance(figure.value, Decimal)
    assert figure.value.is_finite() and figure.raw == text.strip()
    assert figure.qualifier in ("", "gte", "gt", "lte", "lt")
    problems = check_figure(figure, unit)
    assert all(isinstance(p, str) and p for p in problems)
    if unit in WHOLE_UNITS and not problems:
        assert figure.value == figure.value.to_integral_value()


# --- The upload ---------------------------------------------------------------------------

COLUMNS = ["plan", "indicator", "region", "year", "value", "note"]
headings = st.one_of(
    st.just(COLUMNS),
    st.permutations(COLUMNS),
    st.lists(st.sampled_from([*COLUMNS, "规划标识", "数值", "说明", "其他"]), max_size=8),
    st.lists(st.text(max_size=12), max_size=8),
)
cells = st.one_of(
    st.sampled_from(["jiaxing-2011", "P-25", "P-26", "P-37", "330400", "330700", "2013", ""]),
    st.integers(min_value=-(10**6), max_value=10**25).map(str),
    figure_texts,
    st.text(alphabet=st.characters(codec="utf-8"), max_size=300),
    st.text(alphabet=st.sampled_from('\x00\x01\x0b\r\n\t",;=+-@ 说明9'), max_size=20),
)
rows = st.lists(st.lists(cells, max_size=8), max_size=6)


def csv_bytes(header, body, line_ending):
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator=line_ending)
    writer.writerow(header)
    writer.writerows(body)
    return out.getvalue().encode("utf-8")


def xlsx_bytes(header, body):
    wb = openpyxl.Workbook()
    for row in [header, *body]:
        wb.active.append([openpyxl.cell.cell.ILLEGAL_CHARACTERS_RE.sub("", c) for c in row])
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def import_file(tmp_path, name, data):
    """Run the command; (ok, everything it printed)."""
    path = tmp_path / name
    path.write_bytes(data)
    out, err = StringIO(), StringIO()
    try:
        call_command("import_actuals", str(path), "--user", "bob", stdout=out, stderr=err)
    except CommandError as exc:
        return False, f"{out.getvalue()}{err.getvalue()}{exc}"
    return True, out.getvalue() + err.getvalue()


def figures():
    return list(Actual.objects.order_by("pk").values_list("pk", "raw", "note", "version"))


@pytest.mark.django_db
@settings(FUZZ, max_examples=150)
@given(header=headings, body=rows, line_ending=st.sampled_from(["\n", "\r\n", "\r"]))
def test_random_csv_files_are_imported_or_refused_in_plain_words(
    tmp_path, bob, header, body, line_ending
):
    before = figures()
    ok, said = import_file(tmp_path, "random.csv", csv_bytes(header, body, line_ending))
    assert_plain(said)
    if not ok:
        assert figures() == before


@pytest.mark.django_db
@settings(FUZZ, max_examples=80)
@given(header=headings, body=rows)
def test_random_xlsx_files_are_imported_or_refused_in_plain_words(tmp_path, bob, header, body):
    before = figures()
    ok, said = import_file(tmp_path, "random.xlsx", xlsx_bytes(header, body))
    assert_plain(said)
    if not ok:
        assert figures() == before


@pytest.mark.django_db
@settings(FUZZ, max_examples=150)
@given(
    data=st.one_of(
        st.binary(max_size=3000),
        st.builds(
            lambda good, at, junk: good[:at] + junk + good[at + len(junk) :],
            st.just(xlsx_bytes(COLUMNS, [["jiaxing-2011", "P-25", "", "2013", "93", ""]])),
            st.integers(min_value=0, max_value=6000),
            st.binary(min_size=1, max_size=64),
        ),
    ),
    name=st.sampled_from(["random.csv", "random.xlsx"]),
)
def test_random_bytes_are_refused_in_plain_words(tmp_path, bob, data, name):
    before = figures()
    ok, said = import_file(tmp_path, name, data)
    assert_plain(said)
    if not ok:
        assert figures() == before


@pytest.mark.django_db
@settings(FUZZ, max_examples=60)
@given(
    header=headings,
    body=rows,
    kind=st.sampled_from(["csv", "xlsx", "bytes"]),
    junk=st.binary(max_size=500),
)
def test_random_uploads_in_the_admin_never_fail_or_leak(bob, header, body, kind, junk):
    from django.conf import settings as django_settings

    django_settings.DEBUG = False
    client = Client(raise_request_exception=False)
    client.force_login(bob)
    data = {"csv": lambda: csv_bytes(header, body, "\n"), "xlsx": lambda: xlsx_bytes(header, body)}
    content = data[kind]() if kind in data else junk
    before = figures()
    page = client.post(
        "/admin/indicators/actual/import/",
        {
            "format": "0" if kind == "xlsx" else "1",
            "resource": "0",
            "import_file": SimpleUploadedFile(
                f"upload.{'xlsx' if kind == 'xlsx' else 'csv'}", content
            ),
        },
    )
    assert page.status_code == 200
    assert_plain(visible_text(page))
    assert figures() == before  # a preview writes nothing
