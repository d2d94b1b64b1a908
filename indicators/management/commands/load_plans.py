from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from indicators.plan_files import PlanFileError
from indicators.services.plans import load_plans
from indicators.services.runs import attainment_run_queue


class Command(BaseCommand):
    help = "Load the regions and every plan in fixtures/ (all or nothing; safe to run again)."

    def add_arguments(self, parser):
        parser.add_argument("--fixtures", default=str(settings.PLAN_FIXTURES_DIR))

    def handle(self, *args, fixtures, **options):
        try:
            counts = load_plans(fixtures_dir=fixtures)
        except PlanFileError as exc:
            raise CommandError(f"{exc} (nothing was loaded)") from exc
        if not counts:
            self.stdout.write("Nothing changed: the database already matches the fixtures.")
            return
        for what, n in sorted(counts.items()):
            self.stdout.write(f"{what}: {n}")
        attainment_run_queue(scope="load_plans")
