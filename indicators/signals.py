"""Signals other apps listen to."""

from django.dispatch import Signal

# Sent after stored attainment results changed; `plan_ids` lists the plans touched
# (None: possibly all of them).
attainment_recomputed = Signal()
