from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from indicators.models import Plan
from reports.builder import build_report
from reports.services import reports_catch_up


def command_user(username):
    """Whose view of the data a command exports: the user named, or an administrator."""
    users = get_user_model()
    if username:
        account = users.objects.filter(username=username, is_active=True).first()
        if account is None:
            raise CommandError(f"No active user {username!r}.")
        return account
    account = users.objects.filter(is_superuser=True, is_active=True).first()
    if account is None:
        raise CommandError("No administrator exists; pass --user.")
    return account


class Command(BaseCommand):
    help = (
        "Write the auditor's workbook (汇总, one sheet per plan, 变更记录, 说明) to an XLSX file, "
        "or (--catch-up) generate the workbooks auditors requested while the broker was down."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--plan",
            action="append",
            dest="plans",
            metavar="SLUG",
            help="a plan slug; repeat for several (default: all plans)",
        )
        parser.add_argument("--year", type=int, help="evaluation year (default: latest data)")
        parser.add_argument("--out", help="the .xlsx file to write")
        parser.add_argument("--user", help="whose view of the data (default: an administrator)")
        parser.add_argument(
            "--with-load-detail",
            action="store_true",
            help="list the rows each plan load wrote in the change log, not one line per load",
        )
        parser.add_argument(
            "--catch-up",
            action="store_true",
            help="generate, in this process, the requested workbooks that could not be queued",
        )

    def handle(self, *args, plans, year, out, user, with_load_detail, catch_up, **options):
        if catch_up:
            self.stdout.write(f"Caught up {reports_catch_up()} report(s).")
            return
        if not out:
            raise CommandError("--out is required (or --catch-up).")
        account = command_user(user)
        if not out.lower().endswith(".xlsx"):
            raise CommandError("--out must name an .xlsx file.")
        unknown = sorted(set(plans or []) - set(Plan.objects.values_list("slug", flat=True)))
        if unknown:
            raise CommandError(f"No plan with slug {', '.join(unknown)}.")
        Path(out).parent.mkdir(parents=True, exist_ok=True)
        rows = build_report(
            out, user=account, plan_slugs=plans, year=year, with_load_detail=with_load_detail
        )
        self.stdout.write(f"Wrote {rows} indicator row(s) to {out}.")
