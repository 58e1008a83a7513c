import time

from django.core.management.base import BaseCommand, CommandError

from corpus.models import Document
from crosscheck.progress import PrintedProgress
from suggestions.index import documents_unindexed, index_document


class Command(BaseCommand):
    help = (
        "Index the passages of the documents not yet in the passage index (for counterpart "
        "suggestions), each in its own transaction; documents imported on the pages are "
        "indexed by a background job instead."
    )

    def add_arguments(self, parser):
        parser.add_argument("--document", type=int, help="Only the document with this id.")

    def handle(self, *args, document=None, **options):
        documents = documents_unindexed()
        if document is not None:
            if not Document.objects.filter(pk=document).exists():
                raise CommandError(f"No document has the id {document}.")
            documents = documents.filter(pk=document)
        started = time.perf_counter()
        count = passages = 0
        progress = PrintedProgress(self, "passages") if options["verbosity"] > 1 else None
        todo = list(documents.only("pk", "title"))
        for item in todo:
            found = index_document(item, progress)
            passages += found
            count += 1
            if options["verbosity"] > 0:
                self.stdout.write(
                    f"[{count}/{len(todo)}] indexed #{item.pk} “{item.title}”: {found:,} passages"
                )
        if options["verbosity"] > 0:
            elapsed = time.perf_counter() - started
            self.stdout.write(
                f"{count:,} document{'' if count == 1 else 's'} indexed ({passages:,} passages) "
                f"in {elapsed:.1f} s."
            )
