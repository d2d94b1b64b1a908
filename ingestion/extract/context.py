"""Where in the document a sentence stands: its heading, 专栏 box and table title."""

import re
from dataclasses import dataclass, field
from functools import lru_cache

from .vocabulary import clean

_H1 = re.compile(r"^\s*([一二三四五六七八九十]{0,3})、\s*(\S.{0,40})$")
_H2 = re.compile(r"^\s*[((]([一二三四五六七八九十]{1,3})[))]\s*(.*)$")
_H3 = re.compile(r"^\s*(\d{1,2})\s*[\.．、]\s*([^\d\s.].*)$")
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


@dataclass
class Context:
    """What the walk over a document knows about the text around the current line."""

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
        return _category(self.box, tuple(self.headings))


@lru_cache(maxsize=32)
def _category(box: str, headings: tuple) -> str:
    """The category of the text under a box or headings; kept, so that a long box title is
    read once, not once for every target under it."""
    if box:
        return re.sub(r"^专栏\s*[\d\-]+\s*", "", box).strip() or box
    for h in reversed(headings):
        if h[0] <= 3:
            return re.sub(r"^[((]?[一二三四五六七八九十\d]+[))、.\s]*", "", h[1]).strip()
    return ""


def heading_of(sentence: str) -> tuple[int, str] | None:
    s = clean(sentence)
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
