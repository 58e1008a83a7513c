"""The demo corpus in ``seeds/``: five texts and ``manifest.json`` naming their sources."""

import json
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import transaction

from corpus.services import document_import, find_duplicate, source_get_or_create
from corpus.text import checksum, decode, normalise

SEEDS_DIR = settings.BASE_DIR / "seeds"


@dataclass
class SeedResult:
    title: str
    created: bool


def load_seeds(directory: Path = SEEDS_DIR) -> list[SeedResult]:
    """Import every seed document not yet in the corpus; already loaded ones are skipped."""
    manifest = json.loads((directory / "manifest.json").read_text(encoding="utf-8"))
    results = []
    for entry in manifest["documents"]:
        data = (directory / entry["file"]).read_bytes()
        existing = find_duplicate(checksum(normalise(decode(data))))
        if existing is not None:
            results.append(SeedResult(existing.title, created=False))
            continue
        with transaction.atomic():
            source, _ = source_get_or_create(**entry["source"])
            document = document_import(
                source=source,
                data=data,
                filename=entry["file"],
                user=None,
                title=entry["title"],
                language=entry["language"],
            )
        results.append(SeedResult(document.title, created=True))
    return results
