from django.core.management.base import BaseCommand, CommandError

from indicators.models import Plan
from indicators.selectors import target_records
from indicators.target_fields import TARGET_FIELDS, write_records


class Command(BaseCommand):
    help = "Write every target, one record per target, as JSON or CSV to standard output."

    def add_arguments(self, parser):
        parser.add_argument("--plan", help="plan slug")
        parser.add_argument("--format", choices=["json", "csv"], default="json")

    def handle(self, *args, plan, format, **options):
        if plan and not Plan.objects.filter(slug=plan).exists():
            raise CommandError(f"No plan with slug {plan!r}.")
        write_records(target_records(plan), self.stdout, fields=TARGET_FIELDS, format=format)
