from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from corpus.models import Document, Source
from corpus.services import DocumentImportError, check_size, document_import


class Command(BaseCommand):
    help = (
        "Import .txt, .md and .html files as documents of one source. Each file is imported "
        "or refused on its own; the command fails if any file was refused."
    )

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="+", type=Path, help="Files to import.")
        parser.add_argument("--source", required=True, help="Slug of an existing source.")
        parser.add_argument(
            "--language", default="en", choices=Document.Language.values, help="Default: en."
        )
        parser.add_argument("--user", help="Username recorded as the importer.")

    def handle(self, *args, paths, source, language, user, **options):
        try:
            source_obj = Source.objects.get(slug=source)
        except Source.DoesNotExist:
            raise CommandError(f"No source has the slug “{source}”.") from None
        importer = None
        if user:
            importer = get_user_model().objects.filter(username=user).first()
            if importer is None:
                raise CommandError(f"No user is called “{user}”.")

        refused = 0
        for path in paths:
            try:
                check_size(path.stat().st_size)  # before reading a huge file into memory
                document = document_import(
                    source=source_obj,
                    data=path.read_bytes(),
                    filename=path.name,
                    user=importer,
                    language=language,
                )
            except (DocumentImportError, OSError) as error:
                refused += 1
                self.stderr.write(f"refused {path}: {error}")
            else:
                self.stdout.write(f"imported {path} as #{document.pk} “{document.title}”")
        if refused:
            raise CommandError(f"{refused} of {len(paths)} files were refused; see above.")
