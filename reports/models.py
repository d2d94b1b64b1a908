from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ReportJob(models.Model):
    """An auditor's workbook generated in the background, kept for a set time."""

    class State(models.TextChoices):
        QUEUED = "queued", _("排队中")
        RUNNING = "running", _("生成中")
        DONE = "done", _("已完成")
        FAILED = "failed", _("失败")
        EXPIRED = "expired", _("已过期删除")

    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("申请人"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    plan_slugs = models.JSONField(_("规划"), default=list, blank=True)
    year = models.PositiveSmallIntegerField(_("评价年份"), null=True, blank=True)
    state = models.CharField(_("状态"), max_length=10, choices=State.choices, default=State.QUEUED)
    done_plans = models.PositiveIntegerField(_("已完成规划数"), default=0)
    total_plans = models.PositiveIntegerField(_("规划总数"), default=0)
    rows = models.PositiveIntegerField(_("指标行数"), default=0)
    file_name = models.CharField(_("文件"), max_length=200, blank=True)
    error = models.TextField(_("错误信息"), blank=True)
    created_at = models.DateTimeField(_("申请时间"), auto_now_add=True)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    expires_at = models.DateTimeField(_("过期时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("审计报表")
        verbose_name_plural = _("审计报表")
        ordering = ["-created_at"]
        permissions = [("export_report", _("导出审计报表"))]

    def __str__(self):
        return f"#{self.pk} {self.get_state_display()}"

    @property
    def percent(self):
        return int(100 * self.done_plans / self.total_plans) if self.total_plans else 0
