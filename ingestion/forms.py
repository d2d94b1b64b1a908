from decimal import Decimal
from pathlib import PurePath
from uuid import uuid4

from django import forms
from django.contrib.admin.helpers import ActionForm
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from indicators.models import Plan
from indicators.values import plain_decimal

from . import documents
from .models import PlanDocument, TargetProposal
from .quotes import locate


class PlainDecimalField(forms.DecimalField):
    """Shows 96 rather than 96.000000 in an input."""

    def prepare_value(self, value):
        if isinstance(value, Decimal):
            return plain_decimal(value)
        return value


class UploadForm(forms.ModelForm):
    """Upload a plan document: it is read here, so a refused file is never stored."""

    period_start = forms.IntegerField(
        label=_("规划起始年"), min_value=1949, max_value=2100, required=False
    )
    period_end = forms.IntegerField(
        label=_("规划终止年"), min_value=1949, max_value=2100, required=False
    )

    class Meta:
        model = PlanDocument
        fields = ["file", "region", "title", "period_start", "period_end"]
        help_texts = {
            "file": _("纯文本(UTF-8 或 GB18030)、Word(.docx)或带文字层的 PDF,不超过 %(mb)d MB。")
            % {"mb": documents.MAX_BYTES // 1048576},
            "title": _("留空则取文件第一行。"),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["title"].required = False
        self.fields["period_start"].help_text = _("留空则按标题推断(如“十四五”即 2021—2025)。")
        self.document = None

    def clean_file(self):
        upload = self.cleaned_data["file"]
        try:
            documents.kind_of(upload.name)
            documents.check_size(upload.size)
            upload.seek(0)
            self.document = documents.read_document(upload.name, upload.read())
        except documents.DocumentError as exc:
            raise ValidationError(str(exc)) from exc
        upload.seek(0)
        self.original_name = PurePath(upload.name).name
        upload.name = f"{uuid4().hex}{PurePath(upload.name).suffix.lower()}"
        return upload

    def clean(self):
        data = super().clean()
        if self.document is None:
            return data
        start, end = data.get("period_start"), data.get("period_end")
        if start is None or end is None:
            guessed = documents.guess_period(self.document.text)
            if guessed is None:
                raise ValidationError(_("无法从文件标题推断规划期,请填写规划起始年和终止年。"))
            start, end = start or guessed[0], end or guessed[1]
        if start > end:
            raise ValidationError(_("规划起始年不能晚于终止年。"))
        data["period_start"], data["period_end"] = start, end
        if not data.get("title"):
            first = next(ln.strip() for ln in self.document.text.split("\n") if ln.strip())
            data["title"] = first[: PlanDocument._meta.get_field("title").max_length]
        return data

    def save(self, commit=True):
        document = super().save(commit=False)
        document.original_name = self.original_name
        document.kind = self.document.kind
        document.text = self.document.text
        document.period_start = self.cleaned_data["period_start"]
        document.period_end = self.cleaned_data["period_end"]
        document.title = self.cleaned_data["title"]
        if commit:
            document.save()
        return document


class ProposalAddForm(forms.ModelForm):
    """A target the extractor missed, added by hand: its quote must stand in the document."""

    class Meta:
        model = TargetProposal
        fields = [
            "document",
            "name",
            "category",
            "unit",
            "comparator",
            "measure",
            "direction",
            "target_year",
            "year_implied",
            "target_value",
            "target_value_max",
            "qualitative_text",
            "baseline_year",
            "baseline_value",
            "source",
            "raw",
            "quote",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["document"].queryset = PlanDocument.objects.exclude(
            state=PlanDocument.State.PUBLISHED
        )
        self.fields["quote"].help_text = _("从规划文件中复制的原句或表格行,用于追溯。")

    def clean(self):
        data = super().clean()
        document, quote = data.get("document"), data.get("quote")
        if document and quote:
            position = locate(document.text, quote)
            if position is None:
                self.add_error("quote", _("规划文件中找不到这段原文。"))
            else:
                self.instance.position = position
        return data


class ProposalChangelistForm(forms.ModelForm):
    """A row of the editable proposal list: only a row the reviewer changed is validated."""

    def _post_clean(self):
        if self.has_changed():
            super()._post_clean()


class DecisionActionForm(ActionForm):
    note = forms.CharField(label=_("说明(可选,记入变更记录)"), required=False, max_length=80)


class PublishForm(forms.Form):
    slug = forms.SlugField(
        label=_("规划标识"),
        max_length=50,
        help_text=_("英文字母、数字和连字符,如 quzhou-14;发布后用于导出和链接。"),
    )
    issuer = forms.CharField(label=_("发布机关"), max_length=200, required=False)
    issued_on = forms.DateField(
        label=_("发布日期"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def clean_slug(self):
        slug = self.cleaned_data["slug"]
        if Plan.objects.filter(slug=slug).exists():
            raise ValidationError(_("该标识已被其他规划使用。"))
        return slug
