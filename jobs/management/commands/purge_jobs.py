"""Remove job result files past the retention period (``CROSSCHECK_JOB_RESULT_DAYS``) and
files no job needs any more; start jobs whose worker died again, or mark them failed. Safe
to run at any time and as often as wanted: ``make run`` runs it at start, production from a
timer (README)."""

from django.core.management.base import BaseCommand

from jobs.services import jobs_purge


class Command(BaseCommand):
    help = __doc__.split("\n\n")[0]

    def handle(self, *args, **options) -> None:
        expired, removed = jobs_purge()
        self.stdout.write(
            f"Job files: {expired} past retention removed, {removed} leftover removed."
        )
