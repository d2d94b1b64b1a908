"""A spreadsheet of actual figures written at once: all rows or none.

The admin's upload page drives the same resource through django-import-export (preview,
then confirm); each row it stores goes through `actuals.actual_import_row`.
"""

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _
from import_export.results import Result
from tablib import Dataset

from ..resources import ActualImportResource


def actuals_import(
    *,
    user: AbstractUser,
    dataset: Dataset,
    approve: bool = False,
    entered_by: AbstractUser | None = None,
    dry_run: bool = False,
) -> Result:
    """Import the rows as `user`: submitted; or, when a reviewer imports figures that
    `entered_by` (someone else, who may enter them) gave in, recorded as entered by them and
    approved by the reviewer. A dry run checks every row and writes nothing.
    `resources.import_errors(result)` lists problems."""
    if approve:
        if not user.has_perm("indicators.review_actual"):
            raise PermissionDenied(_("只有审核人员可以在导入时直接审核(--approve)。"))
        if entered_by is None or entered_by.pk == user.pk:
            raise PermissionDenied(
                _("审核人员不能审核自己填报的数值:导入并审核时须指明填报人(不能是本人)。")
            )
    if entered_by is not None:
        if not approve:
            raise PermissionDenied(_("只有导入并审核时才能指明填报人。"))
        if not entered_by.is_active or not entered_by.has_perm("indicators.import_actual"):
            raise PermissionDenied(
                _("“%(user)s”不能填报数据,不能作为填报人。") % {"user": entered_by.username}
            )
    return ActualImportResource(approve=approve, entered_by=entered_by).import_data(
        dataset,
        dry_run=dry_run,
        use_transactions=True,
        rollback_on_validation_errors=True,
        user=user,
    )
