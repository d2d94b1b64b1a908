from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from qualityplan.runs import BackgroundRun, RunState


class ReportJob(BackgroundRun):
    """A document generated in the background, kept for a set time: the auditor's workbook of
    some plans, or the implementation report of one plan for a year."""

    EXPIRED = "expired"  # done, and its file deleted once kept for REPORTS_KEEP_HOURS

    class Kind(models.TextChoices):
        WORKBOOK = "workbook", _("审计报表(Excel)")
        PLAN_REPORT = "plan_report", _("规划实施情况报告(Word)")

    kind = models.CharField(_("类型"), max_length=12, choices=Kind.choices, default=Kind.WORKBOOK)
    language = models.CharField(_("语言"), max_length=10, blank=True)

    state = models.CharField(
        _("状态"),
        max_length=12,
        choices=[*RunState.choices, (EXPIRED, _("已过期删除"))],
        default=RunState.QUEUED,
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("申请人"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    plan_slugs = models.JSONField(_("规划"), default=list, blank=True)
    year = models.PositiveSmallIntegerField(_("评价年份"), null=True, blank=True)
    done_plans = models.PositiveIntegerField(_("已完成规划数"), default=0)
    total_plans = models.PositiveIntegerField(_("规划总数"), default=0)
    rows = models.PositiveIntegerField(_("指标行数"), default=0)
    file_name = models.CharField(_("文件"), max_length=200, blank=True)
    expires_at = models.DateTimeField(_("过期时间"), null=True, blank=True)

    class Meta(BackgroundRun.Meta):
        verbose_name = _("审计报表")
        verbose_name_plural = _("审计报表")
        permissions = [("export_report", _("导出审计报表"))]

    def __str__(self):
        return f"#{self.pk} {self.get_state_display()}"

    @property
    def extension(self):
        return ".docx" if self.kind == self.Kind.PLAN_REPORT else ".xlsx"

    @property
    def percent(self):
        return int(100 * self.done_plans / self.total_plans) if self.total_plans else 0
