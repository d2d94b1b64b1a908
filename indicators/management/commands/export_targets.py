import csv
import json
from decimal import Decimal

from django.core.management.base import BaseCommand, CommandError

from indicators.models import Plan
from indicators.selectors import target_records
from indicators.target_fields import TARGET_FIELDS


def _json_number(value):
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    raise TypeError(f"not serialisable: {value!r}")


class Command(BaseCommand):
    help = "Write every target, one record per target, as JSON or CSV to standard output."

    def add_arguments(self, parser):
        parser.add_argument("--plan", help="plan slug")
        parser.add_argument("--format", choices=["json", "csv"], default="json")

    def handle(self, *args, plan, format, **options):
        if plan and not Plan.objects.filter(slug=plan).exists():
            raise CommandError(f"No plan with slug {plan!r}.")
        records = target_records(plan)
        if format == "json":
            json.dump(
                list(records), self.stdout, ensure_ascii=False, indent=2, default=_json_number
            )
            self.stdout.write("")
        else:
            writer = csv.DictWriter(self.stdout, fieldnames=TARGET_FIELDS, lineterminator="\n")
            writer.writeheader()
            for record in records:
                writer.writerow({k: "" if v is None else v for k, v in record.items()})
