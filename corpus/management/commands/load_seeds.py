from django.core.management.base import BaseCommand

from corpus.seeds import load_seeds


class Command(BaseCommand):
    help = "Load the demo corpus from seeds/ (documents already loaded are skipped)."

    def handle(self, *args, **options):
        for result in load_seeds():
            state = "loaded" if result.created else "already loaded"
            self.stdout.write(f"{state}: {result.title}")
