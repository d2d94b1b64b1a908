"""Sentences and bullets that state a figure: "到2025年, … 达到95%以上", "每年新增…400家以上"."""

import heapq
import re
from bisect import bisect_left
from collections.abc import Iterator
from itertools import chain
from operator import attrgetter
from typing import NamedTuple

from .context import Context
from .proposal import Proposal
from .vocabulary import (
    CLAUSE_SPLIT,
    CN_TOKEN,
    CN_VALUES,
    COUNT_UNITS,
    CREATE_VERBS,
    NUMBER_TOKEN,
    TARGET_YEAR_SEARCH,
    TRAILING_PUNCT,
    VERB_COMPARATORS,
    clean,
    decimal_or_none,
    direction_for,
    is_lower_better,
    measure_for,
    measure_words,
    plan_end_year,
    strip_leading,
    strip_trailing,
)

_YEAR_LEAD = " ,,:;\u3000\u00a0—"
_YEAR_AFTER = re.compile(r"\s*年")
_LATIN_OR_DIGIT = re.compile(r"[A-Za-z0-9+·]")
_LATIN = re.compile(r"[A-Za-z]")
_HAN = re.compile(r"[\u4e00-\u9fff]")
_LIST_MARK = re.compile(r"[\.．、))]")
_VERBS = dict(VERB_COMPARATORS)
_RATE_PAIR = re.compile(r"(.{2,}?率)[和及与、](.+?率)")
_COMMITTED = re.compile("力争|每年|累计|新增|净增|不少于|确保")


class SentenceYears:
    """The year expressions of one sentence, read once.

    `before(upto)` is (year, explicit, past) from the last year expression before `upto` that
    names a target date ("到2025年", "2025年底前", a leading "2020年,"); past when it is a past
    date.
    """

    def __init__(self, sentence: str, period_start: int):
        lead = len(sentence) - len(sentence.lstrip(_YEAR_LEAD))
        year, explicit, past = None, False, False
        self.starts: list[int] = []
        self.states = [(year, explicit, past)]  # states[k]: after the first k expressions
        for m in TARGET_YEAR_SEARCH.finditer(sentence):
            pre, post = m.group("pre") or "", m.group("post") or ""
            y = int(m.group("y"))
            if pre in ("截至", "截止到", "截止", "较", "比"):
                past = past or y < period_start or pre in ("截至", "截止到", "截止")
            elif pre or post or m.start() <= lead or m.group("after"):
                year, explicit = y, True
                if y < period_start:
                    past = True
            self.starts.append(m.start())
            self.states.append((year, explicit, past))

    def before(self, upto: int) -> tuple[int | None, bool, bool]:
        return self.states[bisect_left(self.starts, upto)]


class Token(NamedTuple):
    """One figure in a clause: "95%以上" is a=95, unit=%, q=以上."""

    start: int
    end: int
    a: str
    b: str | None  # the upper end of a range "1~3"
    more: bool  # "100多"
    unit: str
    q: str  # 以上 | 以下 | 以内 | 左右 | ""
    raw: str
    bare: bool  # no unit, qualifier or "多": a figure only after a verb


def tokens(clause: str) -> Iterator[Token]:
    """The figures a clause states, in order (years, list numbers and bare numbers that no
    verb introduces are not figures); "十家" counts as 10. Read as they are asked for, so that
    a clause of a million figures is never held whole."""
    numbers, words = _number_tokens(clause), _word_tokens(clause)
    first_word = next(words, None)
    if first_word is None:  # most clauses: no need to merge two streams
        return numbers
    return heapq.merge(numbers, chain([first_word], words), key=attrgetter("start"))


def has_figure(clause: str) -> bool:
    return next(tokens(clause), None) is not None


def _number_tokens(clause: str) -> Iterator[Token]:
    first = len(clause) - len(clause.lstrip())  # where the clause's text starts
    for m in NUMBER_TOKEN.finditer(clause):
        a, b = m.group("a"), m.group("b")
        end = m.end()
        after = clause[end : end + 1]
        before = clause[max(0, m.start() - 1) : m.start()]
        if _YEAR_AFTER.match(clause, m.end("a")) or (b and _YEAR_AFTER.match(clause, end)):
            continue  # years and durations
        if after and _LATIN_OR_DIGIT.match(after) and not m.group("unit"):
            continue
        if _LATIN.match(clause[m.end("a") : m.end("a") + 1] or " "):
            continue  # 5G, 200L
        if before == "第" or (before == "“" and after == "”"):
            continue
        if m.start() <= first and _LIST_MARK.match(after):
            continue  # list numbering "1."
        unit = (m.group("unit") or "").strip()
        if unit[:1] in "((":
            unit = unit[1:-1]
        pct = bool(m.group("pa")) or unit in ("%", "%")
        if pct:
            unit = "%"
        bare = not unit and not m.group("q") and not m.group("more")
        if bare and (_HAN.match(after) or not _ends_with_verb(clause, m.start())):
            continue  # "2.0版", "世界500强": a bare number needs a verb before it
        yield Token(
            start=m.start(),
            end=end,
            a=a,
            b=b if m.group("sep") else None,
            more=bool(m.group("more")),
            unit=unit,
            q=m.group("q") or "",
            raw=m.group(0).strip(),
            bare=bare,
        )


def _word_tokens(clause: str) -> Iterator[Token]:
    for m in CN_TOKEN.finditer(clause):
        yield Token(
            start=m.start(),
            end=m.end(),
            a=str(CN_VALUES[m.group("cn")]),
            b=None,
            more=False,
            unit=m.group("unit"),
            q="",
            raw=m.group(0),
            bare=False,
        )


def _ends_with_verb(text: str, end: int) -> bool:
    """Whether text[:end], spaces aside, ends with a comparator verb."""
    while end and text[end - 1] in " \u3000\u00a0":
        end -= 1
    return any(text.endswith(w, 0, end) for w in _VERBS)


def _comparator(tok, verb_cmp: str, name: str) -> str:
    if tok.b:
        return "range"
    if tok.q == "以上" or tok.q == "左右":
        return "gt" if verb_cmp == "gt" else "gte"
    if tok.q in ("以下", "以内"):
        return "lte"
    if verb_cmp:
        return verb_cmp
    if tok.more:
        return "gt"
    return "lte" if is_lower_better(name) else "gte"


def prose_targets(
    sentence: str,
    offset: int,
    ctx: Context,
    period_start: int,
    period_end: int,
    implied_ok: bool,
):
    """The targets with a figure that one sentence states, one per figure."""
    s = sentence
    plan_end = plan_end_year(s)
    if plan_end is not None and plan_end < period_start:
        return  # about an earlier plan ("“十二五”期间…")
    if re.search(r"截至|截止|同比|较上年|比上年", s):
        return
    years = SentenceYears(s, period_start)
    quote = clean(sentence)
    pos = 0
    for clause in CLAUSE_SPLIT.split(s):
        c_start = s.find(clause, pos)
        pos = c_start + len(clause)
        toks = _with_next(tokens(clause))
        first = next(toks, None)
        if first is None:
            continue
        first_pre = strip_leading(clause[: first[0].start])
        first_pre, _ = strip_trailing(first_pre)
        value_first = not first_pre
        names = _split_respectively(clause)
        committed = bool(_COMMITTED.search(clause))
        context = measure_words(clause)
        prev_end = 0
        for k, (tok, following) in enumerate(chain([first], toks)):
            year, explicit, past = years.before(c_start + tok.start)
            if year is None and ctx.carry_year is not None:
                year, explicit = ctx.carry_year, True
            if past:
                prev_end = tok.end
                continue
            pre_raw = clause[prev_end : tok.start]
            nxt = len(clause) if following is None else following.start
            post_raw = clause[tok.end : nxt]
            prev_end = tok.end
            if tok.q in ("以上", "以下") and post_raw.startswith("的"):
                continue  # a threshold describing a class: "年产值50亿元以上的块状产业"
            pre_name, verb = strip_trailing(strip_leading(pre_raw))
            if pre_raw.rstrip().endswith("等") and not verb:
                continue  # "…等6个创新链": counts a list, sets no target
            verb_cmp = _VERBS.get(verb, "")
            if tok.bare and not verb:
                continue
            post = strip_leading(post_raw).rstrip(TRAILING_PUNCT)
            if names:
                name = names[k]
            elif post_raw.startswith("的"):
                name = (pre_name + strip_leading(post_raw[1:])).strip()
            elif value_first:
                name = post
            elif following is None and len(post) >= 2 and not post.startswith(("为", "是", "以")):
                # The number counts the noun after it: "…提升500项以上…社会公用计量标准".
                if "、" in pre_raw and not verb:
                    continue  # "开展甲、乙、丙5项行动": counts a list, sets no target
                name = post
            else:
                name = pre_name
            name = clean(name).rstrip(TRAILING_PUNCT)
            if len(name) < 2:
                continue
            qualifier = bool(tok.q or verb_cmp or tok.more or tok.b or committed)
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
            if tok.bare:
                conf -= 0.2
            unit = tok.unit
            if unit in ("万", "亿"):  # "3.5万" with no unit word after it: 35000
                value = decimal_or_none(tok.a + unit)
                value_max = decimal_or_none(tok.b + unit) if tok.b else None
                unit = ""
            else:
                value = decimal_or_none(tok.a, unit)
                value_max = decimal_or_none(tok.b, unit) if tok.b else None
            comparator = _comparator(tok, verb_cmp, name)
            if comparator == "eq" and value is not None and value != 100 and tok.q:
                comparator = "gte"
            raw = (verb + tok.raw) if verb in _VERBS else tok.raw
            measure = measure_for(name, context, unit)
            if measure == "level" and unit in COUNT_UNITS and CREATE_VERBS.search(pre_raw):
                measure = "new"  # "创建…示范区1个": things created within the period
            yield from (
                Proposal(
                    name=one,
                    category=ctx.category,
                    unit=unit,
                    comparator=comparator,
                    measure=measure,
                    direction=direction_for(comparator, one),
                    target_year=target_year,
                    year_implied=implied,
                    target_value=value,
                    target_value_max=value_max,
                    source=ctx.source,
                    raw=raw,
                    quote=quote,
                    position=offset,
                    confidence=round(max(conf, 0.1), 2),
                )
                for one in _split_pair(name)
            )


def _with_next(items: Iterator[Token]) -> Iterator[tuple[Token, Token | None]]:
    """Each token with the one after it (None for the last)."""
    current = next(items, None)
    for following in items:
        yield current, following
        current = following
    if current is not None:
        yield current, None


def _split_pair(name: str) -> list[str]:
    """ "特种设备登记率和定检率保持100%": two rates sharing one target."""
    if not name.endswith("率"):
        return [name]  # and the pattern below, which would try every "率和" in it, is not run
    m = _RATE_PAIR.fullmatch(name)
    return [m.group(1), m.group(2)] if m else [name]


def _split_respectively(clause: str) -> list[str] | None:
    """ "食品、药品和农产品合格率分别达到93%、95%和96%以上": one name per value."""
    if "分别" not in clause:
        return None
    count = sum(1 for _ in tokens(clause))
    if count < 2:
        return None
    head = clause[: clause.index("分别")]
    parts = [p for p in re.split(r"[、和及与]", head) if p.strip()]
    if len(parts) != count:
        return None
    return [strip_leading(p).strip() for p in parts]
