"""The words of a plan's targets: comparator verbs, units, lower-is-better names, years.

Shared by the table, prose and qualitative readers; DOMAIN.md §2 says what each wording means.
"""

import re
from decimal import Decimal

from indicators.values import FigureError, parse_figure

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
VERB_COMPARATORS = [
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
LEADING_PUNCT = " \t\u3000\u00a0、,,;;::))·•—-”"
_LEADING_PUNCT_RUN = re.compile(f"[{re.escape(LEADING_PUNCT)}]*")
# One of the leading words, the first in _LEADING_WORDS that the text starts with.
_LEADING_WORD = re.compile("|".join(re.escape(w) for w in _LEADING_WORDS))
_BRACKETS = (("(", ")"), ("(", ")"), ("“", "”"), ("《", "》"))
TRAILING_PUNCT = " \t\u3000\u00a0、,,;;::((·•—-。和及与或的等"
_NAME_END_PUNCT = TRAILING_PUNCT.replace("的", "").replace("等", "")
# The last characters of the verbs and adverbs strip_trailing removes: a quick "no" for the rest.
_VERB_LAST_CHARS = {word[-1] for word, _ in VERB_COMPARATORS}
_ADVERB_LAST_CHARS = {adv[-1] for adv in _TRAILING_ADVERBS}

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
UNIT_RE = re.compile(rf"^(?:{_UNIT_ALT})(?:\((?:{_UNIT_ALT})\))?$")

NUMBER_TOKEN = re.compile(
    r"(?<![A-Za-z0-9.\-/+·])"
    r"(?P<a>\d+(?:\.\d+)?)\s*(?P<pa>[%%])?"
    r"(?:\s*(?P<sep>[~～\-—–至])\s*(?P<b>\d+(?:\.\d+)?))?"
    r"(?P<more>多)?"
    rf"\s*(?P<unit>(?:{_UNIT_ALT})(?:[((](?:{_UNIT_ALT})[))])?|[((](?:{_UNIT_ALT})[))])?"
    r"\s*(?P<q>以上|以下|以内|左右)?"
)
# Round Chinese numbers written as words: "培育十家…", "引导千家企业…".
CN_TOKEN = re.compile(r"(?<![一二三四五六七八九十百千万])(?P<cn>[十百千])(?P<unit>家|个|项|名)")
CN_VALUES = {"十": 10, "百": 100, "千": 1000}

_YEAR_PRE = r"力争到|争取到|截至|截止到|截止|到|至|较|比"
_YEAR_BODY = r"\s*(?P<y>(?:19|20)\d{2})\s*年(?P<post>底前|底|末|前|以前)?(?P<after>[,,::])?"
TARGET_YEAR = re.compile(rf"(?P<pre>{_YEAR_PRE})?{_YEAR_BODY}")
# The same matches, for searching a sentence: without a "到" a match starts only where a run
# of whitespace starts, so a long run is scanned once instead of once for each space in it.
TARGET_YEAR_SEARCH = re.compile(rf"(?:(?P<pre>{_YEAR_PRE})|(?<!\s)){_YEAR_BODY}")
_PLAN_NAME = re.compile(r"十([一二三四五])五")
_PLAN_PERIOD = re.compile(r"(?:在|到)?“?十[一二三四五]五”?(?:时期|期间|期末|末)?(?:内)?")
_PLAN_ENDS = {"一": 2010, "二": 2015, "三": 2020, "四": 2025, "五": 2030}

CLAUSE_SPLIT = re.compile(r"[,,::;;]")


_WHITESPACE = re.compile(r"\s+")


def clean(s: str) -> str:
    return _WHITESPACE.sub(" ", s.replace("\u3000", " ").replace("\u00a0", " ")).strip()


def strip_leading(name: str) -> str:
    """The name without the punctuation, year, plan period and verbs that open it.

    Works on a start index: a name of many leading words is read once, not copied per word.
    """
    start, prev = 0, None
    last_close = {}  # where a closing bracket last stands: an opening one with none after it goes
    while prev != start:
        prev = start
        start = _LEADING_PUNCT_RUN.match(name, start).end()
        if start == len(name):
            break
        for open_, close in _BRACKETS:
            if name.startswith(open_, start):
                if close not in last_close:
                    last_close[close] = name.rfind(close)
                if last_close[close] < start:
                    start += 1
        m = TARGET_YEAR.match(name, start)
        if m:
            start = m.end()
        m = _PLAN_PERIOD.match(name, start)
        if m:
            start = m.end()
        m = _LEADING_WORD.match(name, start)
        if m:
            start = m.end()
    return name[start:]


def strip_trailing(name: str) -> tuple[str, str]:
    """Remove the comparator verb (returned) and adverbs from the end of a name."""
    verb = ""
    end = len(name.rstrip(_NAME_END_PUNCT))
    if end and name[end - 1] in _VERB_LAST_CHARS:
        for word, _ in VERB_COMPARATORS:
            if name.endswith(word, 0, end):
                verb, end = word, end - len(word)
                break
    changed = True
    while changed and end and name[end - 1] in _ADVERB_LAST_CHARS:
        changed = False
        for adv in _TRAILING_ADVERBS:
            if name.endswith(adv, 0, end) and end > len(adv):
                end, changed = end - len(adv), True
    return name[:end].rstrip(_NAME_END_PUNCT), verb


def is_lower_better(name: str) -> bool:
    if name.endswith(_HIGHER_ENDINGS):
        return False
    return any(w in name for w in _LOWER_WORDS)


def direction_for(comparator: str, name: str) -> str:
    if comparator in ("lte", "lt"):
        return "lower"
    if comparator == "eq":
        return "hold"
    if comparator == "qualitative":
        return "lower" if is_lower_better(name) else "higher"
    return "higher"


_MEASURE_WORDS = ("每年", "累计", "新增", "净增")


def measure_words(text: str) -> str:
    """The words of `text` that `measure_for` reads in a context: a long clause is searched
    once, not once for every figure in it."""
    return " ".join(w for w in _MEASURE_WORDS if w in text)


def measure_for(name: str, context: str, unit: str = "") -> str:
    if "每年" in context or unit.endswith("/年"):
        return "per_year"
    if "累计" in name or "累计" in context:
        return "cumulative"
    if "新增" in name or "新增" in context or "净增" in context:
        return "new"
    return "level"


COUNT_UNITS = {"项", "个", "家", "件", "张", "名", "条", "座", "所", "处", "个(人)"}
CREATE_VERBS = re.compile(
    r"创建|争创|创|培育|新建|建设|建成|制定|制修订|承担|获得|培训|打造|推出|评定"
)


def decimal_or_none(text: str, unit: str = "") -> Decimal | None:
    try:
        return parse_figure(text, unit).value
    except FigureError:
        return None


def plan_end_year(text: str) -> int | None:
    m = _PLAN_NAME.search(text)
    return _PLAN_ENDS[m.group(1)] if m else None
