"""The fields of one target record, as `export_targets` writes them (no Django here, so that
the plan extractor can share them)."""

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
