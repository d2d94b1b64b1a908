"""Reads for the region comparison pages: one canonical indicator across the plans that
state it, and the index of them grouped by subject."""

from collections import defaultdict

from django.db.models import Count, Max, Min
from django.utils.translation import gettext_lazy as _

from indicators import wording
from indicators.models import Actual, CanonicalIndicator, Indicator, Plan
from indicators.selectors import alignment_flags, primary_targets


def _member_label(indicator):
    plan = indicator.plan
    return f"{plan.region.name} · {plan.period_start}–{plan.period_end}"


def comparison(canonical, year=None):
    """One canonical indicator across regions: each member's approved value (for `year`, or
    the latest) and the target that speaks for it then, said in words."""
    members = list(
        Indicator.objects.filter(canonical=canonical)
        .select_related("plan__region")
        .prefetch_related("targets", "baselines")
        .order_by("plan__region__code", "plan__period_start")
    )
    regions = {m.pk: m.plan.region_id for m in members}
    approved = Actual.objects.filter(indicator__in=members, status=Actual.Status.APPROVED)
    if year is not None:
        approved = approved.filter(year=year)
    latest = {}
    for a in approved.order_by("year"):
        if a.region_id == regions[a.indicator_id]:
            latest[a.indicator_id] = a
    flags = alignment_flags([canonical.pk])
    flagged = defaultdict(list)
    for f in flags:
        flagged[f.child.indicator_id].append(f.message)
    bars = []
    for m in members:
        targets = [t for t in m.targets.all() if t.value is not None]
        actual = latest.get(m.pk)
        if year is not None:
            target = next(iter(primary_targets(targets, year)), None) if targets else None
        else:
            target = max(targets, key=lambda t: t.year) if targets else None
        places = wording.precision(
            *(t.value for t in m.targets.all()), *(b.value for b in m.baselines.all())
        )
        said_as = wording.Terms(
            comparator=target.comparator if target else "qualitative",
            value=target.value if target else None,
            year=target.year if target else m.plan.period_end,
            value_max=target.value_max if target else None,
            raw=target.raw if target else "",
            unit=m.unit,
            measure=m.measure,
            period_start=m.plan.period_start,
            places=places,
        )
        bars.append(
            {
                "indicator": m,
                "label": _member_label(m),
                "actual": actual,
                "actual_text": (
                    wording.actual_text(said_as, actual.value, actual.qualifier, year=actual.year)
                    if actual and actual.value is not None
                    else None
                ),
                "in_period": year is None or m.plan.period_start <= year <= m.plan.period_end,
                "target": target,
                "target_text": wording.target_text(said_as) if target else None,
                "flags": flagged.get(m.pk, []),
            }
        )
    reviewed = max((a.reviewed_at for a in latest.values() if a.reviewed_at), default=None)
    return bars, flags, reviewed


def comparison_years(canonical):
    span = Plan.objects.filter(indicators__canonical=canonical).aggregate(
        start=Min("period_start"), end=Max("period_end")
    )
    return list(range(span["start"], span["end"] + 1)) if span["start"] else []


# The comparison index's groups, in the order shown, each with the words of a canonical
# indicator's name that file it there (the first group whose word the name holds; the first
# group takes the rest). The groups are those of fixtures/canonical.yaml.
CANONICAL_GROUPS = [
    (_("产品、工程与服务质量"), ()),
    (_("环境质量"), ("空气", "水质", "断面", "水源", "海域", "环境", "生态")),
    (_("标准"), ("标准",)),
    (_("品牌与奖项"), ("品牌", "名牌", "奖", "品字标", "浙江制造", "示范")),
    (_("商标、专利与企业"), ("商标", "专利", "企业")),
    (_("质量基础设施"), ("计量", "质检", "检验检测", "基础设施")),
]
# Where a name holds words of two groups, the group tried first wins: 计量标准 is
# infrastructure, not a standard; 浙江制造标准 a standard, not a brand.
_GROUP_PRECEDENCE = [5, 1, 2, 3, 4]


def canonical_group(name):
    """The index of the comparison index's group that a canonical indicator's name files it in."""
    for index in _GROUP_PRECEDENCE:
        if any(word in name for word in CANONICAL_GROUPS[index][1]):
            return index
    return 0


def canonical_groups():
    """[(group name, [{canonical, plans}])] of every canonical indicator, by subject."""
    groups = defaultdict(list)
    for c in CanonicalIndicator.objects.annotate(plans=Count("members__plan", distinct=True)):
        groups[canonical_group(c.name)].append({"canonical": c, "plans": c.plans})
    return [
        (CANONICAL_GROUPS[i][0], sorted(groups[i], key=lambda item: item["canonical"].name))
        for i in range(len(CANONICAL_GROUPS))
        if groups[i]
    ]
