from django.core.management.base import BaseCommand, CommandError

from indicators.models import Plan
from indicators.services.runs import attainment_run_now, attainment_runs_catch_up


class Command(BaseCommand):
    help = (
        "Recompute attainment now, in this process: every plan, one plan (--plan), or only "
        "the runs still behind (--catch-up): those that could not be queued while the broker "
        "was down, and those stuck running or queued past RUN_STUCK_AFTER_MINUTES."
    )

    def add_arguments(self, parser):
        parser.add_argument("--plan", help="plan slug")
        parser.add_argument("--catch-up", action="store_true")

    def handle(self, *args, plan, catch_up, **options):
        if catch_up:
            self.stdout.write(f"Caught up {attainment_runs_catch_up()} run(s).")
            return
        plans = Plan.objects.all()
        if plan:
            plans = plans.filter(slug=plan)
            if not plans:
                raise CommandError(f"No plan with slug {plan!r}.")
        for each in plans:
            run = attainment_run_now(scope=f"plan {each.slug} (command)", plan=each)
            self.stdout.write(f"{each.slug}: {run.results} result(s)")
