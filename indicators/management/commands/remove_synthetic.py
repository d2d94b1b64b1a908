from django.core.management.base import BaseCommand

from indicators.synthetic import remove


class Command(BaseCommand):
    help = "Delete every synthetic plan, its data and results, and the synthetic regions."

    def handle(self, *args, **options):
        self.stdout.write(f"Removed {remove()} synthetic plan(s).")
