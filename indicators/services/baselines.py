"""Baselines (基期值) that people give: a row of an upload for a year before the plan period,
or a base-year figure entered on the entry page and approved by a reviewer."""

from django.contrib.auth.models import AbstractUser

from ..changes import mark_change
from ..imports import ResolvedRow
from ..models import Actual, Baseline

# The source of a baseline that a reviewer's approval of a base-year figure wrote.
APPROVED_FIGURE_SOURCE = "填报审核"


def baseline_import_row(*, user: AbstractUser, row: ResolvedRow) -> Baseline:
    """Store one checked baseline row of an upload (`imports.resolve_row`): the figure as
    typed, source "导入", the user and the reason in the history. The upload's transaction
    makes it all or none; the upload queues the recompute."""
    baseline, figure = row.baseline, row.figure
    baseline.value, baseline.raw = figure.value, figure.raw
    baseline.source_text = row.note or f"由{user.get_username()}导入"
    mark_change(baseline, user=user, reason="导入基期值")
    baseline.save()
    return baseline


def is_base_figure(actual: Actual) -> bool:
    """Whether an approved figure is its plan's baseline: a number for a year before the plan
    period, of the plan's own region (a baseline has no region of its own)."""
    plan = actual.indicator.plan
    return (
        actual.year < plan.period_start
        and actual.region_id == plan.region_id
        and actual.value is not None
    )


def baseline_from_approval(*, user: AbstractUser, actual: Actual) -> Baseline:
    """Write the approved base-year figure as the indicator's baseline for that year (source
    "填报审核"). A baseline the plan document states for the same year stays the reference;
    this one serves where the document gives none."""
    baseline = Baseline.objects.filter(
        indicator=actual.indicator, year=actual.year, source_ref=APPROVED_FIGURE_SOURCE
    ).first() or Baseline(
        indicator=actual.indicator, year=actual.year, source_ref=APPROVED_FIGURE_SOURCE
    )
    baseline.value, baseline.raw = actual.value, actual.raw
    entered_by = actual.entered_by.get_username() if actual.entered_by else ""
    baseline.source_text = actual.note or f"由{entered_by}填报,{user.get_username()}审核"
    mark_change(baseline, user=user, reason="审核通过基期年数值")
    baseline.save()
    return baseline


def baseline_withdrawn(*, user: AbstractUser, actual: Actual) -> None:
    """Remove the baseline an approval of this base-year figure wrote, when the figure is
    returned to the clerk."""
    for baseline in Baseline.objects.filter(
        indicator=actual.indicator, year=actual.year, source_ref=APPROVED_FIGURE_SOURCE
    ):
        mark_change(baseline, user=user, reason="基期年数值被退回")
        baseline.delete()
