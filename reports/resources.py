"""Raw-table exports (XLSX, CSV) with Chinese column names, for auditors in the admin."""

from import_export import resources
from import_export.fields import Field

from indicators.models import Actual, Indicator, Plan, Target

from .safe_cells import safe_cell


class ChineseHeaders(resources.ModelResource):
    """Column headings are the fields' Chinese verbose names; every cell goes through
    `safe_cell`, the export formats being unable to mark a cell as text."""

    def export_resource(self, instance, selected_fields=None, **kwargs):
        return [safe_cell(v) for v in super().export_resource(instance, selected_fields, **kwargs)]

    def get_export_headers(self, selected_fields=None):
        model = self._meta.model
        headers = []
        for field in self.get_export_fields(selected_fields):
            try:
                headers.append(str(model._meta.get_field(field.attribute).verbose_name))
            except Exception:  # noqa: BLE001 - a related path keeps its own column name
                headers.append(field.column_name)
        return headers


class PlanExportResource(ChineseHeaders):
    region_code = Field(attribute="region__code", column_name="区划代码")

    class Meta:
        model = Plan
        fields = [
            "slug",
            "title",
            "region_code",
            "issuer",
            "issued_on",
            "period_start",
            "period_end",
            "seed_file",
            "notes",
        ]
        export_order = fields


class IndicatorExportResource(ChineseHeaders):
    plan_slug = Field(attribute="plan__slug", column_name="规划标识")
    department_name = Field(attribute="department__name", column_name="责任单位")

    class Meta:
        model = Indicator
        fields = [
            "plan_slug",
            "code",
            "name",
            "category",
            "unit",
            "direction",
            "measure",
            "department_name",
            "source_ref",
            "source_text",
            "notes",
        ]
        export_order = fields


class TargetExportResource(ChineseHeaders):
    plan_slug = Field(attribute="indicator__plan__slug", column_name="规划标识")
    indicator_code = Field(attribute="indicator__code", column_name="指标编码")
    indicator_name = Field(attribute="indicator__name", column_name="指标名称")
    conflict_text = Field(attribute="conflict__description", column_name="来源冲突")

    class Meta:
        model = Target
        fields = [
            "plan_slug",
            "indicator_code",
            "indicator_name",
            "year",
            "year_implied",
            "comparator",
            "value",
            "value_max",
            "qualitative_text",
            "raw",
            "source_ref",
            "source_text",
            "conflict_text",
        ]
        export_order = fields


class ActualExportResource(ChineseHeaders):
    plan_slug = Field(attribute="indicator__plan__slug", column_name="规划标识")
    indicator_code = Field(attribute="indicator__code", column_name="指标编码")
    indicator_name = Field(attribute="indicator__name", column_name="指标名称")
    region_code = Field(attribute="region__code", column_name="区划代码")
    entered_by_name = Field(attribute="entered_by__username", column_name="填报人")
    reviewed_by_name = Field(attribute="reviewed_by__username", column_name="审核人")

    class Meta:
        model = Actual
        fields = [
            "plan_slug",
            "indicator_code",
            "indicator_name",
            "region_code",
            "year",
            "value",
            "qualifier",
            "raw",
            "qualitative_status",
            "evidence",
            "note",
            "status",
            "return_reason",
            "suspicion",
            "is_sample",
            "entered_by_name",
            "reviewed_by_name",
            "reviewed_at",
            "updated_at",
        ]
        export_order = fields
