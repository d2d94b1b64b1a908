"""Background work recorded as a row the user can see: what was asked, when, how it went.

An attainment recompute (`indicators.AttainmentRun`) and an auditor's workbook
(`reports.ReportJob`) live the same life. Queued once the transaction that asked for it
commits (a worker must not look for a row that is not there yet); `not_queued` when the
broker cannot be reached, for a catch-up to do later; then running, done or failed. A run
running or queued past RUN_STUCK_AFTER_MINUTES is stuck: shown on /healthz/ and in the admin,
and done again by the catch-up.
"""

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

log = logging.getLogger(__name__)


class RunState(models.TextChoices):
    QUEUED = "queued", _("排队中")
    NOT_QUEUED = "not_queued", _("未能排队(待补做)")
    RUNNING = "running", _("进行中")
    DONE = "done", _("已完成")
    FAILED = "failed", _("失败")


class BackgroundRun(models.Model):
    State = RunState

    state = models.CharField(
        _("状态"), max_length=12, choices=RunState.choices, default=RunState.QUEUED
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    started_at = models.DateTimeField(_("开始时间"), null=True, blank=True)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    error = models.TextField(_("错误信息"), blank=True)

    class Meta:
        abstract = True
        ordering = ["-created_at"]

    def queue_on_commit(self, task):
        """Send `task(pk)` to the broker once the current transaction commits; when the
        broker cannot be reached the run is left `not_queued` for `catch_up`."""

        def send():
            try:
                task.delay(self.pk)
            except Exception:
                log.exception("Could not queue %s %s; left for catch-up", self._meta.label, self.pk)
                type(self).objects.filter(pk=self.pk, state=RunState.QUEUED).update(
                    state=RunState.NOT_QUEUED
                )

        transaction.on_commit(send)

    def start(self) -> bool:
        """Mark the run running; False (and nothing changed) when it is done already, as
        when a task is delivered twice."""
        if self.state == RunState.DONE:
            return False
        self._set(state=RunState.RUNNING, started_at=timezone.now(), error="")
        return True

    def finish(self, **results):
        """Mark the run done, with what it produced (`results`: fields of the run)."""
        self._set(state=RunState.DONE, finished_at=timezone.now(), **results)

    def fail(self, exc: BaseException):
        self._set(state=RunState.FAILED, finished_at=timezone.now(), error=repr(exc))

    def _set(self, **fields):
        # Only these fields: a run's progress is written by others while it runs.
        for name, value in fields.items():
            setattr(self, name, value)
        self.save(update_fields=list(fields))

    @classmethod
    def stuck_condition(cls, *, now: datetime | None = None) -> Q:
        """Runs running, or waiting in the queue, for longer than RUN_STUCK_AFTER_MINUTES
        (longer than any task may take): their worker died, or no worker takes work."""
        since = (now or timezone.now()) - timedelta(minutes=settings.RUN_STUCK_AFTER_MINUTES)
        return Q(state=RunState.RUNNING, started_at__lt=since) | Q(
            state=RunState.QUEUED, created_at__lt=since
        )

    @classmethod
    def stuck(cls) -> models.QuerySet:
        return cls.objects.filter(cls.stuck_condition())

    @classmethod
    def behind(cls) -> models.QuerySet:
        """Runs whose work is still to be done and that nothing is doing: not queued, or
        stuck."""
        return cls.objects.filter(Q(state=RunState.NOT_QUEUED) | cls.stuck_condition())

    @classmethod
    def catch_up(cls, execute) -> int:
        """Do here and now, with `execute(pk)`, every run that is behind, oldest first;
        returns how many."""
        pending = list(cls.behind().order_by("pk").values_list("pk", flat=True))
        for pk in pending:
            execute(pk)
        return len(pending)
