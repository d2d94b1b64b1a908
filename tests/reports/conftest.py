import pytest

from indicators.demo import load_demo
from indicators.models import Plan
from indicators.recompute import recompute


@pytest.fixture
def demo(plans):
    """The sample figures of `load_demo` (zhejiang-14, rizhao-14, jinhua-2023 to 2024), judged."""
    load_demo()
    recompute(plan_ids=list(Plan.objects.values_list("pk", flat=True)))
