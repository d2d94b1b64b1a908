"""The extractor's work grows in step with the text, not with its square: a long line, a long
sentence or a document of many tables (a 92 KB line once took 31 s and a 19 MB file 218 s).

Work is counted, not timed: the Python lines the extractor executes, a number that does not
depend on the machine. The hostile lines at the end only have to finish; before they cost
minutes each.
"""

import sys

import pytest

from ingestion.extract import extract


def run(text):
    return extract(text, period_start=2021, period_end=2025)


def steps(text) -> int:
    """The Python lines executed while extracting `text`."""
    count = 0

    def trace(frame, event, arg):
        nonlocal count
        if event == "line":
            count += 1
        return trace

    previous = sys.gettrace()
    sys.settrace(trace)
    try:
        run(text)
    finally:
        sys.settrace(previous)
    return count


TABLE = "\n\n".join(
    [
        "表1 主要指标",
        "指标",
        "单位",
        "2020年",
        "2025年目标",
        "产品质量抽查合格率",
        "%",
        "94",
        "96以上",
        "二、主要任务",
        "加强质量监管。",
    ]
)


def many_tables(n: int) -> str:
    return "\n".join([TABLE] * n)


def long_sentence(n: int) -> str:
    """One line, one sentence (no 。): n clauses, each with a year and a figure."""
    return "".join(f"到2025年,第{k}类产品合格率达到95%以上," for k in range(n))


@pytest.mark.parametrize("make", [many_tables, long_sentence], ids=["tables", "sentence"])
def test_four_times_the_text_costs_about_four_times_the_work(make):
    small, large = steps(make(50)), steps(make(200))
    assert large <= 5 * small, (small, large)


HOSTILE_LINES = {
    # A run of spaces between two figures.
    "spaces": "合格率达到95%" + " " * 100_000 + "抽检率达到96%",
    # Words the name reader strips one at a time.
    "leading words": "和" * 100_000 + "合格率达到95%",
    "trailing adverbs": "合格率" + "持续" * 50_000 + "达到95%",
    # A name that looks like two rates joined, but is not.
    "rates": "率和" * 50_000 + "指标达到95%",
    # A table row pasted on one line, and a sentence of figures without a comma.
    "figures": "95%以上 " * 15_000,
    "one clause": "达到95%以上和" * 10_000,
    # A box title as long as a chapter, then many targets under it.
    "long box": "专栏1 " + "说明" * 50_000 + "\n" + "合格率达到95%以上。\n" * 3_000,
}


@pytest.mark.parametrize("text", HOSTILE_LINES.values(), ids=HOSTILE_LINES.keys())
def test_long_hostile_lines_are_read_to_the_end(text):
    assert isinstance(run(text), list)
