from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from crosscheck.management.backups import (
    BackupError,
    check_restorable,
    describe,
    restore,
    unapplied_migrations,
)

ERROR_NOT_CONFIRMED = (
    "Nothing was restored: restoring replaces everything in the {database}. Add --yes to confirm."
)
ERROR_DECLINED = "Nothing was restored."
PROMPT = (
    "Restoring replaces everything in the {database} with {path}: what was added or changed "
    "since that backup is lost. Type 'yes' to continue: "
)


class Command(BaseCommand):
    help = (
        "Replace the whole database with a backup FILE made by manage.py backup (a SQLite "
        "file for SQLite, a pg_dump custom-format archive for PostgreSQL). Asks for "
        "confirmation unless --yes is given."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="The backup file to restore.")
        parser.add_argument(
            "--yes", action="store_true", help="Replace the database without asking."
        )
        parser.add_argument(
            "--no-input", "--noinput", action="store_false", dest="interactive",
            help="Never ask: without --yes, refuse.",
        )  # fmt: skip
        parser.add_argument("--database", default="default", help="Which database (default).")

    def handle(self, *args, file: str, yes: bool, interactive: bool, database: str, **options):
        path = Path(file)
        try:
            check_restorable(path, alias=database)
        except BackupError as error:
            raise CommandError(str(error)) from None
        target = describe(database)
        if not yes:
            if not interactive:
                raise CommandError(ERROR_NOT_CONFIRMED.format(database=target))
            try:
                answer = input(PROMPT.format(database=target, path=path))
            except EOFError:  # no one to ask (input is not a terminal)
                raise CommandError(ERROR_NOT_CONFIRMED.format(database=target)) from None
            if answer.strip().lower() != "yes":
                raise CommandError(ERROR_DECLINED)
        try:
            restore(path, alias=database)
        except BackupError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(f"Restored the {target} from {path}.")
        missing = unapplied_migrations(database)
        if missing:
            self.stdout.write(
                f"The backup predates {missing} migration(s) of this version: run "
                "manage.py migrate now."
            )
