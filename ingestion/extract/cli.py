"""``python -m ingestion.extract FILE --period 2021-2025 --format json|csv``."""

import argparse
import sys

from indicators.target_fields import write_records

from ..documents import parse_period
from .document import extract
from .proposal import RECORD_FIELDS, to_record


def _period(text: str) -> tuple[int, int]:
    period = parse_period(text)
    if period is None:
        raise argparse.ArgumentTypeError("period must look like 2021-2025")
    return period


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
    write_records(records, sys.stdout, fields=RECORD_FIELDS, format=args.format)
    return 0
