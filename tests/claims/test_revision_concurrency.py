"""Revisions and re-anchoring at the same moment as other writes, through real database
connections: two corrections of one text, two re-anchoring jobs, and a person editing a
claim while the job carries it over."""

import threading

import pytest
from django.contrib.auth import get_user_model
from django.db import connection, transaction

from claims.errors import ClaimConflict
from claims.models import Claim
from claims.revisions import revision_reanchor, revision_upload
from claims.services import claim_update
from corpus.models import Document
from corpus.services import document_revise
from tests.factories import make_claim, make_document, make_user

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="needs two real connections; CI runs the suite on PostgreSQL too",
    ),
]

TIMEOUT = 30  # seconds; a deadlock fails the test instead of hanging the run
OLD = "First line.\n\nThe trial opened in August 1936. Sixteen were accused of the murder."
NEW = "First line, corrected.\n\nThe trial opened in August 1936. Sixteen were accused of murder."


def together(*work) -> list[BaseException]:
    """Each callable in its own thread and connection; all start at a barrier."""
    barrier = threading.Barrier(len(work), timeout=TIMEOUT)
    errors: list[BaseException] = []

    def run(function) -> None:
        try:
            barrier.wait()
            function()
        except BaseException as error:  # reported to the test
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(function,)) for function in work]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(TIMEOUT)
    assert not any(thread.is_alive() for thread in threads), "a thread never finished"
    return errors


def wait_until_someone_waits_for_a_lock() -> None:
    """Return once another connection is blocked on a lock this one holds (PostgreSQL's
    pg_stat_activity shows it), so the test sees the wait rather than assuming it."""
    deadline = threading.Event()
    timer = threading.Timer(TIMEOUT, deadline.set)
    timer.start()
    try:
        with connection.cursor() as cursor:
            while not deadline.is_set():
                cursor.execute("SELECT pg_stat_clear_snapshot()")  # else fixed per transaction
                cursor.execute(
                    "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
                    "AND datname = current_database() AND pid <> pg_backend_pid()"
                )
                if cursor.fetchone()[0]:
                    return
                deadline.wait(0.01)
    finally:
        timer.cancel()
    raise AssertionError("nobody waited for the lock")


def test_two_corrections_of_one_text_at_once_store_one_and_refuse_the_other():
    document = make_document(OLD)
    user_ids = [make_user("annotator").pk, make_user("annotator").pk]

    def correct(user_id: int, text: str):
        return lambda: revision_upload(
            document=Document.objects.get(pk=document.pk), data=text.encode(),
            filename="fixed.txt", user=get_user_model().objects.get(pk=user_id),
        )  # fmt: skip

    errors = together(correct(user_ids[0], NEW), correct(user_ids[1], NEW + "\nOther fix."))
    assert len(errors) == 1 and isinstance(errors[0], ClaimConflict), errors
    assert Document.objects.filter(previous=document).count() == 1


def test_two_jobs_at_once_carry_each_claim_once():
    document = make_document(OLD)
    annotator = make_user("annotator")
    claims = [
        make_claim(document, user=annotator, quote=quote)
        for quote in ("The trial opened in August 1936", "Sixteen were accused", "First line.")
    ]
    revision = document_revise(document=document, data=NEW.encode(), filename="f.txt", user=None)

    def job():
        revision_reanchor(Document.objects.get(pk=revision.pk))

    assert together(job, job) == []
    for claim in claims:
        stored = Claim.objects.get(pk=claim.pk)
        assert stored.version == 2  # one change each, whoever made it
        assert stored.history.count() == 2
    assert Claim.objects.filter(document=revision).count() == 2
    orphan = Claim.objects.get(pk=claims[2].pk)
    assert (orphan.document_id, orphan.anchor_state) == (document.pk, "orphaned")


def test_an_edit_holding_the_claim_is_waited_for_and_kept():
    document = make_document(OLD)
    annotator = make_user("annotator")
    claim = make_claim(document, user=annotator, quote="The trial opened in August 1936")
    revision = document_revise(document=document, data=NEW.encode(), filename="f.txt", user=None)
    edited = threading.Event()

    def edit():
        with transaction.atomic():
            claim_update(claim=Claim.objects.get(pk=claim.pk), statement="Edited meanwhile.",
                         topics=[], version=1, user=annotator)  # fmt: skip
            edited.set()
            wait_until_someone_waits_for_a_lock()

    def job():
        assert edited.wait(TIMEOUT)
        revision_reanchor(Document.objects.get(pk=revision.pk))

    assert together(edit, job) == []
    stored = Claim.objects.get(pk=claim.pk)
    assert (stored.statement, stored.document_id, stored.version) == (
        "Edited meanwhile.", revision.pk, 3,
    )  # fmt: skip
