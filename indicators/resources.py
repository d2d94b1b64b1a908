"""django-import-export resources: the actuals upload (admin and command share it)."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from import_export import resources
from import_export.fields import Field
from import_export.results import Result, RowResult

from .imports import COLUMN_LABELS, COLUMNS, canonical_header, resolve_row
from .models import Actual
from .services.actuals import actual_import_row
from .services.baselines import baseline_import_row
from .services.runs import results_touched

# The kind of row an upload stored as a baseline (基期值), counted apart from the actuals.
BASELINE = "baseline"


class ImportResult(Result):
    """An upload's result, with the rows stored as baselines counted (totals["baseline"])."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.totals[BASELINE] = 0


class ActualImportResource(resources.ModelResource):
    """Rows of `plan, indicator, region, year, value, note`; all rows or none are written.
    A row for a year before the plan period is the indicator's baseline (基期值)."""

    plan = Field(attribute="indicator__plan__slug", column_name="plan", readonly=True)
    indicator = Field(attribute="indicator__code", column_name="indicator", readonly=True)
    region = Field(attribute="region__code", column_name="region", readonly=True)
    year = Field(attribute="year", column_name="year", readonly=True)
    value = Field(attribute="raw", column_name="value", readonly=True)
    note = Field(attribute="note", column_name="note", readonly=True)
    status = Field(attribute="status", column_name="status", readonly=True)

    class Meta:
        model = Actual
        fields = [*COLUMNS, "status"]
        import_id_fields = []
        use_transactions = True
        clean_model_instances = False
        store_instance = True

    def __init__(self, approve=False, **kwargs):
        super().__init__(**kwargs)
        self.approve = approve

    def get_user_visible_fields(self):
        return [f for f in super().get_user_visible_fields() if f.column_name != "status"]

    def before_import(self, dataset, **kwargs):
        if len(dataset) > settings.IMPORT_MAX_ROWS:
            raise ValueError(
                _("行数(%(n)d)超过上限 %(max)d 行,请分批上传。")
                % {"n": len(dataset), "max": settings.IMPORT_MAX_ROWS}
            )
        dataset.headers = [canonical_header(h) for h in dataset.headers]
        missing = [c for c in ("plan", "indicator", "year", "value") if c not in dataset.headers]
        if missing:
            separator = pgettext("list separator", "、")
            names = separator.join(f"{c}({COLUMN_LABELS[c]})" for c in missing)
            raise ValueError(_("表格缺少必需的列:%(names)s。") % {"names": names})
        self.user, self._seen, self._resolved = kwargs["user"], {}, None

    def before_import_row(self, row, **kwargs):
        row["_row_number"] = kwargs.get("row_number")
        self._resolved = resolve_row(self.user, row, approve=self.approve, seen=self._seen)

    def get_or_init_instance(self, instance_loader, row):
        r = self._resolved
        if r.existing is not None:
            return r.existing, False
        return Actual(indicator=r.indicator, region=r.region, year=r.year), True

    def skip_row(self, instance, original, row, import_validation_errors=None):
        return self._resolved.skip and not import_validation_errors

    def import_instance(self, instance, row, **kwargs):
        r = self._resolved
        if r.errors:
            raise ValidationError({column: messages for column, messages in r.errors.items()})

    @classmethod
    def get_result_class(cls):
        return ImportResult

    def do_instance_save(self, instance, is_create):
        if self._resolved.baseline is not None:
            baseline_import_row(user=self.user, row=self._resolved)
        else:
            actual_import_row(
                user=self.user, actual=instance, row=self._resolved, approve=self.approve
            )

    def after_import_row(self, row, row_result, **kwargs):
        if self._resolved.baseline is not None and row_result.import_type in (
            RowResult.IMPORT_TYPE_NEW,
            RowResult.IMPORT_TYPE_UPDATE,
        ):
            row_result.import_type = BASELINE

    def after_import(self, dataset, result, **kwargs):
        """Recompute the indicators of the baselines stored and, imported with approval, of
        the figures approved."""
        if kwargs.get("dry_run") or result.has_errors() or result.has_validation_errors():
            return
        touched = {
            row.instance.indicator_id
            for row in result.rows
            if getattr(row, "instance", None) is not None
            and (self.approve or row.import_type == BASELINE)
        }
        if touched:
            results_touched(
                indicator_ids=touched, scope="导入并审核" if self.approve else "导入基期值"
            )


def import_errors(result):
    """Every problem of an import result as (row number, column, message), row order."""
    problems = [(None, "", str(e.error)) for e in result.base_errors]
    for row_number, errors in result.row_errors():
        problems += [(row_number, "", str(e.error)) for e in errors]
    for invalid in result.invalid_rows:
        for column, messages in invalid.error_dict.items():
            problems += [(invalid.number, column, m) for m in messages]
    return sorted(problems, key=lambda p: (p[0] or 0, p[1]))
