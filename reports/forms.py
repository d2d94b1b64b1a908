from django import forms
from django.utils.translation import gettext_lazy as _

from indicators.models import Plan


class ReportRequestForm(forms.Form):
    plans = forms.ModelMultipleChoiceField(
        queryset=Plan.objects.filter(is_synthetic=False).order_by("region__code", "slug"),
        label=_("规划(不选则为全部规划)"),
        required=False,
        to_field_name="slug",
        widget=forms.CheckboxSelectMultiple,
    )
    year = forms.IntegerField(
        label=_("评价年份(留空为最新数据年份)"), required=False, min_value=1949, max_value=2100
    )


class PlanReportForm(forms.Form):
    """The implementation report (规划实施情况报告) of one plan for a year."""

    plan = forms.ModelChoiceField(
        queryset=Plan.objects.filter(is_synthetic=False).order_by("region__code", "slug"),
        label=_("规划"),
        to_field_name="slug",
    )
    year = forms.IntegerField(
        label=_("评价年份(留空为最新数据年份)"), required=False, min_value=1949, max_value=2100
    )
