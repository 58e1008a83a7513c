from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from crosscheck.management.backups import BackupError, backup, describe


class Command(BaseCommand):
    help = (
        "Write the whole database to FILE: on SQLite a copy made with the online backup API, "
        "on PostgreSQL a pg_dump custom-format archive. Safe while the app runs. Bring it "
        "back with manage.py restore FILE."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="The backup file to write.")
        parser.add_argument(
            "--overwrite", action="store_true", help="Replace FILE if it exists already."
        )
        parser.add_argument("--database", default="default", help="Which database (default).")

    def handle(self, *args, file: str, overwrite: bool, database: str, **options):
        path = Path(file)
        try:
            backup(path, alias=database, overwrite=overwrite)
        except BackupError as error:
            raise CommandError(str(error)) from None
        size = path.stat().st_size
        self.stdout.write(f"Backed up the {describe(database)} to {path} ({size:,} bytes).")
