from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from indicators.demo import DEMO_PLANS, DemoError, load_demo, remove_demo
from indicators.models import Plan
from indicators.services.runs import results_touched


class Command(BaseCommand):
    help = (
        "A demo for every role: labelled sample figures (示例数据) for the 十四五 plans, sample "
        "departments with the plans' indicators assigned by category, and one sample user per "
        "role, printing their logins; refuses in production (DEBUG off) unless --force."
    )

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help="load even with DEBUG off")
        parser.add_argument(
            "--remove", action="store_true", help="delete all sample data, departments and users"
        )

    def handle(self, *args, force, remove, **options):
        if remove:
            removed = remove_demo()
            self.stdout.write(
                f"Removed {removed.actuals} sample actual(s), {removed.users} sample user(s) "
                f"and {removed.departments} sample department(s)."
            )
            for kept in removed.kept:
                self.stdout.write(f"kept: {kept}")
            changed = removed.actuals
        else:
            if not settings.DEBUG and not force:
                raise CommandError(
                    "Refusing to load sample data with DEBUG off (production); add --force."
                )
            try:
                loaded = load_demo()
            except DemoError as exc:
                raise CommandError(f"{exc} (nothing was loaded)") from exc
            self.stdout.write(
                f"Sample data (示例) for {', '.join(DEMO_PLANS)}: {loaded.actuals} actual(s) "
                f"added, {loaded.departments} department(s) created, {loaded.assigned} "
                "indicator(s) assigned by category."
            )
            self.stdout.write("Sample users (示例), one per role:")
            for login in loaded.logins:
                works_for = f"  {login.department}" if login.department else ""
                self.stdout.write(
                    f"  {login.username:<14} password {login.password:<17} {login.role}{works_for}"
                )
            changed = loaded.actuals
        if changed:
            demo_plans = Plan.objects.filter(slug__in=DEMO_PLANS).values_list("pk", flat=True)
            results_touched(scope="sample data", plan_ids=demo_plans)
