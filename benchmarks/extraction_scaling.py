"""Benchmark: how the extractor's time grows with the size of its input.

Run from the project root:

    .venv/bin/python benchmarks/extraction_scaling.py [--sizes 92K,368K,19M] [--limit 600]

Three shapes of input, each at every size (bytes of UTF-8):

- sentence: one line that is one long sentence (no 。), clauses with a year and a figure
  ("到2025年,第7类产品合格率达到95%以上,"), as a paragraph pasted without its full stops;
- figures: one line of figures ("95%以上 95%以上 …"), as a table row pasted on one line;
- goals: a 专栏 box whose one line lists goals without a figure ("到2025年第7类产品实现全覆盖,");
- file: the five seed documents one after another, repeated, one paragraph a line.

Each case runs in a child process, stopped after --limit seconds (shown as "> limit").
Prints the seconds `extract` took (wall clock and CPU: on a shared machine the CPU seconds
are the steadier figure), the proposals it returned and the child's peak memory.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from collections.abc import Iterator
from itertools import count, repeat
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

SEEDS = Path(os.environ.get("QUALITYPLAN_SEEDS", ROOT.parent / "shared" / "seeds"))
SHAPES = ["sentence", "figures", "goals", "file"]


def _pieces(shape: str) -> Iterator[str]:
    if shape == "sentence":
        for k in count():
            yield f"到2025年,第{k % 1000}类产品合格率达到95%以上,"
    elif shape == "figures":
        yield from repeat("95%以上 ")
    elif shape == "goals":
        yield "专栏1 主要目标\n"
        for k in count():  # every goal a different one
            yield f"到2025年第{k}类产品实现全覆盖,"
    else:
        seeds = "\n".join(p.read_text(encoding="utf-8") for p in sorted(SEEDS.glob("*.txt")))
        yield from repeat(seeds + "\n")


def make_text(shape: str, size: int) -> str:
    """The shape's text, `size` bytes of UTF-8 (cut at a whole character)."""
    parts, total = [], 0
    for piece in _pieces(shape):
        if total >= size:
            break
        parts.append(piece)
        total += len(piece.encode())
    return "".join(parts).encode()[:size].decode(errors="ignore")


def parse_size(text: str) -> int:
    factor = {"K": 1024, "M": 1024 * 1024}.get(text[-1].upper(), 1)
    return int(float(text.rstrip("KkMm")) * factor)


def run_case(shape: str, size: int) -> dict:
    from ingestion.extract import extract

    text = make_text(shape, size)
    start, cpu_start = time.perf_counter(), time.process_time()
    found = extract(text, period_start=2021, period_end=2025)
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu_start
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"seconds": seconds, "cpu": cpu, "proposals": len(found), "peak_mb": peak_mb}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="92K,368K,19M", help="comma-separated, e.g. 92K,19M")
    parser.add_argument("--shapes", default=",".join(SHAPES))
    parser.add_argument("--limit", type=float, default=600, help="seconds per case")
    parser.add_argument("--case", nargs=2, metavar=("SHAPE", "BYTES"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.case:
        print(json.dumps(run_case(args.case[0], int(args.case[1]))))
        return 0

    print(
        f"{'shape':9} {'size':>6} {'bytes':>10} {'seconds':>9} {'CPU s':>7} {'proposals':>9} "
        f"{'peak MB':>8}"
    )
    for shape in args.shapes.split(","):
        for label in args.sizes.split(","):
            size = parse_size(label)
            command = [sys.executable, __file__, "--case", shape, str(size)]
            try:
                done = subprocess.run(
                    command, capture_output=True, text=True, timeout=args.limit, check=True
                )
            except subprocess.TimeoutExpired:
                print(f"{shape:9} {label:>6} {size:10} {'> ' + str(int(args.limit)):>9}")
                continue
            r = json.loads(done.stdout)
            print(
                f"{shape:9} {label:>6} {size:10} {r['seconds']:9.2f} {r['cpu']:7.2f} "
                f"{r['proposals']:9} {r['peak_mb']:8.0f}"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
