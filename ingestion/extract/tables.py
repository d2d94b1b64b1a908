"""Tables laid out one cell per line: a header row (类别 / 指标 / 单位 / 2020年 / 2025年目标 …),
then one row of cells per indicator."""

import re

from indicators.values import FigureError, parse_figure

from .proposal import Proposal
from .vocabulary import (
    UNIT_RE,
    clean,
    decimal_or_none,
    direction_for,
    is_lower_better,
    measure_for,
)

TABLE_TITLE = re.compile(r"^\s*(表\s*\d+(?:-\d+)?)\s*(.*)$")
_HEADER_WORDS = ("类别", "序号", "指标", "单位", "规划", "完成", "目标", "属性", "备注", "基期")
_YEAR_CELL = re.compile(r"((?:19|20)\d{2})\s*年")
_VALUE_CELL = re.compile(
    r"^(?:[≥≤><]?\s*\d[\d.,]*\s*[%%‰]?\s*(?:以上|以下|以内|左右)?"
    r"|\d+(?:\.\d+)?\s*[~～\-—]\s*\d+(?:\.\d+)?\s*[%%]?"
    r"|[-—–/]+|——)$"
)
_TABLE_STOP = re.compile(
    r"^(?:[一二三四五六七八九十]{0,3}、|[((][一二三四五六七八九十\d]{1,3}[))]|专栏|表\s*\d)"
)
_NAME_UNIT = re.compile(r"[((]([^()()]{1,4})[))]\s*$")


def _is_header_cell(cell: str) -> bool:
    if len(cell) > 14 or TABLE_TITLE.match(cell):
        return False  # "表1 主要指标" names the table that follows; it is not a column
    return bool(_YEAR_CELL.search(cell)) or any(w in cell for w in _HEADER_WORDS)


def _is_value_cell(cell: str) -> bool:
    return bool(_VALUE_CELL.match(cell.strip()))


def _is_unit_cell(cell: str) -> bool:
    return len(cell) <= 6 and bool(UNIT_RE.match(cell.replace(" ", "")))


def _table_columns(header: list[str]) -> list[dict]:
    merged: list[str] = []
    for cell in header:
        if (
            merged
            and _YEAR_CELL.fullmatch(merged[-1])
            and not _YEAR_CELL.search(cell)
            and any(w in cell for w in ("规划", "完成", "目标", "预期", "实际", "基期"))
        ):
            merged[-1] += cell  # "2020年" + "规划": one header split over two lines
            continue
        merged.append(cell)
    cols = []
    for cell in merged:
        y = _YEAR_CELL.search(cell)
        if y:
            kind = "bare"
            if any(w in cell for w in ("完成", "实际", "现状")):
                kind = "actual"
            elif "基期" in cell:
                kind = "baseline"
            elif any(w in cell for w in ("目标", "规划", "预期")):
                kind = "target"
            cols.append({"role": "value", "year": int(y.group(1)), "kind": kind, "label": cell})
        elif "类别" in cell or "领域" in cell:
            cols.append({"role": "category", "label": cell})
        elif "序号" in cell:
            cols.append({"role": "serial", "label": cell})
        elif "指标" in cell:
            cols.append({"role": "name", "label": cell})
        elif "单位" in cell:
            cols.append({"role": "unit", "label": cell})
        elif "属性" in cell:
            cols.append({"role": "attr", "label": cell})
        else:
            cols.append({"role": "other", "label": cell})
    values = [c for c in cols if c["role"] == "value"]
    if not any(c["kind"] == "target" for c in values):
        bare = [c for c in values if c["kind"] == "bare"]
        if bare:
            bare[-1]["kind"] = "target"
    for c in values:
        if c["kind"] == "bare":
            c["kind"] = "baseline"
    return cols


def parse_table(cells, start, cols, title, period_start, period_end, fallback_category):
    """cells: [(offset, text)], the table's rows from cells[start] on (after the header).
    Returns (proposals, index of the first cell not in the table)."""
    roles = [c["role"] for c in cols]
    value_cols = [c for c in cols if c["role"] == "value"]
    has_serial = "serial" in roles
    has_unit = "unit" in roles
    has_attr = "attr" in roles
    out: list[Proposal] = []
    i = start
    category = ""
    n = len(cells)

    def stop(text: str) -> bool:
        return len(text) > 40 or "。" in text or bool(_TABLE_STOP.match(text))

    while i < n:
        row_start = i
        texts: list[tuple[int, str]] = []
        serial = None
        while i < n and not _is_value_cell(cells[i][1]):
            if stop(cells[i][1]) or len(texts) > 4:
                return out, row_start
            texts.append(cells[i])
            i += 1
        if i >= n:
            return out, row_start
        if has_serial:
            serial = cells[i]
            i += 1
            if i >= n or _is_value_cell(cells[i][1]) or stop(cells[i][1]):
                return out, row_start
            cat_texts, name_cell = texts, cells[i]
            i += 1
            unit = ""
            if has_unit and i < n and _is_unit_cell(cells[i][1]):
                unit = cells[i][1]
                i += 1
        else:
            if not texts:
                return out, row_start
            unit = ""
            if has_unit and len(texts) >= 2 and _is_unit_cell(texts[-1][1]):
                unit = texts.pop()[1]
            name_cell = texts[-1]
            cat_texts = texts[:-1]
        if cat_texts:
            category = "".join(t for _, t in cat_texts).replace(" ", "")
        values: list[tuple[dict, str]] = []
        for col in value_cols:
            if i < n and _is_value_cell(cells[i][1]):
                values.append((col, cells[i][1].strip()))
                i += 1
            else:
                values.append((col, ""))
        if has_attr and i < n and cells[i][1].strip() in ("预期性", "约束性"):
            i += 1
        name = name_cell[1].strip()
        m = _NAME_UNIT.search(name)
        if m and _is_unit_cell(m.group(1)):
            unit = unit or m.group(1)
            name = name[: m.start()].strip()
        unit = unit.replace("％", "%")
        row_cells = [t for _, t in cells[row_start:i]]
        quote_cells = [c for c in row_cells if c not in {t for _, t in cat_texts}]
        if serial is not None:
            quote_cells = [serial[1], *[c for c in quote_cells if c != serial[1]]]
        quote = " | ".join(c.strip() for c in quote_cells)
        baselines = [
            (c["year"], decimal_or_none(v, unit))
            for c, v in values
            if c["kind"] == "baseline" and v
        ]
        for col, raw in values:
            if col["kind"] != "target" or not raw:
                continue
            year = col["year"]
            if not period_start <= year <= period_end:
                continue
            value, value_max, comparator = _table_value(raw, unit, name)
            if value is None:
                continue
            prior = [b for b in baselines if b[0] < year and b[1] is not None]
            base = max(prior) if prior else (None, None)
            out.append(
                Proposal(
                    name=name,
                    category=category or fallback_category,
                    unit=unit,
                    comparator=comparator,
                    measure=measure_for(name, name),
                    direction=direction_for(comparator, name),
                    target_year=year,
                    target_value=value,
                    target_value_max=value_max,
                    baseline_year=base[0],
                    baseline_value=base[1],
                    source=title,
                    raw=raw,
                    quote=quote,
                    position=cells[row_start][0],
                    confidence=0.95,
                )
            )
    return out, n


def _table_value(raw: str, unit: str, name: str):
    r = re.match(r"^(\d+(?:\.\d+)?)\s*[%%]?\s*[~～\-—]\s*(\d+(?:\.\d+)?)", raw)
    if r:
        return decimal_or_none(r.group(1), unit), decimal_or_none(r.group(2), unit), "range"
    try:
        fig = parse_figure(raw, unit)
    except FigureError:
        return None, None, ""
    comparator = fig.qualifier or ("lte" if is_lower_better(name) else "gte")
    return fig.value, None, comparator


def try_table(lines, i):
    """If a table header starts at line i: (index of the first line after it, columns)."""
    header = []
    j = i
    while j < len(lines) and len(header) < 12:
        cell = clean(lines[j][1])
        if not cell:
            j += 1
            continue
        if not _is_header_cell(cell):
            break
        header.append(cell)
        j += 1
    if len(header) < 3:
        return None
    if not any("指标" in c for c in header) or not any(_YEAR_CELL.search(c) for c in header):
        return None
    cols = _table_columns(header)
    if not any(c["role"] == "value" and c["kind"] == "target" for c in cols):
        return None
    return j, cols
