"""`manage.py backup FILE`: the whole database to one file."""

from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from ops import backups


class Command(BaseCommand):
    help = (
        "Back up the whole database (DATABASE_URL) to FILE: pg_dump's custom format on "
        "PostgreSQL, a copy of the database file on SQLite. With --verify, check that FILE "
        "is a readable backup instead."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", metavar="FILE")
        parser.add_argument(
            "--force", action="store_true", help="Overwrite FILE if it already exists."
        )
        parser.add_argument(
            "--verify",
            action="store_true",
            help="Write nothing: check that FILE is a readable backup for this database.",
        )

    def handle(self, *args, file, force, verify, **options):
        try:
            if verify:
                info = backups.inspect_backup(file)
                self.stdout.write(
                    f"{info.path} is a readable {connection.display_name} backup: "
                    f"{backups.human_size(info.size)}, {info.tables} tables."
                )
                return
            info = backups.backup(file, force=force)
        except backups.BackupError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(
            self.style.SUCCESS(
                f"Backed up database {connection.settings_dict['NAME']} to {info.path}: "
                f"{backups.human_size(info.size)}, {info.tables} tables."
            )
        )
