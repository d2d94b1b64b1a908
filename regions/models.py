from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class Region(models.Model):
    """An administrative region keyed by its GB/T 2260 code."""

    class Level(models.TextChoices):
        NATIONAL = "national", _("国家")
        PROVINCE = "province", _("省")
        CITY = "city", _("市")
        DISTRICT = "district", _("区县")

    code = models.CharField(_("区划代码"), max_length=12, unique=True)
    name = models.CharField(_("名称"), max_length=100)
    level = models.CharField(_("层级"), max_length=10, choices=Level.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("上级区划"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
    )
    is_synthetic = models.BooleanField(_("合成数据"), default=False)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("行政区划")
        verbose_name_plural = _("行政区划")
        ordering = ["code"]

    def __str__(self):
        return f"{self.name}({self.code})"

    def ancestors(self):
        """This region's parents, nearest first."""
        region, chain = self.parent, []
        while region is not None:
            chain.append(region)
            region = region.parent
        return chain

    def descendants(self):
        """This region and every region below it, as rows (one query a level)."""
        found, frontier = [self], [self.pk]
        while frontier:
            level = list(Region.objects.filter(parent_id__in=frontier))
            found.extend(level)
            frontier = [r.pk for r in level]
        return found

    def descendant_ids(self):
        """Ids of this region and every region below it."""
        return [r.pk for r in self.descendants()]


class Department(models.Model):
    """A responsible unit (责任单位) of one region's government."""

    name = models.CharField(_("名称"), max_length=100)
    region = models.ForeignKey(
        Region, verbose_name=_("所属区划"), on_delete=models.PROTECT, related_name="departments"
    )
    email = models.EmailField(_("联系邮箱"), blank=True)
    source_text = models.TextField(_("原文出处"), blank=True)
    is_sample = models.BooleanField(_("示例单位"), default=False)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("责任单位")
        verbose_name_plural = _("责任单位")
        ordering = ["region__code", "name"]
        constraints = [
            models.UniqueConstraint(fields=["region", "name"], name="department_unique_per_region")
        ]

    def __str__(self):
        return f"{self.region.name} {self.name}"
