from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from claims.carrying import revision_reanchor
from corpus.models import Document
from corpus.services import DocumentImportError, check_size, document_revise
from crosscheck.progress import PrintedProgress


class Command(BaseCommand):
    help = (
        "Import a corrected text of a document as its next revision, then carry its claims "
        "and evidence passages over (in this process, printing the progress). Claims that "
        "cannot be carried over safely wait in the orphan queue."
    )

    def add_arguments(self, parser):
        parser.add_argument("document", type=int, help="Id of the document the text corrects.")
        parser.add_argument("path", type=Path, help="The corrected text (.txt, .md, .html).")
        parser.add_argument("--title", default="", help="Default: the corrected document's.")
        parser.add_argument("--user", help="Username recorded as the importer.")

    def handle(self, *args, document, path, title, user, **options):
        previous = Document.objects.defer("text").filter(pk=document).first()
        if previous is None:
            raise CommandError(f"No document has the id {document}.")
        importer = None
        if user:
            importer = get_user_model().objects.filter(username=user).first()
            if importer is None:
                raise CommandError(f"No user is called “{user}”.")
        try:
            check_size(path.stat().st_size)  # before reading a huge file into memory
            with transaction.atomic():
                revision = document_revise(
                    document=previous, data=path.read_bytes(), filename=path.name,
                    user=importer, title=title,
                )  # fmt: skip
        except (DocumentImportError, OSError) as error:
            raise CommandError(f"refused {path}: {error}") from None
        self.stdout.write(
            f"imported {path} as #{revision.pk}, revision {revision.revision} of “{revision.title}”"
        )
        progress = PrintedProgress(self, "claims and evidence passages")
        outcome = revision_reanchor(revision, user=importer, progress=progress)
        self.stdout.write(outcome.summary)
