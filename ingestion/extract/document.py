"""The reader of a whole document: walks its lines, hands tables to `tables` and sentences to
`prose` and `qualitative`, and keeps one proposal for a statement the text repeats."""

import re
from bisect import bisect_left
from collections import Counter

from .context import Context, heading_of
from .proposal import Proposal
from .prose import prose_targets
from .qualitative import qualitative_targets
from .tables import TABLE_TITLE, parse_table, try_table
from .vocabulary import clean

_BOX = re.compile(r"^\s*专栏\s*(\d+(?:\s*-\s*\d+)?)\s*[::]?\s*(.*)$")
_SENTENCE_SPLIT = re.compile(
    r"(?<=[。!!??])"
    r"|(?=\s[((][一二三四五六七八九十]{1,3}[))])"
    r"|(?=\s[一二三四五六七八九十]{1,3}、)"
)


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
    ctx = Context()
    lines = list(_lines(text))
    cleaned = [clean(line) for _, line in lines]
    # Every non-empty line as a table cell (offset of its text, text), and the line it is on.
    cells = [
        (offset + len(line) - len(line.lstrip()), cleaned[n])
        for n, (offset, line) in enumerate(lines)
        if cleaned[n]
    ]
    cell_lines = [n for n in range(len(lines)) if cleaned[n]]
    proposals = _Distinct()
    i = 0
    while i < len(lines):
        offset, line = lines[i]
        stripped = cleaned[i]
        if not stripped:
            i += 1
            continue
        table = try_table(lines, i)
        if table is not None:
            header_end, cols = table
            title = ctx.table_title if i - ctx.table_title_line <= 4 else "表"
            first = bisect_left(cell_lines, header_end)
            found, used = parse_table(
                cells, first, cols, title, period_start, period_end, ctx.category
            )
            proposals.extend(found)
            stop_offset = cells[used][0] if used < len(cells) else len(text)
            i = header_end
            while i < len(lines) and lines[i][0] < stop_offset:
                i += 1
            ctx.box = ""
            continue
        m = TABLE_TITLE.match(stripped)
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
            ctx.box = clean(stripped.replace("|", " "))
            i += 1
            continue
        # "到2025年,…" opens a paragraph whose "——" items carry its year.
        if not stripped.startswith(("——", "—", "·", "•", "●", "-")):
            m = re.match(r"^(?:力争|争取)?到\s*((?:19|20)\d{2})\s*年", stripped)
            ctx.carry_year = int(m.group(1)) if m else None
        for seg_offset, seg in _segments(line, offset):
            h = heading_of(seg)
            if h:
                ctx.heading(*h)
            if ctx.retro:
                continue
            proposals.extend(
                prose_targets(seg, seg_offset, ctx, period_start, period_end, implied_ok)
            )
            proposals.extend(
                qualitative_targets(seg, seg_offset, ctx, period_start, period_end, implied_ok)
            )
        i += 1
    return proposals.in_order()


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


class _Distinct:
    """The proposals found so far, one for each statement the text repeats (same name, year,
    comparator, values and quote): the first in the document. Repeats are dropped as they come,
    so a text that says one thing a million times holds one proposal, not a million."""

    def __init__(self):
        self._first: dict[tuple, tuple[int, int, Proposal]] = {}
        self._count = 0

    def extend(self, proposals) -> None:
        for p in proposals:
            self._count += 1
            key = (p.name, p.target_year, p.comparator, p.target_value, p.target_value_max, p.quote)
            kept = self._first.get(key)
            if kept is None or p.position < kept[0]:
                self._first[key] = (p.position, self._count, p)

    def in_order(self) -> list[Proposal]:
        """By position in the document, then in the order found."""
        return [p for *_, p in sorted(self._first.values(), key=lambda kept: kept[:2])]
