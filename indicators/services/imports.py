"""A spreadsheet of actual figures written at once: all rows or none.

The admin's upload page drives the same resource through django-import-export (preview,
then confirm); each row it stores goes through `actuals.actual_import_row`.
"""

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _
from import_export.results import Result, RowResult
from tablib import Dataset

from ..resources import ActualImportResource
from .actuals import actual_approve

STORED = (RowResult.IMPORT_TYPE_NEW, RowResult.IMPORT_TYPE_UPDATE)


def actuals_import(
    *,
    user: AbstractUser,
    dataset: Dataset,
    approve_by: AbstractUser | None = None,
    dry_run: bool = False,
) -> Result:
    """Import the rows as entered by `user`, submitted for review; a dry run checks every row
    and writes nothing. `approve_by`, a reviewer other than the one who entered them, then
    approves the figures stored, in the same transaction. `result.problems()` lists problems.
    """
    if approve_by is not None:
        if not approve_by.has_perm("indicators.review_actual"):
            raise PermissionDenied(_("只有审核人员可以审核导入的数值。"))
        if approve_by.pk == user.pk:
            raise PermissionDenied(_("导入的数值须由填报人以外的审核人员审核。"))
    with transaction.atomic():
        result = ActualImportResource().import_data(
            dataset,
            dry_run=dry_run,
            use_transactions=True,
            rollback_on_validation_errors=True,
            user=user,
        )
        failed = result.has_errors() or result.has_validation_errors()
        if approve_by is not None and not dry_run and not failed:
            stored = [row.instance for row in result.rows if row.import_type in STORED]
            actual_approve(user=approve_by, actuals=stored)
    return result
