from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import translation

from indicators.models import Plan
from reports.document import build_plan_report

from .export_report import command_user


class Command(BaseCommand):
    help = (
        "Write a plan's implementation report (规划实施情况报告) for one year to a Word file: "
        "overview, indicators by category, problems, next steps and the method."
    )

    def add_arguments(self, parser):
        parser.add_argument("--plan", required=True, metavar="SLUG", help="the plan's slug")
        parser.add_argument("--year", type=int, help="evaluation year (default: latest data)")
        parser.add_argument(
            "--language",
            default=settings.LANGUAGE_CODE,
            choices=[code for code, _ in settings.LANGUAGES],
            help="the report's language (default: %(default)s)",
        )
        parser.add_argument("--out", required=True, help="the .docx file to write")
        parser.add_argument("--user", help="whose view of the data (default: an administrator)")

    def handle(self, *args, plan, year, language, out, user, **options):
        if not out.lower().endswith(".docx"):
            raise CommandError("--out must name a .docx file.")
        found = Plan.objects.select_related("region").filter(slug=plan).first()
        if found is None:
            raise CommandError(f"No plan with slug {plan}.")
        account = command_user(user)
        Path(out).parent.mkdir(parents=True, exist_ok=True)
        with translation.override(language):
            indicators = build_plan_report(out, user=account, plan=found, year=year)
        self.stdout.write(f"Wrote the report of {found.slug} ({indicators} indicators) to {out}.")
