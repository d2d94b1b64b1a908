"""Baselines (基期值) written from an upload: a row for a year before the plan period."""

from django.contrib.auth.models import AbstractUser

from ..changes import mark_change
from ..imports import ResolvedRow
from ..models import Baseline


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
