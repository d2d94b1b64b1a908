from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from indicators.demo import load_demo, remove_demo
from indicators.services.runs import attainment_run_queue


class Command(BaseCommand):
    help = (
        "Add labelled sample actuals (示例数据) for the 十四五 plans so that the dashboards "
        "are not empty; refuses in production (DEBUG off) unless --force."
    )

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help="load even with DEBUG off")
        parser.add_argument("--remove", action="store_true", help="delete all sample data")

    def handle(self, *args, force, remove, **options):
        if remove:
            count = remove_demo()
            self.stdout.write(f"Removed {count} sample actual(s).")
        else:
            if not settings.DEBUG and not force:
                raise CommandError(
                    "Refusing to load sample data with DEBUG off (production); add --force."
                )
            count = load_demo()
            self.stdout.write(f"Added {count} sample actual(s), marked 示例数据.")
        if count:
            attainment_run_queue(scope="sample data")
