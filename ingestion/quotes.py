"""Where a proposal's quote stands in the document text, and the text with quotes marked.

A quote is the sentence as the extractor cleaned it (runs of whitespace collapsed), or a
table row's cells joined by " | ": it is found by comparing text with whitespace and the
cell separators left out.
"""

from __future__ import annotations

from bisect import bisect_left
from dataclasses import dataclass
from itertools import pairwise

from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe

# How far past its recorded position a quote is looked for.
_WINDOW = 4000


def _skipped(ch: str) -> bool:
    return ch.isspace() or ch == "|"


@dataclass
class CompactText:
    """The text without whitespace and "|", with each kept character's offset."""

    chars: str
    offsets: list[int]

    @classmethod
    def of(cls, text: str) -> CompactText:
        offsets = [i for i, ch in enumerate(text) if not _skipped(ch)]
        return cls("".join(text[i] for i in offsets), offsets)

    def find(self, quote: str, near: int = 0) -> tuple[int, int] | None:
        """(start, end) offsets in the text of the quote at or after `near`, else anywhere."""
        needle = "".join(ch for ch in quote if not _skipped(ch))
        if not needle:
            return None
        k = bisect_left(self.offsets, near)
        hit = self.chars.find(needle, k, k + len(needle) + _WINDOW)
        if hit < 0:
            hit = self.chars.find(needle)
        if hit < 0:
            return None
        return self.offsets[hit], self.offsets[hit + len(needle) - 1] + 1


def quote_span(text: str, compact: CompactText, position: int, quote: str) -> tuple[int, int]:
    """The stretch of text a proposal was read from.

    The whole quote where it can be found; failing that, its cells after the first (a
    table's serial number may stand apart from the row); failing that, the line at the
    recorded position.
    """
    position = min(max(position, 0), len(text))
    found = compact.find(quote, position)
    if found is None and " | " in quote:
        found = compact.find(quote.split(" | ", 1)[1], position)
    if found is not None:
        return found
    end = text.find("\n", position)
    return position, len(text) if end < 0 else end


def locate(text: str, quote: str) -> int | None:
    """The offset of a quote in the text, or None when the text does not contain it."""
    found = CompactText.of(text).find(quote)
    return None if found is None else found[0]


def highlight(text: str, proposals) -> SafeString:
    """The document text as HTML with every proposal's quote marked and anchored.

    Each quote opens with a small "#id" tag (anchor ``q-<id>``) that links to the row
    ``p-<id>`` of the review table; marks are coloured by decision.
    """
    compact = CompactText.of(text)
    spans = []
    for p in proposals:
        start, end = quote_span(text, compact, p.position, p.quote)
        if end > start:
            spans.append((start, end, p))
    bounds = sorted({0, len(text), *(s for s, _, _ in spans), *(e for _, e, _ in spans)})
    starts: dict[int, list] = {}
    for s, _, p in spans:
        starts.setdefault(s, []).append(p)
    out = []
    for a, b in pairwise(bounds):
        for p in starts.get(a, []):
            out.append(
                format_html(
                    '<a class="qtag qtag-{}" id="q-{}" href="#p-{}" title="{}">#{}</a>',
                    p.decision,
                    p.pk,
                    p.pk,
                    p.name,
                    p.pk,
                )
            )
        covering = [p for s, e, p in spans if s <= a and b <= e]
        piece = escape(text[a:b])
        if covering:
            decisions = {p.decision for p in covering}
            state = next(
                (d for d in ("accepted", "pending", "rejected") if d in decisions), "pending"
            )
            ids = " ".join(f"#{p.pk}" for p in covering)
            piece = format_html('<mark class="q q-{}" title="{}">{}</mark>', state, ids, piece)
        out.append(piece)
    # Every piece was escaped above.
    return mark_safe("".join(str(x) for x in out))
