"""Rule-based extraction of indicator targets from the text of a quality-development plan.

The extractor proposes targets for a person to confirm; it never writes to the database.
It reads three shapes of text (see DOMAIN.md §2 for the wording rules):

* tables laid out one cell per line (header row 类别 / 序号 / 指标 / 单位 / 2020年 / 2025年目标 …),
* 专栏 boxes and bullet lists ("· 承担团体标准多于120项"),
* prose sentences ("到2025年, … 达到95%以上", "每年新增…400家以上").

The modules, in reading order: `document` (the walk over a document's lines and `extract`),
`context` (headings, 专栏 boxes, table titles), `tables`, `prose` (sentences with figures),
`qualitative` (goals without a figure), `vocabulary` (the words all of them share) and
`proposal` (the `Proposal` and its record).

Plain standard library plus `indicators.values.parse_figure`; importable without Django
settings. Command line: ``python -m ingestion.extract FILE --period 2021-2025 --format json``.
"""

from indicators.target_fields import TARGET_FIELDS

from .cli import main
from .document import extract
from .proposal import RECORD_FIELDS, Proposal, to_record

__all__ = ["RECORD_FIELDS", "TARGET_FIELDS", "Proposal", "extract", "main", "to_record"]
