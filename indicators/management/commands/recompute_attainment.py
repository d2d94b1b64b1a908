from django.core.management.base import BaseCommand, CommandError

from indicators.jobs import catch_up_runs, execute_run
from indicators.models import AttainmentRun, Plan


class Command(BaseCommand):
    help = (
        "Recompute attainment now, in this process: every plan, one plan (--plan), or only "
        "the runs that could not be queued while the broker was down (--catch-up)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--plan", help="plan slug")
        parser.add_argument("--catch-up", action="store_true")

    def handle(self, *args, plan, catch_up, **options):
        if catch_up:
            self.stdout.write(f"Caught up {catch_up_runs()} run(s).")
            return
        plans = Plan.objects.all()
        if plan:
            plans = plans.filter(slug=plan)
            if not plans:
                raise CommandError(f"No plan with slug {plan!r}.")
        for each in plans:
            run = AttainmentRun.objects.create(scope=f"plan {each.slug} (command)", plan=each)
            run = execute_run(run.pk)
            self.stdout.write(f"{each.slug}: {run.results} result(s)")
