"""A plan document sent for ingestion, and the targets read from it awaiting review."""

from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.storage import FileSystemStorage
from django.db import models
from django.db.models import Q
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from indicators.models import Comparator, Direction, Measure


class DocumentStorage(FileSystemStorage):
    """Uploaded plan documents: MEDIA_ROOT/plan_documents, or media/ beside the project."""

    @cached_property
    def base_location(self):
        root = settings.MEDIA_ROOT or Path(settings.BASE_DIR) / "media"
        return str(Path(root) / "plan_documents")


def document_storage():
    return DocumentStorage()


class PlanDocument(models.Model):
    class Kind(models.TextChoices):
        TXT = "txt", _("纯文本")
        DOCX = "docx", _("Word 文档")
        PDF = "pdf", _("PDF")

    class State(models.TextChoices):
        DRAFT = "draft", _("待审核")
        REVIEWING = "reviewing", _("审核中")
        PUBLISHED = "published", _("已发布")

    file = models.FileField(_("文件"), upload_to="%Y/%m/", storage=document_storage, max_length=255)
    original_name = models.CharField(_("原文件名"), max_length=255)
    kind = models.CharField(_("文件类型"), max_length=4, choices=Kind.choices)
    text = models.TextField(_("识别文本"))
    region = models.ForeignKey(
        "regions.Region", verbose_name=_("区划"), on_delete=models.PROTECT, related_name="+"
    )
    title = models.CharField(_("规划名称"), max_length=200)
    period_start = models.PositiveSmallIntegerField(_("规划起始年"))
    period_end = models.PositiveSmallIntegerField(_("规划终止年"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("上传人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    uploaded_at = models.DateTimeField(_("上传时间"), auto_now_add=True)
    state = models.CharField(_("状态"), max_length=10, choices=State.choices, default=State.DRAFT)
    published_plan = models.ForeignKey(
        "indicators.Plan",
        verbose_name=_("发布的规划"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("规划文件")
        verbose_name_plural = _("规划文件")
        ordering = ["-uploaded_at", "-pk"]
        permissions = [("publish_plandocument", _("将识别结果发布为规划"))]
        constraints = [
            models.CheckConstraint(
                condition=Q(period_end__gte=models.F("period_start")),
                name="plandocument_period_ordered",
            )
        ]

    def __str__(self):
        return self.title or self.original_name

    @property
    def is_published(self):
        return self.state == self.State.PUBLISHED


class TargetProposal(models.Model):
    """One target the extractor read from a document (ingestion.extract.Proposal)."""

    class Decision(models.TextChoices):
        PENDING = "pending", _("待审核")
        ACCEPTED = "accepted", _("已接受")
        REJECTED = "rejected", _("已驳回")

    document = models.ForeignKey(
        PlanDocument, verbose_name=_("规划文件"), on_delete=models.CASCADE, related_name="proposals"
    )
    name = models.CharField(_("指标名称"), max_length=300)
    category = models.CharField(_("类别"), max_length=200, blank=True)
    unit = models.CharField(_("单位"), max_length=30, blank=True)
    comparator = models.CharField(_("比较方式"), max_length=12, choices=Comparator.choices)
    measure = models.CharField(_("统计口径"), max_length=12, choices=Measure.choices)
    direction = models.CharField(_("方向"), max_length=10, choices=Direction.choices)
    target_year = models.PositiveSmallIntegerField(_("目标年份"))
    year_implied = models.BooleanField(_("年份为推定"), default=False)
    target_value = models.DecimalField(
        _("目标值"), max_digits=20, decimal_places=6, null=True, blank=True
    )
    target_value_max = models.DecimalField(
        _("目标上限"), max_digits=20, decimal_places=6, null=True, blank=True
    )
    qualitative_text = models.TextField(_("定性目标"), blank=True)
    baseline_year = models.PositiveSmallIntegerField(_("基期年份"), null=True, blank=True)
    baseline_value = models.DecimalField(
        _("基期值"), max_digits=20, decimal_places=6, null=True, blank=True
    )
    source = models.CharField(_("出处"), max_length=100, blank=True)
    raw = models.CharField(_("原文数值"), max_length=200, blank=True)
    quote = models.TextField(_("原文"))
    position = models.PositiveIntegerField(_("原文位置"), default=0)
    confidence = models.FloatField(_("置信度"), default=1.0)
    decision = models.CharField(
        _("审核结论"), max_length=10, choices=Decision.choices, default=Decision.PENDING
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("审核人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("识别目标")
        verbose_name_plural = _("识别目标")
        ordering = ["document", "position", "pk"]

    def __str__(self):
        return f"{self.name} {self.target_year}: {self.raw}"

    def problems(self) -> list[str]:
        """What keeps this proposal from becoming a target (Chinese, empty when none)."""
        out = []
        if not self.name.strip():
            out.append(_("指标名称为空。"))
        if self.comparator == Comparator.QUALITATIVE:
            if self.target_value is not None or self.target_value_max is not None:
                out.append(_("定性目标不填写目标值和目标上限。"))
            if not (self.qualitative_text or self.raw).strip():
                out.append(_("定性目标需要写明目标内容。"))
        elif self.target_value is None:
            out.append(_("缺少目标值。"))
        elif self.comparator == Comparator.RANGE:
            if self.target_value_max is None or self.target_value_max < self.target_value:
                out.append(_("区间目标需要不小于目标值的目标上限。"))
        elif self.target_value_max is not None:
            out.append(_("只有区间目标才填写目标上限。"))
        if self.baseline_value is not None and self.baseline_year is None:
            out.append(_("填写了基期值,但没有基期年份。"))
        return [str(m) for m in out]

    def clean(self):
        if self.document_id and self.document.is_published:
            raise ValidationError(_("该规划文件已发布,识别结果不能再修改。"))
        if self.decision != self.Decision.REJECTED:
            problems = self.problems()
            if problems:
                raise ValidationError(problems)
