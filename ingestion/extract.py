"""Rule-based extraction of indicator targets from the text of a quality-development plan.

The extractor proposes targets for a person to confirm; it never writes to the database.
It reads three shapes of text (see DOMAIN.md §2 for the wording rules):

* tables laid out one cell per line (header row 类别 / 序号 / 指标 / 单位 / 2020年 / 2025年目标 …),
* 专栏 boxes and bullet lists ("· 承担团体标准多于120项"),
* prose sentences ("到2025年, … 达到95%以上", "每年新增…400家以上").

Plain standard library plus `indicators.values.parse_figure`; importable without Django
settings. Command line: ``python -m ingestion.extract FILE --period 2021-2025 --format json``.
"""

from __future__ import annotations

import argparse
import csv
import json
import re
import sys
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal

from indicators.target_fields import TARGET_FIELDS
from indicators.values import FigureError, parse_figure, plain_decimal

RECORD_FIELDS = [*TARGET_FIELDS, "confidence", "position"]


@dataclass
class Proposal:
    """One proposed target, with the text it was read from."""

    name: str
    category: str
    unit: str
    comparator: str  # gte | gt | lte | lt | eq | range | qualitative
    measure: str  # level | cumulative | new | per_year
    direction: str  # higher | lower | hold
    target_year: int
    year_implied: bool
    target_value: Decimal | None
    target_value_max: Decimal | None
    qualitative_text: str | None
    baseline_year: int | None
    baseline_value: Decimal | None
    source: str  # "表2-1", "专栏2 质量运行监测主要目标", or the nearest heading
    raw: str  # the target text as printed, e.g. "96以上"
    quote: str  # the sentence, or the table row's cells joined by " | "
    position: int  # character offset of the quote in the document
    confidence: float  # 0..1


# --------------------------------------------------------------------------- vocabulary

# Indicators where lower is better: a bare number is then a ceiling (DOMAIN §2).
_LOWER_WORDS = (
    "不合格",
    "发现率",
    "事故",
    "死亡",
    "伤亡",
    "能耗",
    "排放",
    "浓度",
    "差错",
    "投诉率",
    "劣V",
    "劣五类",
    "超标",
    "发病率",
    "缺陷率",
    "返修率",
)
# ...unless the name ends in a rate that rises ("不合格处置率").
_HIGHER_ENDINGS = ("处置率", "处理率", "查处率", "整改率", "完成率", "覆盖率", "合格率", "达标率")

# Words that end the text before a number and say how it binds (longest first).
_VERB_COMPARATORS = [
    ("力争达到", "gte"),
    ("分别达到", "gte"),
    ("持续稳定在", ""),
    ("稳定保持在", ""),
    ("均达到", "eq"),
    ("均保持", "eq"),
    ("稳定在", ""),
    ("保持在", ""),
    ("控制在", "lte"),
    ("提高到", "gte"),
    ("提升到", "gte"),
    ("提高至", "gte"),
    ("提升至", "gte"),
    ("增加到", "gte"),
    ("增长到", "gte"),
    ("达到", "gte"),
    ("不少于", "gte"),
    ("不低于", "gte"),
    ("不超过", "lte"),
    ("不高于", "lte"),
    ("多于", "gt"),
    ("超过", "gt"),
    ("高于", "gt"),
    ("大于", "gt"),
    ("低于", "lt"),
    ("少于", "lt"),
    ("小于", "lt"),
    ("保持", "eq"),
    ("均为", "eq"),
    ("提升", "gte"),
    ("提高", "gte"),
    ("增长", "gte"),
    ("达", "gte"),
    ("超", "gt"),
    ("为", ""),
]
_TRAILING_ADVERBS = (
    "持续",
    "稳定",
    "总体",
    "分别",
    "均",
    "力争",
    "要",
    "将",
    "基本",
    "全部",
    "进一步",
)

# Verbs, adverbs and scope words that open a clause but are not part of the indicator name.
_LEADING_WORDS = sorted(
    [
        "其中",
        "同时",
        "以及",
        "并",
        "和",
        "及",
        "与",
        "或",
        "全区",
        "全市",
        "全省",
        "全县",
        "我区",
        "我市",
        "我省",
        "力争",
        "争取",
        "确保",
        "累计",
        "每年",
        "新增",
        "净增",
        "共",
        "再",
        "要",
        "将",
        "实现",
        "推动",
        "推进",
        "培育",
        "创建",
        "建设",
        "建成",
        "打造",
        "推出",
        "评定",
        "形成",
        "新建",
        "实施",
        "承担",
        "完成",
        "引导",
        "指导",
        "争创",
        "培训",
        "产生",
        "开展",
        "发布",
        "获得",
        "拥有",
        "选树",
        "认定",
        "达到",
        "提升",
        "提高",
        "以",
        "在",
        "使",
        "全面",
        "积极",
        "大力",
        "迭代",
        "持续",
        "促进",
        "带动",
        "组织",
        "支持",
        "鼓励",
        "主导",
        "参与",
        "制修订",
        "制定",
        "制订",
        "修订",
        "改造提升",
        "改造",
        "计划",
        "努力",
    ],
    key=len,
    reverse=True,
)
_LEADING_PUNCT = " \t\u3000\u00a0、,,;;::))·•—-”"
_TRAILING_PUNCT = " \t\u3000\u00a0、,,;;::((·•—-。和及与或的等"

_UNITS = [
    "批次/千人/年",
    "万元/人",
    "件/万人",
    "个百分点",
    "亿美元",
    "亿元",
    "万元",
    "万亩",
    "万件",
    "万家",
    "万台",
    "万人",
    "万吨",
    "万个",
    "万张",
    "百分点",
    "批次",
    "公里",
    "%",
    "％",
    "‰",
    "项",
    "个",
    "家",
    "件",
    "张",
    "名",
    "人",
    "条",
    "座",
    "所",
    "台",
    "次",
    "分",
    "亩",
    "吨",
    "处",
    "批",
    "种",
    "套",
    "部",
    "位",
    "只",
    "户",
    "场",
    "篇",
    "天",
    "元",
    "万",
    "亿",
]
_UNIT_ALT = "|".join(re.escape(u) for u in _UNITS)
_UNIT_RE = re.compile(rf"^(?:{_UNIT_ALT})(?:\((?:{_UNIT_ALT})\))?$")

_NUMBER_TOKEN = re.compile(
    r"(?<![A-Za-z0-9.\-/+·])"
    r"(?P<a>\d+(?:\.\d+)?)\s*(?P<pa>[%%])?"
    r"(?:\s*(?P<sep>[~～\-—–至])\s*(?P<b>\d+(?:\.\d+)?))?"
    r"(?P<more>多)?"
    rf"\s*(?P<unit>(?:{_UNIT_ALT})(?:[((](?:{_UNIT_ALT})[))])?|[((](?:{_UNIT_ALT})[))])?"
    r"\s*(?P<q>以上|以下|以内|左右)?"
)
# Round Chinese numbers written as words: "培育十家…", "引导千家企业…".
_CN_TOKEN = re.compile(r"(?<![一二三四五六七八九十百千万])(?P<cn>[十百千])(?P<unit>家|个|项|名)")
_CN_VALUES = {"十": 10, "百": 100, "千": 1000}

_TARGET_YEAR = re.compile(
    r"(?P<pre>力争到|争取到|截至|截止到|截止|到|至|较|比)?\s*(?P<y>(?:19|20)\d{2})\s*年"
    r"(?P<post>底前|底|末|前|以前)?(?P<after>[,,::])?"
)
_PLAN_NAME = re.compile(r"十([一二三四五])五")
_PLAN_PERIOD = re.compile(r"^(?:在|到)?“?十[一二三四五]五”?(?:时期|期间|期末|末)?(?:内)?")
_PLAN_ENDS = {"一": 2010, "二": 2015, "三": 2020, "四": 2025, "五": 2030}

_H1 = re.compile(r"^\s*([一二三四五六七八九十]{0,3})、\s*(\S.{0,40})$")
_H2 = re.compile(r"^\s*[((]([一二三四五六七八九十]{1,3})[))]\s*(.*)$")
_H3 = re.compile(r"^\s*(\d{1,2})\s*[\.．、]\s*([^\d\s.].*)$")
_BOX = re.compile(r"^\s*专栏\s*(\d+(?:\s*-\s*\d+)?)\s*[::]?\s*(.*)$")
_TABLE_TITLE = re.compile(r"^\s*(表\s*\d+(?:-\d+)?)\s*(.*)$")
_RETRO_HEADINGS = (
    "发展基础",
    "现实基础",
    "主要成就",
    "工作成效",
    "基础环境",
    "发展回顾",
    "取得成效",
    "发展现状",
    "现状与",
    "回顾",
)

_SENTENCE_SPLIT = re.compile(
    r"(?<=[。!!??])"
    r"|(?=\s[((][一二三四五六七八九十]{1,3}[))])"
    r"|(?=\s[一二三四五六七八九十]{1,3}、)"
)
_CLAUSE_SPLIT = re.compile(r"[,,::;;]")


def _clean(s: str) -> str:
    return re.sub(r"\s+", " ", s.replace("\u3000", " ").replace("\u00a0", " ")).strip()


def _strip_leading(name: str) -> str:
    prev = None
    while prev != name:
        prev = name
        name = name.lstrip(_LEADING_PUNCT)
        for open_, close in (("(", ")"), ("(", ")"), ("“", "”"), ("《", "》")):
            if name.startswith(open_) and close not in name:
                name = name[1:]
        name = _TARGET_YEAR.sub("", name, count=1) if _TARGET_YEAR.match(name) else name
        name = _PLAN_PERIOD.sub("", name, count=1)
        for w in _LEADING_WORDS:
            if name.startswith(w):
                name = name[len(w) :]
                break
    return name


def _strip_trailing(name: str) -> tuple[str, str]:
    """Remove the comparator verb (returned) and adverbs from the end of a name."""
    verb = ""
    name = name.rstrip(_TRAILING_PUNCT.replace("的", "").replace("等", ""))
    for word, _ in _VERB_COMPARATORS:
        if name.endswith(word):
            verb, name = word, name[: -len(word)]
            break
    changed = True
    while changed:
        changed = False
        for adv in _TRAILING_ADVERBS:
            if name.endswith(adv) and len(name) > len(adv):
                name, changed = name[: -len(adv)], True
    return name.rstrip(_TRAILING_PUNCT.replace("的", "").replace("等", "")), verb


def _is_lower_better(name: str) -> bool:
    if name.endswith(_HIGHER_ENDINGS):
        return False
    return any(w in name for w in _LOWER_WORDS)


def _direction(comparator: str, name: str) -> str:
    if comparator in ("lte", "lt"):
        return "lower"
    if comparator == "eq":
        return "hold"
    if comparator == "qualitative":
        return "lower" if _is_lower_better(name) else "higher"
    return "higher"


def _measure(name: str, context: str, unit: str = "") -> str:
    if "每年" in context or unit.endswith("/年"):
        return "per_year"
    if "累计" in name or "累计" in context:
        return "cumulative"
    if "新增" in name or "新增" in context or "净增" in context:
        return "new"
    return "level"


_COUNT_UNITS = {"项", "个", "家", "件", "张", "名", "条", "座", "所", "处", "个(人)"}
_CREATE_VERBS = re.compile(
    r"创建|争创|创|培育|新建|建设|建成|制定|制修订|承担|获得|培训|打造|推出|评定"
)


def _number(text: str, unit: str = "") -> Decimal | None:
    try:
        return parse_figure(text, unit).value
    except FigureError:
        return None


def _plan_end(text: str) -> int | None:
    m = _PLAN_NAME.search(text)
    return _PLAN_ENDS[m.group(1)] if m else None


# --------------------------------------------------------------------------- context


@dataclass
class _Context:
    headings: list = field(default_factory=list)  # [(level, title, retro, target)]
    box: str = ""
    carry_year: int | None = None
    table_title: str = ""
    table_title_line: int = -10

    def heading(self, level: int, title: str) -> None:
        while self.headings and self.headings[-1][0] >= level:
            self.headings.pop()
        retro = any(w in title for w in _RETRO_HEADINGS) and "目标" not in title
        self.headings.append((level, title, retro, "目标" in title))
        if level <= 3:
            self.box = ""

    @property
    def retro(self) -> bool:
        return any(h[2] for h in self.headings)

    @property
    def target_section(self) -> bool:
        return any(h[3] for h in self.headings)

    @property
    def source(self) -> str:
        if self.box:
            return self.box
        return self.headings[-1][1] if self.headings else ""

    @property
    def category(self) -> str:
        if self.box:
            return re.sub(r"^专栏\s*[\d\-]+\s*", "", self.box).strip() or self.box
        for h in reversed(self.headings):
            if h[0] <= 3:
                return re.sub(r"^[((]?[一二三四五六七八九十\d]+[))、.\s]*", "", h[1]).strip()
        return ""


def _heading_of(sentence: str) -> tuple[int, str] | None:
    s = _clean(sentence)
    if not s or (len(s) > 60 and "。" not in s[:45]):
        return None
    title = s.split("。")[0]
    if len(title) > 45:
        return None
    if _H2.match(s):
        return 2, title
    m = _H1.match(title)
    if m and "," not in title:
        return 1, title
    m = _H3.match(s)
    if m and len(title) <= 30 and not re.match(r"^\d+\s*[\.．]\s*\d", s):
        return 3, title
    if len(s) <= 15 and "目标" in s and not re.search(r"[,,。;;]|\d", s):
        return 2, s  # an unnumbered "主要目标"
    return None


# --------------------------------------------------------------------------- tables

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
    if len(cell) > 14 or _TABLE_TITLE.match(cell):
        return False  # "表1 主要指标" names the table that follows; it is not a column
    return bool(_YEAR_CELL.search(cell)) or any(w in cell for w in _HEADER_WORDS)


def _is_value_cell(cell: str) -> bool:
    return bool(_VALUE_CELL.match(cell.strip()))


def _is_unit_cell(cell: str) -> bool:
    return len(cell) <= 6 and bool(_UNIT_RE.match(cell.replace(" ", "")))


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


def _parse_table(cells, cols, title, period_start, period_end, fallback_category):
    """cells: [(offset, text)] after the header. Returns (proposals, cells consumed)."""
    roles = [c["role"] for c in cols]
    value_cols = [c for c in cols if c["role"] == "value"]
    has_serial = "serial" in roles
    has_unit = "unit" in roles
    has_attr = "attr" in roles
    out: list[Proposal] = []
    i = 0
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
            (c["year"], _number(v, unit)) for c, v in values if c["kind"] == "baseline" and v
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
                    measure=_measure(name, name),
                    direction=_direction(comparator, name),
                    target_year=year,
                    year_implied=False,
                    target_value=value,
                    target_value_max=value_max,
                    qualitative_text=None,
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
        return _number(r.group(1), unit), _number(r.group(2), unit), "range"
    try:
        fig = parse_figure(raw, unit)
    except FigureError:
        return None, None, ""
    comparator = fig.qualifier or ("lte" if _is_lower_better(name) else "gte")
    return fig.value, None, comparator


# --------------------------------------------------------------------------- prose


_YEAR_LEAD = " ,,:;\u3000\u00a0—"


def _year_info(sentence: str, upto: int, period_start: int, period_end: int):
    """(year, explicit, past) from the last year expression before `upto` that names a target
    date ("到2025年", "2025年底前", a leading "2020年,"); past when it is a past date."""
    year, explicit, past = None, False, False
    for m in _TARGET_YEAR.finditer(sentence):
        if m.start() >= upto:
            break
        pre, post = m.group("pre") or "", m.group("post") or ""
        y = int(m.group("y"))
        if pre in ("截至", "截止到", "截止", "较", "比"):
            past = past or y < period_start or pre in ("截至", "截止到", "截止")
            continue
        leading = not sentence[: m.start()].strip(_YEAR_LEAD) or bool(m.group("after"))
        if pre or post or leading:
            year, explicit = y, True
            if y < period_start:
                past = True
    return year, explicit, past


def _tokens(clause: str):
    toks = []
    for m in _NUMBER_TOKEN.finditer(clause):
        a, b = m.group("a"), m.group("b")
        end = m.end()
        after = clause[end : end + 1]
        before = clause[max(0, m.start() - 1) : m.start()]
        if re.match(r"\s*年", clause[m.end("a") :]) or (b and re.match(r"\s*年", clause[end:])):
            continue  # years and durations
        if after and re.match(r"[A-Za-z0-9+·]", after) and not m.group("unit"):
            continue
        if re.match(r"[A-Za-z]", clause[m.end("a") : m.end("a") + 1] or " "):
            continue  # 5G, 200L
        if before == "第" or (before == "“" and after == "”"):
            continue
        if not clause[: m.start()].strip() and re.match(r"[\.．、))]", after):
            continue  # list numbering "1."
        unit = (m.group("unit") or "").strip()
        if unit[:1] in "((":
            unit = unit[1:-1]
        pct = bool(m.group("pa")) or unit in ("%", "%")
        if pct:
            unit = "%"
        bare = not unit and not m.group("q") and not m.group("more")
        if bare and (
            re.match(r"[\u4e00-\u9fff]", after) or not _ends_with_verb(clause[: m.start()])
        ):
            continue  # "2.0版", "世界500强": a bare number needs a verb before it
        toks.append(
            {
                "start": m.start(),
                "end": end,
                "a": a,
                "b": b if m.group("sep") else None,
                "more": bool(m.group("more")),
                "unit": unit,
                "q": m.group("q") or "",
                "raw": m.group(0).strip(),
                "bare": bare,
            }
        )
    for m in _CN_TOKEN.finditer(clause):
        toks.append(
            {
                "start": m.start(),
                "end": m.end(),
                "a": str(_CN_VALUES[m.group("cn")]),
                "b": None,
                "more": False,
                "unit": m.group("unit"),
                "q": "",
                "raw": m.group(0),
                "bare": False,
            }
        )
    toks.sort(key=lambda t: t["start"])
    return toks


def _ends_with_verb(text: str) -> bool:
    text = text.rstrip(" \u3000\u00a0")
    return any(text.endswith(w) for w, _ in _VERB_COMPARATORS)


def _comparator(tok, verb_cmp: str, name: str) -> str:
    if tok["b"]:
        return "range"
    if tok["q"] == "以上" or tok["q"] == "左右":
        return "gt" if verb_cmp == "gt" else "gte"
    if tok["q"] in ("以下", "以内"):
        return "lte"
    if verb_cmp:
        return verb_cmp
    if tok["more"]:
        return "gt"
    return "lte" if _is_lower_better(name) else "gte"


def _prose(
    sentence: str,
    offset: int,
    ctx: _Context,
    period_start: int,
    period_end: int,
    implied_ok: bool,
):
    out: list[Proposal] = []
    s = sentence
    plan_end = _plan_end(s)
    if plan_end is not None and plan_end < period_start:
        return out  # about an earlier plan ("“十二五”期间…")
    if re.search(r"截至|截止|同比|较上年|比上年", s):
        return out
    pos = 0
    for clause in _CLAUSE_SPLIT.split(s):
        c_start = s.find(clause, pos)
        pos = c_start + len(clause)
        toks = _tokens(clause)
        if not toks:
            continue
        first_pre = _strip_leading(clause[: toks[0]["start"]])
        first_pre, _ = _strip_trailing(first_pre)
        value_first = not first_pre
        names = _split_respectively(clause, toks)
        prev_end = 0
        for k, tok in enumerate(toks):
            year, explicit, past = _year_info(s, c_start + tok["start"], period_start, period_end)
            if year is None and ctx.carry_year is not None:
                year, explicit = ctx.carry_year, True
            if past:
                prev_end = tok["end"]
                continue
            pre_raw = clause[prev_end : tok["start"]]
            nxt = toks[k + 1]["start"] if k + 1 < len(toks) else len(clause)
            post_raw = clause[tok["end"] : nxt]
            prev_end = tok["end"]
            if tok["q"] in ("以上", "以下") and post_raw.startswith("的"):
                continue  # a threshold describing a class: "年产值50亿元以上的块状产业"
            pre_name, verb = _strip_trailing(_strip_leading(pre_raw))
            if pre_raw.rstrip().endswith("等") and not verb:
                continue  # "…等6个创新链": counts a list, sets no target
            verb_cmp = dict(_VERB_COMPARATORS).get(verb, "")
            if tok["bare"] and not verb:
                continue
            post = _strip_leading(post_raw).rstrip(_TRAILING_PUNCT)
            if names:
                name = names[k]
            elif post_raw.startswith("的"):
                name = (pre_name + _strip_leading(post_raw[1:])).strip()
            elif value_first:
                name = post
            elif k == len(toks) - 1 and len(post) >= 2 and not post.startswith(("为", "是", "以")):
                # The number counts the noun after it: "…提升500项以上…社会公用计量标准".
                if "、" in pre_raw and not verb:
                    continue  # "开展甲、乙、丙5项行动": counts a list, sets no target
                name = post
            else:
                name = pre_name
            name = _clean(name).rstrip(_TRAILING_PUNCT)
            if len(name) < 2:
                continue
            qualifier = bool(
                tok["q"]
                or verb_cmp
                or tok["more"]
                or tok["b"]
                or re.search("力争|每年|累计|新增|净增|不少于|确保", clause)
            )
            if year is None:
                if not implied_ok:
                    continue
                if plan_end is not None and plan_end > period_end:
                    continue
                target_year, implied = period_end, True
            else:
                target_year, implied = year, False
            if not period_start <= target_year <= period_end:
                continue
            if explicit:
                conf = 0.9 if qualifier else 0.8
            elif ctx.box or ctx.target_section:
                conf = 0.8 if qualifier else 0.65
            elif qualifier or plan_end is not None:
                conf = 0.6
            else:
                continue
            if tok["bare"]:
                conf -= 0.2
            unit = tok["unit"]
            if unit in ("万", "亿"):  # "3.5万" with no unit word after it: 35000
                value = _number(tok["a"] + unit)
                value_max = _number(tok["b"] + unit) if tok["b"] else None
                unit = ""
            else:
                value = _number(tok["a"], unit)
                value_max = _number(tok["b"], unit) if tok["b"] else None
            comparator = _comparator(tok, verb_cmp, name)
            if comparator == "eq" and value is not None and value != 100 and tok["q"]:
                comparator = "gte"
            raw = (verb + tok["raw"]) if verb in dict(_VERB_COMPARATORS) else tok["raw"]
            measure = _measure(name, clause, unit)
            if measure == "level" and unit in _COUNT_UNITS and _CREATE_VERBS.search(pre_raw):
                measure = "new"  # "创建…示范区1个": things created within the period
            out.extend(
                Proposal(
                    name=one,
                    category=ctx.category,
                    unit=unit,
                    comparator=comparator,
                    measure=measure,
                    direction=_direction(comparator, one),
                    target_year=target_year,
                    year_implied=implied,
                    target_value=value,
                    target_value_max=value_max,
                    qualitative_text=None,
                    baseline_year=None,
                    baseline_value=None,
                    source=ctx.source,
                    raw=raw,
                    quote=_clean(sentence),
                    position=offset,
                    confidence=round(max(conf, 0.1), 2),
                )
                for one in _split_pair(name)
            )
    return out


def _split_pair(name: str) -> list[str]:
    """ "特种设备登记率和定检率保持100%": two rates sharing one target."""
    m = re.fullmatch(r"(.{2,}?率)[和及与、](.+?率)", name)
    return [m.group(1), m.group(2)] if m else [name]


def _split_respectively(clause: str, toks) -> list[str] | None:
    """ "食品、药品和农产品合格率分别达到93%、95%和96%以上": one name per value."""
    if "分别" not in clause or len(toks) < 2:
        return None
    head = clause[: clause.index("分别")]
    parts = [p for p in re.split(r"[、和及与]", head) if p.strip()]
    if len(parts) != len(toks):
        return None
    return [_strip_leading(p).strip() for p in parts]


_QUALITATIVE = re.compile(
    r"符合.{0,8}(?:要求|目标)|示范城市|全覆盖|基本消除|全面消除|全面完成|位居全[国省市]前列"
)


def _qualitative(sentence, offset, ctx, period_start, period_end, implied_ok):
    out = []
    s = sentence
    if re.search(r"\d", s) and not ctx.box:
        return out
    plan_end = _plan_end(s)
    if plan_end is not None and plan_end < period_start:
        return out
    for clause in _CLAUSE_SPLIT.split(s):
        if _tokens(clause) or not _QUALITATIVE.search(clause):
            continue
        year, _, past = _year_info(s, s.find(clause) + len(clause), period_start, 0)
        if year is None and ctx.carry_year is not None:
            year = ctx.carry_year
        if past:
            continue
        if year is None:
            if not (implied_ok and (ctx.box or ctx.target_section)):
                continue
            year, implied = period_end, True
        else:
            implied = False
        if not period_start <= year <= period_end:
            continue
        text = _clean(_TARGET_YEAR.sub("", clause, count=1)).strip(_LEADING_PUNCT + "。")
        name = _strip_leading(text)
        if len(name) < 2:
            continue
        out.append(
            Proposal(
                name=name,
                category=ctx.category,
                unit="",
                comparator="qualitative",
                measure="level",
                direction="higher",
                target_year=year,
                year_implied=implied,
                target_value=None,
                target_value_max=None,
                qualitative_text=text,
                baseline_year=None,
                baseline_value=None,
                source=ctx.source,
                raw=text,
                quote=_clean(sentence),
                position=offset,
                confidence=0.4,
            )
        )
    return out


# --------------------------------------------------------------------------- driver


def _lines(text: str):
    pos = 0
    for line in text.split("\n"):
        yield pos, line
        pos += len(line) + 1


def _horizon(text: str) -> int | None:
    years = Counter(int(y) for y in re.findall(r"到\s*((?:19|20)\d{2})\s*年", text))
    return years.most_common(1)[0][0] if years else None


def extract(text: str, *, period_start: int, period_end: int) -> list[Proposal]:
    """Propose the targets a plan document states for the period [period_start, period_end].

    Targets dated outside the period (a previous plan's table, a 2035 vision) are left out.
    A statement without a year is dated at the period's end (year_implied=True), unless the
    document's own horizon (its most frequent "到20XX年") lies outside the period, in which
    case the text belongs to another plan and only dated statements are kept.
    """
    horizon = _horizon(text)
    implied_ok = horizon is None or period_start <= horizon <= period_end
    ctx = _Context()
    lines = list(_lines(text))
    proposals: list[Proposal] = []
    i = 0
    while i < len(lines):
        offset, line = lines[i]
        stripped = _clean(line)
        if not stripped:
            i += 1
            continue
        table = _try_table(lines, i)
        if table is not None:
            header_end, cols = table
            title = ctx.table_title if i - ctx.table_title_line <= 4 else "表"
            cells = [(o + len(ln) - len(ln.lstrip()), _clean(ln)) for o, ln in lines[header_end:]]
            cells = [(o, t) for o, t in cells if t]
            found, used = _parse_table(cells, cols, title, period_start, period_end, ctx.category)
            proposals.extend(found)
            stop_offset = cells[used][0] if used < len(cells) else len(text)
            i = header_end
            while i < len(lines) and lines[i][0] < stop_offset:
                i += 1
            ctx.box = ""
            continue
        m = _TABLE_TITLE.match(stripped)
        if (m and len(stripped) < 60) or (
            len(stripped) < 60 and "指标" in stripped and stripped.endswith(("表", "指标"))
        ):
            if m:
                ctx.table_title = m.group(1).replace(" ", "")
            else:
                ctx.table_title = re.sub(r"^(\d+)\s+", r"表\1 ", stripped)
            ctx.table_title_line = i
            i += 1
            continue
        m = _BOX.match(stripped)
        if m:
            ctx.box = _clean(stripped.replace("|", " "))
            i += 1
            continue
        # "到2025年,…" opens a paragraph whose "——" items carry its year.
        if not stripped.startswith(("——", "—", "·", "•", "●", "-")):
            m = re.match(r"^(?:力争|争取)?到\s*((?:19|20)\d{2})\s*年", stripped)
            ctx.carry_year = int(m.group(1)) if m else None
        for seg_offset, seg in _segments(line, offset):
            h = _heading_of(seg)
            if h:
                ctx.heading(*h)
            if ctx.retro:
                continue
            proposals.extend(_prose(seg, seg_offset, ctx, period_start, period_end, implied_ok))
            proposals.extend(
                _qualitative(seg, seg_offset, ctx, period_start, period_end, implied_ok)
            )
        i += 1
    return _dedupe(proposals)


def _segments(line: str, offset: int):
    """Sentences of a line; table-like " | " cells and "·" bullets are split first."""
    pieces = re.split(r"(\||·|•)", line)
    pos = offset
    for piece in pieces:
        start = pos
        pos += len(piece)
        if piece in ("|", "·", "•") or not piece.strip():
            continue
        inner = 0
        for sent in _SENTENCE_SPLIT.split(piece):
            if sent is None:
                continue
            s_start = start + inner
            inner += len(sent)
            if sent.strip():
                lead = len(sent) - len(sent.lstrip())
                yield s_start + lead, sent.strip()


def _try_table(lines, i):
    """If a table header starts at line i: (index of the first line after it, columns)."""
    header = []
    j = i
    while j < len(lines) and len(header) < 12:
        cell = _clean(lines[j][1])
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


def _dedupe(proposals: list[Proposal]) -> list[Proposal]:
    seen = set()
    out = []
    for p in sorted(proposals, key=lambda p: p.position):
        key = (p.name, p.target_year, p.comparator, p.target_value, p.target_value_max, p.quote)
        if key in seen:
            continue
        seen.add(key)
        out.append(p)
    return out


# --------------------------------------------------------------------------- records and CLI


def to_record(p: Proposal, plan: str = "") -> dict:
    """The proposal as an export_targets record (TARGET_FIELDS) plus confidence and position."""

    def num(v):
        return None if v is None else plain_decimal(v)

    return {
        "plan": plan,
        "indicator_code": None,
        "name": p.name,
        "category": p.category,
        "unit": p.unit,
        "direction": p.direction,
        "measure": p.measure,
        "comparator": p.comparator,
        "target_year": p.target_year,
        "target_value": num(p.target_value),
        "target_value_max": num(p.target_value_max),
        "qualitative_text": p.qualitative_text,
        "baseline_year": p.baseline_year,
        "baseline_value": num(p.baseline_value),
        "source": p.source,
        "raw": p.raw,
        "conflict": None,
        "confidence": p.confidence,
        "position": p.position,
    }


def _period(text: str) -> tuple[int, int]:
    m = re.fullmatch(r"\s*(\d{4})\s*[-–~]\s*(\d{4})\s*", text)
    if not m or int(m.group(1)) > int(m.group(2)):
        raise argparse.ArgumentTypeError("period must look like 2021-2025")
    return int(m.group(1)), int(m.group(2))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m ingestion.extract",
        description="Propose the indicator targets stated in a plan document (plain text).",
    )
    parser.add_argument("file", help="UTF-8 text of the plan document")
    parser.add_argument("--period", type=_period, required=True, help="plan period, e.g. 2021-2025")
    parser.add_argument("--format", choices=["json", "csv"], default="json")
    parser.add_argument("--plan", default="", help="plan slug to put in the records")
    args = parser.parse_args(argv)
    with open(args.file, encoding="utf-8") as fh:
        text = fh.read()
    start, end = args.period
    records = [to_record(p, args.plan) for p in extract(text, period_start=start, period_end=end)]
    if args.format == "json":
        json.dump(records, sys.stdout, ensure_ascii=False, indent=2, default=str)
        sys.stdout.write("\n")
    else:
        writer = csv.DictWriter(sys.stdout, fieldnames=RECORD_FIELDS)
        writer.writeheader()
        for r in records:
            writer.writerow({k: "" if v is None else v for k, v in r.items()})
    return 0


if __name__ == "__main__":
    sys.exit(main())
