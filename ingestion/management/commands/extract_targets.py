"""Print the targets proposed for a plan document, as export_targets prints targets."""

from django.core.management.base import BaseCommand, CommandError

from indicators.target_fields import write_records
from ingestion import documents
from ingestion.extract import RECORD_FIELDS, extract, to_record


def _period(text):
    period = documents.parse_period(text)
    if period is None:
        raise CommandError(f"规划期应写作 2021-2025,收到 {text!r}。")
    return period


class Command(BaseCommand):
    help = (
        "Read a plan document (.txt, .docx or .pdf with a text layer) and print the targets "
        "it states, with the field names of export_targets plus confidence and position. "
        "Nothing is written to the database."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="the plan document")
        parser.add_argument(
            "--period",
            help="plan period, e.g. 2021-2025; by default read from the title (十四五 …)",
        )
        parser.add_argument("--format", choices=["json", "csv"], default="json")
        parser.add_argument("--plan", default="", help="plan slug to put in the records")

    def handle(self, *args, file, period, format, plan, **options):
        try:
            document = documents.read_path(file)
        except documents.DocumentError as exc:
            raise CommandError(str(exc)) from exc
        if period:
            start, end = _period(period)
        else:
            guessed = documents.guess_period(document.text)
            if guessed is None:
                raise CommandError("无法从文件标题推断规划期,请用 --period 指定,如 2021-2025。")
            start, end = guessed
        records = [
            to_record(p, plan) for p in extract(document.text, period_start=start, period_end=end)
        ]
        write_records(records, self.stdout, fields=RECORD_FIELDS, format=format)
