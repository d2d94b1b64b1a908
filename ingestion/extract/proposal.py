"""One proposed target, and the record it becomes (the fields of export_targets)."""

from dataclasses import dataclass
from decimal import Decimal

from indicators.target_fields import TARGET_FIELDS
from indicators.values import plain_decimal

RECORD_FIELDS = [*TARGET_FIELDS, "confidence", "position"]


@dataclass(kw_only=True)
class Proposal:
    """One proposed target, with the text it was read from.

    A target that states no upper bound, baseline or qualitative text leaves them out.
    """

    name: str
    category: str
    unit: str
    comparator: str  # gte | gt | lte | lt | eq | range | qualitative
    measure: str  # level | cumulative | new | per_year
    direction: str  # higher | lower | hold
    target_year: int
    year_implied: bool = False
    target_value: Decimal | None
    target_value_max: Decimal | None = None
    qualitative_text: str | None = None
    baseline_year: int | None = None
    baseline_value: Decimal | None = None
    source: str  # "表2-1", "专栏2 质量运行监测主要目标", or the nearest heading
    raw: str  # the target text as printed, e.g. "96以上"
    quote: str  # the sentence, or the table row's cells joined by " | "
    position: int  # character offset of the quote in the document
    confidence: float  # 0..1


def to_record(p: Proposal, plan: str = "") -> dict:
    """The proposal as an export_targets record (TARGET_FIELDS) plus confidence and position."""

    def num(v):
        return None if v is None else plain_decimal(v)

    return {
        "plan": plan,
        "indicator_code": None,
        "name": p.name,
        "category": p.category,
        "unit": p.unit,
        "direction": p.direction,
        "measure": p.measure,
        "comparator": p.comparator,
        "target_year": p.target_year,
        "target_value": num(p.target_value),
        "target_value_max": num(p.target_value_max),
        "qualitative_text": p.qualitative_text,
        "baseline_year": p.baseline_year,
        "baseline_value": num(p.baseline_value),
        "source": p.source,
        "raw": p.raw,
        "conflict": None,
        "confidence": p.confidence,
        "position": p.position,
    }
