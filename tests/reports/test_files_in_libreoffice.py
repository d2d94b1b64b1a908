"""Every file kind we hand out, opened in LibreOffice: no text runs as a formula.

The files hold notes, reasons and evidence a clerk typed as formulas (and control characters);
LibreOffice converts each file to XLSX (reading a CSV with formula evaluation on), and the
result must hold those texts as text, never as a formula.
"""

import csv
import io
import os
import shutil
import subprocess
from io import StringIO

import openpyxl
import pytest
from django.core.management import call_command
from django.urls import reverse

from indicators.models import Actual, Indicator
from reports.safe_cells import clean_text

from .test_safe_cells import FORMULAS

pytestmark = pytest.mark.libreoffice

CONTROL = "说明\x01\x0b结束"
# Separator, quote, UTF-8, first line, no column formats, default language, quoted fields not
# forced to text, special numbers detected, …, and (13th) formulas evaluated.
CSV_IN = "CSV:44,34,76,1,,0,false,true,false,false,false,-1,true"


def converted(path, tmp_path, *, infilter=None):
    """`path` opened in LibreOffice and saved as XLSX, read back with openpyxl."""
    soffice = shutil.which("libreoffice") or shutil.which("soffice")
    if soffice is None:
        if os.environ.get("CI") == "true":
            pytest.fail("CI must run this test: libreoffice is not installed")
        pytest.skip("libreoffice is not installed (scripts/test installs it)")
    out = tmp_path / "converted"
    command = [soffice, "--headless", f"-env:UserInstallation=file://{tmp_path}/lo"]
    if infilter:
        command.append(f"--infilter={infilter}")
    command += ["--convert-to", "xlsx", "--outdir", str(out), str(path)]
    subprocess.run(command, check=True, timeout=180, capture_output=True)
    return openpyxl.load_workbook(out / (path.stem + ".xlsx"))


def formula_cells(book):
    """Cells stored as formulas (LibreOffice stores a true/false cell as =TRUE() / =FALSE())."""
    return [
        (ws.title, c.coordinate, c.value)
        for ws in book
        for row in ws.iter_rows()
        for c in row
        if c.data_type == "f" and c.value not in ("=TRUE()", "=FALSE()")
    ]


def foreign_formulas(book):
    """Formula cells other than the workbook's own recompute and check columns (=IF(…))."""
    return [cell for cell in formula_cells(book) if not cell[2].startswith("=IF(")]


def texts(book):
    return {
        c.value for ws in book for row in ws.iter_rows() for c in row if isinstance(c.value, str)
    }


@pytest.fixture
def hostile_notes(bob, dave):
    """bob's department's figures, each with a note, reason and evidence that would run."""
    indicators = Indicator.objects.filter(department=bob.profile.department).order_by("code")
    for indicator, text in zip(indicators, [*FORMULAS[:7], CONTROL], strict=False):
        actual = Actual(
            indicator=indicator,
            region=bob.profile.department.region,
            year=2013,
            value=93,
            raw="93",
            note=text,
            evidence=text,
            return_reason=text,
            status=Actual.Status.RETURNED,
            entered_by=bob,
            reviewed_by=dave,
        )
        actual._history_user = bob  # a person's change: the change log lists it row by row
        actual.save()
    return [*FORMULAS[:7], CONTROL]


@pytest.mark.django_db
def test_the_entry_template_holds_formula_like_notes_as_text(client, bob, hostile_notes, tmp_path):
    client.force_login(bob)
    response = client.get(
        reverse("admin:indicators_actual_entry_template"),
        {"department": bob.profile.department.pk, "year": 2013},
    )
    assert response.status_code == 200
    path = tmp_path / "template.xlsx"
    path.write_bytes(response.content)
    ours = openpyxl.load_workbook(path)
    assert not formula_cells(ours)
    assert {clean_text(t) for t in hostile_notes} <= texts(ours)  # as typed, to round-trip
    book = converted(path, tmp_path)
    assert not formula_cells(book)
    assert {clean_text(t).strip() for t in hostile_notes} <= {t.strip() for t in texts(book)}


def export(client, user, file_format):
    """The admin's raw export of actuals, every column, as XLSX (0) or CSV (1)."""
    client.force_login(user)
    url = reverse("admin:indicators_actual_export")
    form = client.get(url).context["form"]
    fields = [name for name, field in form.fields.items() if name.startswith("actual")]
    response = client.post(
        url, {"format": str(file_format), "resource": "0", **dict.fromkeys(fields, "on")}
    )
    assert response.status_code == 200
    return response.content


@pytest.mark.django_db
def test_the_raw_xlsx_export_keeps_formula_like_text_as_text(
    client, frank, hostile_notes, tmp_path
):
    path = tmp_path / "actuals.xlsx"
    path.write_bytes(export(client, frank, 0))
    ours = openpyxl.load_workbook(path)
    header = [c.value for c in ours.active[1]]
    assert {"填报人", "审核人", "退回原因", "佐证材料"} <= set(header)
    assert not formula_cells(ours)
    book = converted(path, tmp_path)
    assert not formula_cells(book)
    assert "'" + FORMULAS[1] in texts(book) and "说明结束" in texts(book)


@pytest.mark.django_db
def test_the_raw_csv_export_keeps_formula_like_text_as_text(client, frank, hostile_notes, tmp_path):
    content = export(client, frank, 1)
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    assert {"填报人", "审核人", "退回原因", "佐证材料"} <= set(rows[0])
    cells = {c for row in rows[1:] for c in row}
    assert {"'" + t for t in FORMULAS[:7]} <= cells and "说明结束" in cells
    path = tmp_path / "actuals.csv"
    path.write_bytes(content)
    book = converted(path, tmp_path, infilter=CSV_IN)
    assert not formula_cells(book)
    assert "'" + FORMULAS[6] in texts(book)


@pytest.mark.django_db
def test_the_auditor_workbook_holds_formula_like_text_as_text(alice, hostile_notes, tmp_path):
    path = tmp_path / "report.xlsx"
    call_command("export_report", "--out", str(path), "--plan", "jiaxing-2011", stdout=StringIO())
    ours = openpyxl.load_workbook(path)
    assert formula_cells(ours) and not foreign_formulas(ours)
    notes = [c for ws in ours for row in ws.iter_rows() for c in row if c.value in FORMULAS]
    assert notes and all(c.quotePrefix for c in notes)
    book = converted(path, tmp_path)
    assert not foreign_formulas(book)
