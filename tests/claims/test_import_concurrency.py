"""An import while annotators work, through real parallel database connections: the import
locks the rows it changes, so an edit made at the same moment either waits and is then
refused as stale (409) or is applied first and then changed by the import; nothing is lost
silently, and claims created on both sides are all stored."""

import threading

import pytest
from django.contrib.auth import get_user_model
from django.db import connection

from claims.errors import ClaimConflict
from claims.models import Claim
from claims.resources import ClaimResource
from claims.services import claim_create, claim_update
from corpus.models import Document
from crosscheck.admin_import_export import LongCellCSV
from tests.factories import make_claim, make_document, make_user

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="needs two real connections; CI runs the suite on PostgreSQL too",
    ),
]

TIMEOUT = 60  # seconds; a deadlock fails the test instead of hanging the run


def run_together(*jobs) -> list[BaseException]:
    """Each job in its own thread and connection, started together at a barrier."""
    barrier = threading.Barrier(len(jobs), timeout=TIMEOUT)
    errors: list[BaseException] = []

    def run(job) -> None:
        try:
            barrier.wait()
            job()
        except BaseException as error:  # reported to the test
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(job,)) for job in jobs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(TIMEOUT)
    assert not any(thread.is_alive() for thread in threads), "a job never finished"
    return errors


def import_csv(text: str, editor_id: int):
    editor = get_user_model().objects.get(pk=editor_id)
    dataset = LongCellCSV().create_dataset(text)
    result = ClaimResource(user=editor).import_data(dataset, raise_errors=False, user=editor)
    assert not result.has_errors() and not result.has_validation_errors()
    return result


def test_an_edit_at_the_moment_of_an_import_is_never_lost_silently():
    author, editor = make_user("annotator"), make_user("editor")
    claim = make_claim(user=author, statement="Before")
    export = ClaimResource().export(queryset=Claim.objects.filter(pk=claim.pk)).csv
    imported_file = export.replace("Before", "From the import")

    for attempt in range(5):
        claim.refresh_from_db()
        seen_version = claim.version

        def edit(attempt=attempt, seen_version=seen_version):
            own = Claim.objects.get(pk=claim.pk)
            claim_update(
                claim=own, statement=f"By the annotator {attempt}", topics=[],
                version=seen_version, user=author,
            )  # fmt: skip

        def import_file():
            import_csv(imported_file, editor.pk)

        errors = run_together(edit, import_file)
        assert all(isinstance(error, ClaimConflict) for error in errors), errors
        claim.refresh_from_db()
        applied = 2 - len(errors)
        assert claim.version == seen_version + applied
        statements = list(
            claim.history.order_by("-history_id")[:applied].values_list("statement", flat=True)
        )
        assert statements[0] == claim.statement  # the last write is what is stored
        if errors:  # the annotator's edit came second and was refused, not lost
            assert claim.statement == "From the import"
        # put the statement back for the next attempt's import to change again
        claim_update(claim=claim, statement="Before", topics=[], version=claim.version, user=author)


def test_claims_created_during_an_import_are_all_stored():
    author, editor = make_user("annotator"), make_user("editor")
    document = make_document(" ".join(f"word{n}" for n in range(400)))
    rows = ["public_id,document,start,end,quote,statement"]
    for number in range(0, 400, 2):
        start = document.text.index(f"word{number} ")
        end = start + len(f"word{number}")
        rows.append(
            f"00000000-0000-4000-8000-{number:012d},{document.checksum},{start},{end},"
            f"word{number},Imported {number}"
        )

    def annotate():
        own = Document.objects.get(pk=document.pk)
        for number in range(1, 400, 8):
            start = own.text.index(f"word{number} ")
            claim_create(
                document=own, start=start, end=start + len(f"word{number}"),
                quote=f"word{number}", statement=f"Typed {number}", user=author,
            )  # fmt: skip

    errors = run_together(annotate, lambda: import_csv("\n".join(rows), editor.pk))

    assert errors == []
    assert Claim.objects.filter(statement__startswith="Imported").count() == 200
    assert Claim.objects.filter(statement__startswith="Typed").count() == 50
