from django.core.management.base import BaseCommand, CommandError

from indicators.models import Plan
from indicators.services.runs import attainment_run_queue
from indicators.synthetic import generate


class Command(BaseCommand):
    help = (
        "Create reproducible synthetic plans (one per region) with approved actuals for every "
        "indicator and year, marked synthetic; remove them with `remove_synthetic`."
    )

    def add_arguments(self, parser):
        parser.add_argument("--regions", type=int, required=True)
        parser.add_argument("--indicators", type=int, required=True)
        parser.add_argument("--years", type=int, required=True)
        parser.add_argument("--seed", type=int, default=20261122)
        parser.add_argument(
            "--no-recompute",
            action="store_true",
            help="leave the attainment results to compute later",
        )

    def handle(self, *args, regions, indicators, years, seed, no_recompute, **options):
        if min(regions, indicators, years) < 1 or regions > 99 * 100 or years > 30:
            raise CommandError("Need 1–9900 regions, at least 1 indicator and 1–30 years.")
        if Plan.objects.filter(is_synthetic=True).exists():
            raise CommandError("Synthetic data exists already; run remove_synthetic first.")
        counts = generate(regions=regions, indicators=indicators, years=years, seed=seed)
        self.stdout.write(", ".join(f"{v} {k}" for k, v in counts.items()))
        if not no_recompute:
            attainment_run_queue(scope="synthetic data")
