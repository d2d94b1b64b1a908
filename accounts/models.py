from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Profile(models.Model):
    """Which department a user works for; a user belongs to one department."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("用户"),
        on_delete=models.CASCADE,
        related_name="profile",
    )
    department = models.ForeignKey(
        "regions.Department",
        verbose_name=_("所属单位"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="members",
    )
    is_sample = models.BooleanField(_("示例用户"), default=False)

    class Meta:
        verbose_name = _("用户单位")
        verbose_name_plural = _("用户单位")

    def __str__(self):
        return f"{self.user} · {self.department or '-'}"
