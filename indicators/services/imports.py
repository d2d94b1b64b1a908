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
    *, user: AbstractUser, dataset: Dataset, approve: bool = False, dry_run: bool = False
) -> Result:
    """Import the rows as `user`: submitted, or approved when a reviewer asks; a dry run
    checks every row and writes nothing. `resources.import_errors(result)` lists problems."""
    if approve and not user.has_perm("indicators.review_actual"):
        raise PermissionDenied(_("只有审核人员可以在导入时直接审核(--approve)。"))
    return ActualImportResource(approve=approve).import_data(
        dataset,
        dry_run=dry_run,
        use_transactions=True,
        rollback_on_validation_errors=True,
        user=user,
    )
