"""Progress of long work run by a management command, printed instead of shown on a job's
page: the same ``start``/``advance`` calls the jobs' ``Progress`` answers."""

from django.core.management.base import BaseCommand


class PrintedProgress:
    """Prints the label and the total at the start, then every tenth of the way."""

    def __init__(self, command: BaseCommand, unit: str) -> None:
        self.command = command
        self.unit = unit  # what is counted, plural: "passages"
        self.total = self.done = self.shown = 0

    def start(self, total: int | None, label: str) -> None:
        self.total, self.done, self.shown = total or 0, 0, 0
        self.command.stdout.write(f"{label}: {self.total:,} {self.unit}")

    def advance(self, steps: int = 1) -> None:
        self.done += steps
        if self.total and self.done * 10 // self.total > self.shown:
            self.shown = self.done * 10 // self.total
            self.command.stdout.write(f"  {self.done:,} of {self.total:,}")
