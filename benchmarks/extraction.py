"""Benchmark: the rule-based extractor against the hand-verified plan fixtures.

Run from the project root:

    .venv/bin/python benchmarks/extraction.py [--details] [--exact-names]

For every plan in fixtures/plans/*.yaml the extractor reads the plan's seed document with the
plan's period and its NUMERIC proposals are compared with the plan's numeric targets
(comparator not "qualitative" and a value). Seed 003 holds two plans: it is read twice, once
with 2016–2020 (zhejiang-13, the 十三五 table 表1-1) and once with 2021–2025 (zhejiang-14).
The file repeats its whole text; the extractor drops proposals that repeat another one's
name, year, value and quote, so the second copy adds nothing and is not scored twice.

Matching: a proposal and a target match when the target year is equal, the value is equal
(and the upper bound, for a range), and the names match after normalisation (NFKC; whitespace
and punctuation removed; "(累计)", "(新增)" and unit parentheses such as "(%)" removed;
the conjunctions 和/及/与 removed): equal, or one contains the other (at least two characters),
or difflib similarity ratio ≥ 0.8.

- recall = targets matched by at least one proposal / targets;
- precision = proposals matching at least one target / proposals. A proposal that restates a
  target another proposal already matched (the fixtures keep one target where two places
  give the same value) counts as correct, and is reported in the "dup" column.

--exact-names scores with equal normalised names only, to show how much the fuzzy rule adds.
Comparator and measure agreement are reported for the matched pairs (not part of the score).
Always exits 0.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
import unicodedata
from decimal import Decimal
from difflib import SequenceMatcher
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import yaml  # noqa: E402

from ingestion.extract import extract  # noqa: E402

SEEDS = Path(os.environ.get("QUALITYPLAN_SEEDS", ROOT.parent / "shared" / "seeds"))
PLANS = ROOT / "fixtures" / "plans"
ORDER = ["jiaojiang-13", "jiaxing-2011", "rizhao-14", "zhejiang-13", "zhejiang-14", "jinhua-2023"]
GOAL_RECALL, GOAL_PRECISION = 0.90, 0.85

_UNIT_PAREN = re.compile(
    r"[((]\s*(?:%|‰|[个项家件张名人条座所台次分天]|万[件家元台人]|亿元)\s*[))]"
)


def normalise(name: str) -> str:
    s = unicodedata.normalize("NFKC", name or "")
    s = re.sub(r"\((?:累计|新增)\)", "", s)
    s = _UNIT_PAREN.sub("", s)
    s = re.sub(r"[\W_]+", "", s)
    return re.sub("[和及与]", "", s)


EXACT_NAMES = False  # --exact-names: only equal normalised names match


def names_match(a: str, b: str) -> bool:
    a, b = normalise(a), normalise(b)
    if not a or not b:
        return False
    if a == b:
        return True
    if EXACT_NAMES:
        return False
    if min(len(a), len(b)) >= 2 and (a in b or b in a):
        return True
    return SequenceMatcher(None, a, b).ratio() >= 0.8


def _dec(v):
    return None if v is None else Decimal(str(v))


def load_truth(path: Path):
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    targets, qualitative = [], []
    for ind in data["indicators"]:
        for t in ind["targets"]:
            if t["comparator"] == "qualitative" or t.get("value") is None:
                qualitative.append({"name": ind["name"], "year": int(t["year"])})
                continue
            targets.append(
                {
                    "code": ind["code"],
                    "name": ind["name"],
                    "year": int(t["year"]),
                    "value": _dec(t["value"]),
                    "value_max": _dec(t.get("value_max")),
                    "comparator": t["comparator"],
                    "measure": ind["measure"],
                    "raw": t.get("raw", ""),
                }
            )
    return data["plan"], targets, qualitative


def name_score(a: str, b: str) -> float:
    """How well two names agree: 3 equal, 2 one contains the other, else the ratio."""
    a, b = normalise(a), normalise(b)
    if a == b:
        return 3.0
    if min(len(a), len(b)) >= 2 and (a in b or b in a):
        return 2.0
    return SequenceMatcher(None, a, b).ratio()


def matches(p, t) -> bool:
    if p.target_year != t["year"] or p.target_value is None or p.target_value != t["value"]:
        return False
    if t["value_max"] is not None and p.target_value_max != t["value_max"]:
        return False
    return names_match(p.name, t["name"])


def evaluate(plan, truth, qualitative_truth):
    text = (SEEDS / plan["seed_file"]).read_text(encoding="utf-8")
    everything = extract(text, period_start=plan["period_start"], period_end=plan["period_end"])
    proposals = [p for p in everything if p.comparator != "qualitative"]
    # Qualitative goals are not scored; for information: how many of the fixture's were
    # proposed at all (same year, names match by the rule above, or the goal's text holds it).
    qualitative = [p for p in everything if p.comparator == "qualitative"]
    qual_found = sum(
        any(
            p.target_year == t["year"]
            and (names_match(p.name, t["name"]) or normalise(t["name"]) in normalise(p.quote))
            for p in qualitative
        )
        for t in qualitative_truth
    )
    correct, dup, seen = [], 0, set()
    same_cmp = same_measure = pairs = 0
    for p in proposals:
        hits = [i for i, t in enumerate(truth) if matches(p, t)]
        correct.append(bool(hits))
        if hits:
            # Credit only the best-matching target, so that one proposal cannot recall two
            # targets ("食品…处置率" is not also "药品…处置率").
            best = max(hits, key=lambda i: name_score(p.name, truth[i]["name"]))
            if best in seen:
                dup += 1
            seen.add(best)
            t = truth[best]
            pairs += 1
            same_cmp += p.comparator == t["comparator"]
            same_measure += p.measure == t["measure"]
    found = [i in seen for i in range(len(truth))]
    return {
        "slug": plan["slug"],
        "seed": plan["seed_file"][:3],
        "period": f"{plan['period_start']}–{plan['period_end']}",
        "truth": len(truth),
        "recalled": sum(found),
        "proposals": len(proposals),
        "correct": sum(correct),
        "dup": dup,
        "cmp": (same_cmp, pairs),
        "measure": (same_measure, pairs),
        "qualitative": (len(qualitative), qual_found, len(qualitative_truth)),
        "misses": [t for t, ok in zip(truth, found, strict=True) if not ok],
        "false": [p for p, ok in zip(proposals, correct, strict=True) if not ok],
    }


def _pct(a: int, b: int) -> str:
    return f"{100 * a / b:5.1f}%" if b else "    –"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--details", action="store_true", help="list every miss and false hit")
    parser.add_argument(
        "--exact-names", action="store_true", help="match names only when equal (no fuzzy rule)"
    )
    args = parser.parse_args(argv)
    global EXACT_NAMES
    EXACT_NAMES = args.exact_names
    results = []
    for slug in ORDER:
        path = PLANS / f"{slug}.yaml"
        if not path.exists():
            continue
        plan, truth, qualitative = load_truth(path)
        results.append(evaluate(plan, truth, qualitative))

    head = (
        f"{'seed':4} {'plan':13} {'period':9} {'targets':>7} {'found':>5} {'recall':>7} "
        f"{'proposed':>8} {'right':>5} {'precision':>9} {'dup':>3}  {'cmp agree':>9} "
        f"{'measure agree':>13}  goal"
    )
    rule = "equal names only" if EXACT_NAMES else "fuzzy names"
    print(f"Extraction benchmark: numeric targets, fixtures/plans vs ingestion.extract ({rule})")
    print(head)
    print("-" * len(head))
    totals = [0, 0, 0, 0]
    for r in results:
        rec = r["recalled"] / r["truth"] if r["truth"] else 1
        prec = r["correct"] / r["proposals"] if r["proposals"] else 1
        ok = "ok" if rec >= GOAL_RECALL and prec >= GOAL_PRECISION else "below"
        print(
            f"{r['seed']:4} {r['slug']:13} {r['period']:9} {r['truth']:7} {r['recalled']:5} "
            f"{_pct(r['recalled'], r['truth']):>7} {r['proposals']:8} {r['correct']:5} "
            f"{_pct(r['correct'], r['proposals']):>9} {r['dup']:3}  "
            f"{_pct(*r['cmp']):>9} {_pct(*r['measure']):>13}  {ok}"
        )
        totals[0] += r["truth"]
        totals[1] += r["recalled"]
        totals[2] += r["proposals"]
        totals[3] += r["correct"]
    print("-" * len(head))
    print(
        f"{'all':4} {'':13} {'':9} {totals[0]:7} {totals[1]:5} {_pct(totals[1], totals[0]):>7} "
        f"{totals[2]:8} {totals[3]:5} {_pct(totals[3], totals[2]):>9}"
    )
    print(f"goal: recall ≥ {GOAL_RECALL:.0%} and precision ≥ {GOAL_PRECISION:.0%} per document")
    print("\nqualitative goals (not scored): proposed / fixture goals found / fixture goals")
    for r in results:
        proposed, found, goals = r["qualitative"]
        print(f"  {r['slug']:13} {proposed:3} / {found:3} / {goals:3}")

    for r in results:
        if not r["misses"] and not r["false"]:
            continue
        print(f"\n{r['slug']}: {len(r['misses'])} missed, {len(r['false'])} not in the fixture")
        limit = None if args.details else 8
        for t in r["misses"][:limit]:
            print(f"  missed  {t['code']:8} {t['year']} {t['name']} = {t['raw']}")
        for p in r["false"][:limit]:
            print(f"  extra   {p.target_year} {p.name} = {p.raw}  [{p.source[:24]}]")
        hidden = max(len(r["misses"]), len(r["false"])) - (limit or 10**9)
        if hidden > 0:
            print("  … (--details lists all)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
