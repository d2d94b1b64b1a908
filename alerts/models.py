from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from indicators.models import AttainmentStatus


class EarlyWarning(models.Model):
    """One person told that an indicator turned to 滞后, 严重滞后, 逆向 or 未达标 for a region
    and year: listed until they open it, and mailed in that day's digest."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("接收人"),
        on_delete=models.CASCADE,
        related_name="early_warnings",
    )
    indicator = models.ForeignKey(
        "indicators.Indicator", verbose_name=_("指标"), on_delete=models.CASCADE, related_name="+"
    )
    region = models.ForeignKey(
        "regions.Region", verbose_name=_("区划"), on_delete=models.CASCADE, related_name="+"
    )
    year = models.PositiveSmallIntegerField(_("评价年份"))
    # Blank when the earlier status was one outside the warnings, not recorded by a full run.
    old_status = models.CharField(
        _("原状态"), max_length=20, choices=AttainmentStatus.choices, blank=True
    )
    new_status = models.CharField(_("新状态"), max_length=20, choices=AttainmentStatus.choices)
    created_at = models.DateTimeField(_("预警时间"), auto_now_add=True)
    read_at = models.DateTimeField(_("查看时间"), null=True, blank=True)
    mailed_at = models.DateTimeField(_("邮件发送时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("预警")
        verbose_name_plural = _("预警")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["recipient", "read_at"], name="warning_unread"),
            models.Index(fields=["recipient", "mailed_at"], name="warning_unmailed"),
        ]

    def __str__(self):
        return f"{self.recipient} · {self.indicator} {self.year}: {self.get_new_status_display()}"
