import time

from django.core.management.base import BaseCommand, CommandError

from corpus.models import Document
from suggestions import semantic
from suggestions.embeddings import documents_to_embed, embed_document


class Command(BaseCommand):
    help = (
        "Store the semantic model's embeddings of the passages of every indexed document (or "
        "of the given ones) that have none yet. Needs CROSSCHECK_SEMANTIC_MODEL and the "
        "'semantic' extra (README \"Semantic re-ranking\")."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--document", type=int, action="append", default=[], help="a document id (repeatable)"
        )

    def handle(self, *args, **options):
        if options["document"]:
            documents = Document.objects.filter(pk__in=options["document"]).order_by("pk")
        else:
            documents = documents_to_embed()
        try:
            semantic.load_model()
            total = 0
            began = time.monotonic()
            for document in documents:
                stored = embed_document(document)
                total += stored
                self.stdout.write(f"{stored:6,} passages embedded: {document.title}")
        except semantic.SemanticModelError as error:
            raise CommandError(error.message) from error
        elapsed = time.monotonic() - began
        self.stdout.write(f"{total:,} passages embedded in {elapsed:.1f} s.")
