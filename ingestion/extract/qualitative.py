"""Goals stated without a figure ("实现…全覆盖", "位居全省前列"), proposed with no value."""

import re

from .proposal import Proposal
from .prose import SentenceYears, has_figure
from .vocabulary import (
    CLAUSE_SPLIT,
    LEADING_PUNCT,
    TARGET_YEAR_SEARCH,
    clean,
    plan_end_year,
    strip_leading,
)

_QUALITATIVE = re.compile(
    r"符合.{0,8}(?:要求|目标)|示范城市|全覆盖|基本消除|全面消除|全面完成|位居全[国省市]前列"
)


def qualitative_targets(sentence, offset, ctx, period_start, period_end, implied_ok):
    """The goals without a figure that one sentence states (a box may hold figures too)."""
    out = []
    s = sentence
    if re.search(r"\d", s) and not ctx.box:
        return out
    plan_end = plan_end_year(s)
    if plan_end is not None and plan_end < period_start:
        return out
    years = SentenceYears(s, period_start)
    quote = clean(sentence)
    end = 0
    for clause in CLAUSE_SPLIT.split(s):
        end = s.find(clause, end) + len(clause)
        if has_figure(clause) or not _QUALITATIVE.search(clause):
            continue
        year, _, past = years.before(end)
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
        text = clean(TARGET_YEAR_SEARCH.sub("", clause, count=1)).strip(LEADING_PUNCT + "。")
        name = strip_leading(text)
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
                qualitative_text=text,
                source=ctx.source,
                raw=text,
                quote=quote,
                position=offset,
                confidence=0.4,
            )
        )
    return out
