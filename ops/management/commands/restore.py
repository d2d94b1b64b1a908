"""`manage.py restore FILE --yes`: replace the whole database by a backup."""

from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from ops import backups


class Command(BaseCommand):
    help = (
        "Replace the whole database (DATABASE_URL) by a backup made with `manage.py backup`. "
        "Every table in the backup is dropped and recreated; stop the web and Celery "
        "processes first. Needs --yes."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", metavar="FILE")
        parser.add_argument(
            "--yes",
            action="store_true",
            help="Confirm that the current contents of the database are to be replaced.",
        )

    def handle(self, *args, file, yes, **options):
        name = connection.settings_dict["NAME"]
        try:
            info = backups.inspect_backup(file)
            if not yes:
                raise CommandError(
                    f"This replaces everything in the database {name} by {file}. "
                    "Pass --yes to go ahead. 提示:恢复将覆盖当前数据库的全部数据,"
                    "确认后请加 --yes 重新执行。"
                )
            backups.restore(info.path)
        except backups.BackupError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(
            self.style.SUCCESS(
                f"Restored database {name} from {info.path}: "
                f"{backups.human_size(info.size)}, {info.tables} tables."
            )
        )
