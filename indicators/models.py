from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from qualityplan.runs import BackgroundRun

from . import attainment
from .values import reading


class Direction(models.TextChoices):
    HIGHER = "higher", _("越高越好")
    LOWER = "lower", _("越低越好")
    HOLD = "hold", _("保持")


class Measure(models.TextChoices):
    LEVEL = "level", _("水平值")
    CUMULATIVE = "cumulative", _("累计")
    NEW = "new", _("新增")
    PER_YEAR = "per_year", _("每年")


class Comparator(models.TextChoices):
    GTE = "gte", "≥"
    GT = "gt", ">"
    LTE = "lte", "≤"
    LT = "lt", "<"
    EQ = "eq", "="
    RANGE = "range", _("区间")
    QUALITATIVE = "qualitative", _("定性")


class Qualifier(models.TextChoices):
    """How a reported figure bounds the true value ("98以上" is at least 98)."""

    EXACT = "", _("精确值")
    GTE = "gte", _("以上")
    GT = "gt", _("超过")
    LTE = "lte", _("以下")
    LT = "lt", _("不到")


class Plan(models.Model):
    slug = models.SlugField(_("标识"), max_length=50, unique=True)
    title = models.CharField(_("规划名称"), max_length=200)
    region = models.ForeignKey(
        "regions.Region", verbose_name=_("区划"), on_delete=models.PROTECT, related_name="plans"
    )
    issuer = models.CharField(_("发布机关"), max_length=200, blank=True)
    issued_on = models.DateField(_("发布日期"), null=True, blank=True)
    period_start = models.PositiveSmallIntegerField(_("规划起始年"))
    period_end = models.PositiveSmallIntegerField(_("规划终止年"))
    seed_file = models.CharField(_("来源文件"), max_length=200, blank=True)
    notes = models.TextField(_("编码说明"), blank=True)
    is_synthetic = models.BooleanField(_("合成数据"), default=False)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("规划")
        verbose_name_plural = _("规划")
        ordering = ["region__code", "period_start", "slug"]
        constraints = [
            models.CheckConstraint(
                condition=Q(period_end__gte=models.F("period_start")),
                name="plan_period_ordered",
            )
        ]

    def __str__(self):
        return self.title

    @property
    def years(self):
        return range(self.period_start, self.period_end + 1)

    @property
    def results_pending(self):
        """Whether a recompute of this plan's results (or of every plan's) is waiting or
        under way: until it is done, its pages show the results from before the change."""
        return AttainmentRun.objects.filter(
            Q(plan=self) | Q(plan=None), state__in=AttainmentRun.PENDING
        ).exists()


class SourceConflict(models.Model):
    """Two statements of the source document that disagree, waiting for a person."""

    plan = models.ForeignKey(
        Plan, verbose_name=_("规划"), on_delete=models.CASCADE, related_name="conflicts"
    )
    key = models.SlugField(_("标识"), max_length=80)
    description = models.TextField(_("冲突说明"))
    resolution = models.TextField(_("处理意见"), blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("处理人"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    resolved_at = models.DateTimeField(_("处理时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("来源冲突")
        verbose_name_plural = _("来源冲突")
        ordering = ["plan", "key"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "key"], name="conflict_unique_key_per_plan")
        ]

    def __str__(self):
        return f"{self.plan.slug}: {self.description}"

    @property
    def is_resolved(self):
        return self.resolved_at is not None


class Indicator(models.Model):
    plan = models.ForeignKey(
        Plan, verbose_name=_("规划"), on_delete=models.CASCADE, related_name="indicators"
    )
    code = models.CharField(_("指标编码"), max_length=30)
    name = models.CharField(_("指标名称"), max_length=300)
    category = models.CharField(_("类别"), max_length=200, blank=True)
    unit = models.CharField(_("单位"), max_length=30, blank=True)
    direction = models.CharField(_("方向"), max_length=10, choices=Direction.choices)
    measure = models.CharField(_("统计口径"), max_length=12, choices=Measure.choices)
    department = models.ForeignKey(
        "regions.Department",
        verbose_name=_("责任单位"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="indicators",
    )
    source_ref = models.CharField(_("出处"), max_length=100)
    source_text = models.TextField(_("原文"))
    notes = models.TextField(_("编码说明"), blank=True)
    canonical = models.ForeignKey(
        "CanonicalIndicator",
        verbose_name=_("通用指标"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="members",
    )
    canonical_note = models.TextField(_("口径差异说明"), blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("指标")
        verbose_name_plural = _("指标")
        ordering = ["plan", "code"]
        permissions = [("assign_indicator", _("分配指标责任单位"))]
        constraints = [
            models.UniqueConstraint(fields=["plan", "code"], name="indicator_unique_code_per_plan")
        ]

    def __str__(self):
        return f"{self.code} {self.name}"

    @property
    def is_qualitative(self):
        """Judged by a person: every target is qualitative."""
        targets = self.targets.all()
        return bool(targets) and all(t.comparator == Comparator.QUALITATIVE for t in targets)


class SourcedStatement(models.Model):
    """What baselines and targets share: the year, the text as printed and where it stands."""

    indicator = models.ForeignKey(Indicator, verbose_name=_("指标"), on_delete=models.CASCADE)
    year = models.PositiveSmallIntegerField(_("年份"))
    raw = models.CharField(_("原文数值"), max_length=200, blank=True)
    source_ref = models.CharField(_("出处"), max_length=100)
    source_text = models.TextField(_("原文"))
    conflict = models.ForeignKey(
        SourceConflict,
        verbose_name=_("来源冲突"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
    )

    class Meta:
        abstract = True


class Baseline(SourcedStatement):
    value = models.DecimalField(_("基期值"), max_digits=20, decimal_places=6, null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("基期值")
        verbose_name_plural = _("基期值")
        ordering = ["indicator", "year", "pk"]
        default_related_name = "baselines"
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "year", "source_ref"], name="baseline_unique_per_source"
            )
        ]

    def __str__(self):
        return f"{self.year}: {self.raw}"


class Target(SourcedStatement):
    year_implied = models.BooleanField(_("年份为推定"), default=False)
    comparator = models.CharField(_("比较方式"), max_length=12, choices=Comparator.choices)
    value = models.DecimalField(_("目标值"), max_digits=20, decimal_places=6, null=True, blank=True)
    value_max = models.DecimalField(
        _("目标上限"), max_digits=20, decimal_places=6, null=True, blank=True
    )
    qualitative_text = models.TextField(_("定性目标"), blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("目标值")
        verbose_name_plural = _("目标值")
        ordering = ["indicator", "year", "pk"]
        default_related_name = "targets"
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "year", "source_ref"], name="target_unique_per_source"
            ),
            models.CheckConstraint(
                condition=Q(comparator="qualitative", value__isnull=True)
                | (~Q(comparator="qualitative") & Q(value__isnull=False)),
                name="target_value_matches_comparator",
            ),
            models.CheckConstraint(
                condition=Q(comparator="range", value_max__gte=models.F("value"))
                | (~Q(comparator="range") & Q(value_max__isnull=True)),
                name="target_range_has_ordered_bounds",
            ),
        ]

    def __str__(self):
        return f"{self.year}: {self.raw}"

    @property
    def is_qualitative(self):
        return self.comparator == Comparator.QUALITATIVE


class Actual(models.Model):
    """One region's reported figure for one indicator and year."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("草稿")
        SUBMITTED = "submitted", _("已提交")
        APPROVED = "approved", _("已审核")
        RETURNED = "returned", _("退回")

    class QualitativeStatus(models.TextChoices):
        ACHIEVED = "achieved", _("达标")
        IN_PROGRESS = "in_progress", _("推进中")
        NOT_ACHIEVED = "not_achieved", _("未达标")

    indicator = models.ForeignKey(
        Indicator, verbose_name=_("指标"), on_delete=models.CASCADE, related_name="actuals"
    )
    region = models.ForeignKey(
        "regions.Region", verbose_name=_("区划"), on_delete=models.PROTECT, related_name="actuals"
    )
    year = models.PositiveSmallIntegerField(_("年份"))
    value = models.DecimalField(_("实际值"), max_digits=20, decimal_places=6, null=True, blank=True)
    qualifier = models.CharField(
        _("限定"), max_length=3, choices=Qualifier.choices, default=Qualifier.EXACT, blank=True
    )
    raw = models.CharField(_("填报原文"), max_length=200, blank=True)
    qualitative_status = models.CharField(
        _("定性完成情况"), max_length=12, choices=QualitativeStatus.choices, blank=True
    )
    evidence = models.TextField(_("佐证材料"), blank=True)
    note = models.TextField(_("说明"), blank=True)
    # What the department knows behind the figure; asked for when it would leave the
    # indicator lagging or missed, shown to reviewers, leaders and auditors.
    explanation = models.TextField(_("情况说明"), max_length=2000, blank=True)
    next_steps = models.TextField(_("下一步措施"), max_length=2000, blank=True)
    status = models.CharField(
        _("状态"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    return_reason = models.TextField(_("退回原因"), blank=True)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("填报人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    suspicion = models.CharField(_("异常提示"), max_length=300, blank=True)
    is_sample = models.BooleanField(_("示例数据"), default=False)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("审核人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    reviewed_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    source_ref = models.CharField(_("出处"), max_length=100, blank=True)
    source_text = models.TextField(_("原文"), blank=True)
    # Optimistic locking: a save carries the version it was read at.
    version = models.PositiveIntegerField(_("版本"), default=1)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("实际值")
        verbose_name_plural = _("实际值")
        ordering = ["indicator", "region", "year"]
        permissions = [
            ("review_actual", _("审核实际值")),
            ("import_actual", _("导入实际值")),
            ("view_history", _("查看变更记录")),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "region", "year"], name="actual_unique_per_region_year"
            )
        ]

    def __str__(self):
        return f"{self.indicator.code} {self.year}: {self.raw}"

    @property
    def read_as(self):
        """The number the typed text was read as, where it differs from it: "35000" for
        "3.5万", "≥98" for "98以上"."""
        return reading(self.raw, self.value, self.qualifier)


class PlanYear(models.Model):
    """One reporting year of a plan: its submission deadline and whether it is locked."""

    plan = models.ForeignKey(
        Plan, verbose_name=_("规划"), on_delete=models.CASCADE, related_name="plan_years"
    )
    year = models.PositiveSmallIntegerField(_("年份"))
    due_date = models.DateField(_("填报截止日期"), null=True, blank=True)
    is_locked = models.BooleanField(_("已锁定"), default=False)
    locked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("锁定人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    locked_at = models.DateTimeField(_("锁定时间"), null=True, blank=True)
    unlock_reason = models.TextField(_("解锁原因"), blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("规划年度")
        verbose_name_plural = _("规划年度")
        ordering = ["plan", "year"]
        permissions = [
            ("lock_planyear", _("锁定年度")),
            ("unlock_planyear", _("解锁年度")),
        ]
        constraints = [models.UniqueConstraint(fields=["plan", "year"], name="plan_year_unique")]

    def __str__(self):
        return f"{self.plan.slug} {self.year}"


class CanonicalIndicator(models.Model):
    """The same measure across plans, to compare regions and check 上下衔接."""

    key = models.SlugField(_("标识"), max_length=80, unique=True)
    name = models.CharField(_("通用名称"), max_length=200)
    unit = models.CharField(_("单位"), max_length=30, blank=True)
    direction = models.CharField(_("方向"), max_length=10, choices=Direction.choices)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("通用指标")
        verbose_name_plural = _("通用指标")
        ordering = ["key"]

    def __str__(self):
        return self.name


# The statuses of the attainment engine, with their names translated where they are shown.
AttainmentStatus = models.TextChoices(
    "AttainmentStatus",
    [(status.name, (status.value, _(status.label))) for status in attainment.Status],
    module=__name__,
)


class AttainmentResult(models.Model):
    """One target judged for one region and year, with the numbers that decided it."""

    # plan and target need no index of their own: they lead the (plan, year, status) index
    # and the unique (target, region, year) constraint, and every index slows a recompute.
    plan = models.ForeignKey(
        Plan, verbose_name=_("规划"), on_delete=models.CASCADE, related_name="+", db_index=False
    )
    indicator = models.ForeignKey(
        Indicator,
        verbose_name=_("指标"),
        on_delete=models.CASCADE,
        related_name="attainment_results",
    )
    target = models.ForeignKey(
        Target,
        verbose_name=_("目标"),
        on_delete=models.CASCADE,
        related_name="attainment_results",
        db_index=False,
    )
    region = models.ForeignKey(
        "regions.Region", verbose_name=_("区划"), on_delete=models.CASCADE, related_name="+"
    )
    year = models.PositiveSmallIntegerField(_("评价年份"))
    status = models.CharField(_("完成状态"), max_length=20, choices=AttainmentStatus.choices)
    # The number of the DOMAIN.md §3 rule that decided the status (attainment.Result.rule):
    # 1-10, 0 for a qualitative target; empty for rows stored before it was recorded.
    rule = models.PositiveSmallIntegerField(_("判定规则"), null=True)
    met = models.BooleanField(_("是否达标"), null=True)
    actual = models.DecimalField(_("实际值"), max_digits=24, decimal_places=6, null=True)
    actual_qualifier = models.CharField(_("限定"), max_length=8, blank=True)
    actual_raw = models.CharField(_("填报原文"), max_length=200, blank=True)
    baseline_value = models.DecimalField(_("基期值"), max_digits=24, decimal_places=6, null=True)
    baseline_year = models.PositiveSmallIntegerField(_("基期年份"), null=True)
    completion = models.DecimalField(_("完成率"), max_digits=16, decimal_places=4, null=True)
    progress = models.DecimalField(_("目标进度"), max_digits=16, decimal_places=4, null=True)
    elapsed = models.DecimalField(_("序时进度"), max_digits=8, decimal_places=4, null=True)
    projected_value = models.DecimalField(_("预测值"), max_digits=24, decimal_places=4, null=True)
    projected_met = models.BooleanField(_("预测可达标"), null=True)
    note = models.TextField(_("判定依据"), blank=True)
    computed_at = models.DateTimeField(_("计算时间"))

    class Meta:
        verbose_name = _("目标完成情况")
        verbose_name_plural = _("目标完成情况")
        ordering = ["plan", "indicator", "target", "region", "year"]
        constraints = [
            models.UniqueConstraint(
                fields=["target", "region", "year"], name="attainment_unique_per_target_region_year"
            )
        ]
        indexes = [models.Index(fields=["plan", "year", "status"])]

    def __str__(self):
        return f"{self.indicator} {self.year}: {self.get_status_display()}"


class AttainmentRun(BackgroundRun):
    """A recompute of attainment, as the user sees it: what, when, how it went."""

    scope = models.CharField(_("范围"), max_length=200)
    plan = models.ForeignKey(
        Plan,
        verbose_name=_("规划"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
    )
    indicator_ids = models.JSONField(_("指标"), default=list, blank=True)
    results = models.PositiveIntegerField(_("结果条数"), default=0)

    # Waiting for a worker, under way, or waiting for the catch-up when the broker was down.
    PENDING = (
        BackgroundRun.State.QUEUED,
        BackgroundRun.State.RUNNING,
        BackgroundRun.State.NOT_QUEUED,
    )

    class Meta(BackgroundRun.Meta):
        verbose_name = _("完成情况计算")
        verbose_name_plural = _("完成情况计算")

    def __str__(self):
        return f"{self.scope} ({self.get_state_display()})"
