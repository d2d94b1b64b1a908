"""Workbooks for clerks: the data-entry template."""

from io import BytesIO

from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill

from reports.safe_cells import set_text

from .imports import COLUMN_LABELS, COLUMNS

INFO_COLUMNS = ["指标名称", "单位", "目标", "上年审核值(仅供参考)"]
INPUT_FILL = PatternFill("solid", fgColor="FFF2CC")


def entry_template_workbook(lines, *, region, year):
    """XLSX bytes: the import columns prefilled, value and note left for the clerk."""
    wb = Workbook()
    ws = wb.active
    ws.title = f"{year}年填报"
    # Chinese headings; the import reads them as the column codes.
    ws.append([COLUMN_LABELS[c] for c in COLUMNS] + INFO_COLUMNS)
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for line in lines:
        ind = line.indicator
        targets = ";".join(f"{t.year}年 {t.raw or t.qualitative_text}" for t in line.targets)
        values = [
            ind.plan.slug,
            ind.code,
            region.code,
            year,
            line.actual.raw if line.actual else None,
            line.actual.note if line.actual else None,
            ind.name,
            ind.unit,
            targets,
            line.last_year.raw if line.last_year else None,
        ]
        row = ws.max_row + 1
        for column, value in enumerate(values, start=1):
            if isinstance(value, str):  # what people typed: never a formula (safe_cells)
                set_text(ws.cell(row=row, column=column), value)
            else:
                ws.cell(row=row, column=column, value=value)
        for column in (5, 6):
            ws.cell(row=ws.max_row, column=column).fill = INPUT_FILL
        # Codes stay text so that a spreadsheet keeps "330400" and "T1-01" as typed.
        for column in (1, 2, 3, 5, 6):
            ws.cell(row=ws.max_row, column=column).number_format = "@"
    ws.freeze_panes = "A2"
    for letter, width in zip("ABCDEFGHIJ", [14, 10, 10, 8, 12, 24, 40, 8, 30, 16], strict=True):
        ws.column_dimensions[letter].width = width
    buffer = BytesIO()
    wb.save(buffer)
    return buffer.getvalue()
