"""The fields of one target record, and how a list of records is written as JSON or CSV, as
`export_targets` writes them (no Django here, so that the plan extractor can share them)."""

import csv
import json
from decimal import Decimal

TARGET_FIELDS = [
    "plan",
    "indicator_code",
    "name",
    "category",
    "unit",
    "direction",
    "measure",
    "comparator",
    "target_year",
    "target_value",
    "target_value_max",
    "qualitative_text",
    "baseline_year",
    "baseline_value",
    "source",
    "raw",
    "conflict",
]


def json_number(value):
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    raise TypeError(f"not serialisable: {value!r}")


def write_records(records, out, *, fields: list[str], format: str) -> None:
    """Write records to the text stream `out`: "json" (figures as numbers, one document) or
    "csv" (a header of `fields`, an empty cell for a missing value)."""
    if format == "json":
        text = json.dumps(list(records), ensure_ascii=False, indent=2, default=json_number)
        out.write(text + "\n")
        return
    writer = csv.DictWriter(out, fieldnames=fields, lineterminator="\n")
    writer.writeheader()
    for record in records:
        writer.writerow({k: "" if v is None else v for k, v in record.items()})
