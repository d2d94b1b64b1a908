from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from indicators.plan_files import PlanFileError
from indicators.services.plans import load_plans


class Command(BaseCommand):
    help = (
        "Load the regions, every plan and the canonical catalogue in fixtures/ (all or "
        "nothing). Run again, it keeps what people changed in the admin and lists it; "
        "--reset --yes puts the files' values back over it."
    )

    def add_arguments(self, parser):
        parser.add_argument("--fixtures", default=str(settings.PLAN_FIXTURES_DIR))
        parser.add_argument(
            "--reset",
            action="store_true",
            help="restore the files' values over what people changed (lists it; needs --yes)",
        )
        parser.add_argument("--yes", action="store_true", help="confirm --reset")

    def handle(self, *args, fixtures, reset, yes, **options):
        try:
            report = load_plans(fixtures_dir=fixtures, reset=reset, dry_run=reset and not yes)
        except PlanFileError as exc:
            raise CommandError(f"{exc} (nothing was loaded)") from exc
        if reset and not yes:
            for line in report.overwritten:
                self.stdout.write(f"would overwrite: {line}")
            raise CommandError(
                f"--reset would overwrite {len(report.overwritten)} change(s) people made "
                "(listed above); run it again with --yes to do so. Nothing was changed."
            )
        for what, n in sorted(report.counts.items()):
            self.stdout.write(f"{what}: {n}")
        for line in report.kept:
            self.stdout.write(f"kept: {line}")
        for line in report.overwritten:
            self.stdout.write(f"overwrote: {line}")
        if not report.counts and not report.overwritten:
            if report.kept:
                self.stdout.write(
                    "Nothing else changed: the database matches the fixtures but for what "
                    "people changed (kept, listed above)."
                )
            else:
                self.stdout.write("Nothing changed: the database already matches the fixtures.")
