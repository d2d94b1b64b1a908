from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from import_export.formats.base_formats import CSV, XLSX

from indicators.imports import UploadError, check_upload
from indicators.resources import import_errors
from indicators.services.imports import actuals_import

FORMATS = {".csv": CSV, ".xlsx": XLSX}


def read_dataset(path):
    """A tablib Dataset from an XLSX or CSV file; CommandError for anything else."""
    path = Path(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise CommandError(f"{path}: 无法读取文件({exc})。") from exc
    try:
        check_upload(
            path.name, raw, max_bytes=settings.IMPORT_MAX_BYTES, max_rows=settings.IMPORT_MAX_ROWS
        )
    except UploadError as exc:
        raise CommandError(f"{path.name}: {exc}") from exc
    fmt = FORMATS[path.suffix.lower()]
    try:
        data = raw if fmt().is_binary() else raw.decode("utf-8-sig")
        return fmt().create_dataset(data)
    except Exception as exc:
        raise CommandError(
            f"{path.name}: 文件无法解析,请确认是有效的 XLSX 或 CSV({exc})。"
        ) from exc


class Command(BaseCommand):
    help = (
        "Import yearly actuals from XLSX or CSV (columns plan, indicator, region, year, value, "
        "note; the indicator by code or exact name). A year before the plan period is stored "
        "as the indicator's baseline (基期值). All rows or none; exits non-zero listing every "
        "error with its row."
    )

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--user", required=True, help="the user the figures are entered as")
        parser.add_argument(
            "--approve",
            action="store_true",
            help="mark the rows 已审核 (needs a reviewer's rights)",
        )
        parser.add_argument("--dry-run", action="store_true", help="check only, write nothing")

    def handle(self, *args, file, user, approve, dry_run, **options):
        account = get_user_model().objects.filter(username=user, is_active=True).first()
        if account is None:
            raise CommandError(f"No active user {user!r}.")
        if not account.has_perm("indicators.import_actual") and not account.has_perm(
            "indicators.review_actual"
        ):
            raise CommandError(f"User {user!r} may not import actuals.")
        if approve and not account.has_perm("indicators.review_actual"):
            raise CommandError(f"--approve needs a reviewer; {user!r} is not one.")
        dataset = read_dataset(file)
        result = actuals_import(user=account, dataset=dataset, approve=approve, dry_run=dry_run)
        problems = import_errors(result)
        if problems:
            for row, column, message in problems:
                where = f"第{row}行" if row else "文件"
                self.stderr.write(f"{where}{f' [{column}]' if column else ''}: {message}")
            raise CommandError(f"{len(problems)} error(s); nothing was imported.")
        totals = result.totals
        verb = "Would import" if dry_run else "Imported"
        baselines = (
            f", {totals['baseline']} stored as baselines (基期值)" if totals["baseline"] else ""
        )
        self.stdout.write(
            f"{verb} {len(dataset)} row(s): {totals['new']} new, {totals['update']} updated"
            f"{', approved' if approve else ''}{baselines}."
        )
