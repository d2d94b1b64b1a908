import logging
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError
from import_export.formats.base_formats import CSV, XLSX

from indicators.imports import UNREADABLE, UploadError, check_upload, upload_limits
from indicators.resources import import_errors
from indicators.services.imports import actuals_import

FORMATS = {".csv": CSV, ".xlsx": XLSX}
log = logging.getLogger(__name__)


def read_dataset(path):
    """A tablib Dataset from an XLSX or CSV file; CommandError for anything else."""
    path = Path(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise CommandError(f"{path}: 无法读取文件({exc})。") from exc
    try:
        check_upload(path.name, raw, **upload_limits())
    except UploadError as exc:
        raise CommandError(f"{path.name}: {exc}") from exc
    fmt = FORMATS[path.suffix.lower()]
    try:
        data = raw if fmt().is_binary() else raw.decode("utf-8-sig")
        return fmt().create_dataset(data)
    except Exception as exc:
        log.warning("%s could not be parsed", path, exc_info=exc)
        raise CommandError(f"{path.name}: {UNREADABLE}") from exc


def active_user(username):
    account = get_user_model().objects.filter(username=username, is_active=True).first()
    if account is None:
        raise CommandError(f"No active user {username!r}.")
    return account


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
            help=(
                "mark the rows 已审核 (--user must be a reviewer): only for figures someone "
                "else entered, named with --entered-by"
            ),
        )
        parser.add_argument(
            "--entered-by",
            metavar="USERNAME",
            help="with --approve: the clerk who gave in the figures, recorded as 填报人",
        )
        parser.add_argument("--dry-run", action="store_true", help="check only, write nothing")

    def handle(self, *args, file, user, approve, entered_by, dry_run, **options):
        account = active_user(user)
        if not account.has_perm("indicators.import_actual") and not account.has_perm(
            "indicators.review_actual"
        ):
            raise CommandError(f"User {user!r} may not import actuals.")
        if approve and not account.has_perm("indicators.review_actual"):
            raise CommandError(f"--approve needs a reviewer; {user!r} is not one.")
        if approve and (entered_by is None or entered_by == user):
            raise CommandError(
                "--approve needs --entered-by USERNAME, the clerk who gave in the figures "
                "(not the reviewer): nobody approves figures they entered."
            )
        if entered_by is not None and not approve:
            raise CommandError("--entered-by goes with --approve only.")
        uploader = active_user(entered_by) if entered_by else None
        dataset = read_dataset(file)
        try:
            result = actuals_import(
                user=account, dataset=dataset, approve=approve, entered_by=uploader, dry_run=dry_run
            )
        except PermissionDenied as exc:
            raise CommandError(str(exc)) from exc
        problems = import_errors(result)
        if problems:
            for problem in problems:
                self.stderr.write(str(problem))
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
