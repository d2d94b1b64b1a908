import json

from django.core.management.base import BaseCommand, CommandError

from indicators.models import Plan
from indicators.selectors import alignment_flags, attainment_report
from indicators.target_fields import json_number
from regions.models import Region

TABLE_COLUMNS = [
    ("indicator_code", 10),
    ("name", 24),
    ("target_year", 6),
    ("comparator", 6),
    ("target_value", 10),
    ("year", 6),
    ("actual_raw", 10),
    ("completion", 8),
    ("progress", 8),
    ("elapsed", 8),
    ("status", 18),
    ("projected_value", 10),
]


def _cell(value, width):
    text = "" if value is None else str(value)
    return text[:width].ljust(width)


class Command(BaseCommand):
    help = "Print the stored attainment of every target, then each plan's roll-up."

    def add_arguments(self, parser):
        parser.add_argument("--plan", help="plan slug")
        parser.add_argument(
            "--year", type=int, help="evaluation year (default: the latest with approved data)"
        )
        parser.add_argument("--region", help="GB/T 2260 region code (default: the plan's)")
        parser.add_argument("--format", choices=["json", "table"], default="table")

    def handle(self, *args, plan, year, region, format, **options):
        if plan and not Plan.objects.filter(slug=plan).exists():
            raise CommandError(f"No plan with slug {plan!r}.")
        if region and not Region.objects.filter(code=region).exists():
            raise CommandError(f"No region with code {region!r}.")
        report = attainment_report(plan_slug=plan, year=year, region_code=region)
        flags = [
            f
            for f in alignment_flags()
            if not plan or plan in (f.child.indicator.plan.slug, f.parent.indicator.plan.slug)
        ]
        alignment = [
            {
                "canonical": f.canonical.key,
                "plan": f.child.indicator.plan.slug,
                "indicator_code": f.child.indicator.code,
                "target_year": f.child.year,
                "target_value": f.child.value,
                "parent_plan": f.parent.indicator.plan.slug,
                "parent_indicator_code": f.parent.indicator.code,
                "parent_target_value": f.parent.value,
                "message": f.message,
            }
            for f in flags
        ]
        if format == "json":
            payload = {
                "records": [r for plan_report in report for r in plan_report["records"]],
                "rollups": [
                    {
                        "plan": p["plan"],
                        "year": p["year"],
                        "region": p["region"],
                        "computed_at": p["computed_at"].isoformat() if p["computed_at"] else None,
                        **{k: v for k, v in p["rollup"].items() if k != "counts"},
                        "counts": {str(k): v for k, v in p["rollup"]["counts"].items()},
                    }
                    for p in report
                ],
                "alignment": alignment,
            }
            json.dump(payload, self.stdout, ensure_ascii=False, indent=2, default=json_number)
            self.stdout.write("")
            return
        for p in report:
            self.stdout.write(f"== {p['plan']}  year {p['year']}  region {p['region']}")
            self.stdout.write(" ".join(_cell(name, w) for name, w in TABLE_COLUMNS))
            for r in p["records"]:
                self.stdout.write(" ".join(_cell(r[name], w) for name, w in TABLE_COLUMNS))
            rollup = p["rollup"]
            counts = ", ".join(f"{k}={v}" for k, v in rollup["counts"].items() if v)
            self.stdout.write(
                f"-- roll-up: {rollup['indicators']} indicators; {counts}; "
                f"达标率 {rollup['achievement_rate']} "
                f"({rollup['achieved']}/{rollup['with_data']})\n"
            )
        if alignment:
            self.stdout.write("== 上下衔接 (target weaker than the parent region's)")
            for a in alignment:
                self.stdout.write(f"  {a['plan']} {a['indicator_code']}: {a['message']}")
