"""A delete and an edit of the same claim, link or evidence at the same moment, through two
real database connections: one of them wins, the other is refused (404 or 409). An edit
that was answered as saved is never deleted by a delete that named the version it replaced.

Each race is forced into its worst order, not left to chance. The first writer is held at
a chosen point inside its transaction until the second writer has finished or is waiting
for a row lock (PostgreSQL's ``pg_blocking_pids``); then both run to the end.

- *The delete checked the version, then the edit came*: the delete is held where Django's
  collector deletes the rows it gathered. Had it only read the version (no lock), the edit
  would commit in between and then be deleted with its acknowledged change.
- *The edit is about to commit, then a delete of the old version came*: the edit is held
  before its COMMIT. A delete that re-checked the version only by primary key would wait
  for the edit's row lock and then delete the edited row.

Both need two connections writing at once, which SQLite (one writer at a time) never has:
these run on PostgreSQL, as CI does. What a PATCH answers when its row vanished right after
the edit is checked on both databases."""

import contextlib
import threading
from collections.abc import Callable

import pytest
from django.db import connection, connections
from django.db.models.deletion import Collector
from django.urls import reverse

from claims import services
from claims.errors import ClaimConflict, ClaimGone
from claims.models import Claim, ClaimLink, Evidence
from tests.factories import make_claim, make_evidence, make_link, make_user

TIMEOUT = 30  # seconds; a deadlock fails the test instead of hanging the run
needs_two_writers = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="needs two connections writing at once; CI runs the suite on PostgreSQL too",
)


class Held:
    """The outcome of one writer run in its own thread and connection."""

    def __init__(self, job: Callable[[], object]) -> None:
        self.job = job
        self.pid: int | None = None
        self.error: BaseException | None = None
        self.started, self.done = threading.Event(), threading.Event()
        self.thread = threading.Thread(target=self._run)

    def _run(self) -> None:
        try:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_backend_pid()")
                self.pid = cursor.fetchone()[0]
            self.started.set()
            self.job()
        except BaseException as error:  # reported to the test
            self.error = error
        finally:
            self.started.set()
            self.done.set()
            connection.close()


def is_waiting_for_a_lock(pid: int) -> bool:
    with connections["default"].cursor() as cursor:
        cursor.execute("SELECT cardinality(pg_blocking_pids(%s)) > 0", [pid])
        return cursor.fetchone()[0]


def holding(monkeypatch, target: type, method: str) -> Callable:
    """A ``hold`` for ``race``: the first writer stops on entering ``target.method`` until
    released."""

    @contextlib.contextmanager
    def hold(first: Held, arrived: threading.Event, release: threading.Event):
        original = getattr(target, method)

        def held(*args, **kwargs):
            if threading.current_thread() is first.thread and not arrived.is_set():
                arrived.set()
                assert release.wait(TIMEOUT), "never released"
            return original(*args, **kwargs)

        with monkeypatch.context() as patch:
            patch.setattr(target, method, held)
            yield

    return hold


def at_the_collectors_delete(monkeypatch) -> Callable:
    """Where Django's collector deletes the rows it gathered (after the version check)."""
    return holding(monkeypatch, Collector, "delete")


def before_commit(monkeypatch) -> Callable:
    """Just before the writer's transaction commits (its row locks still held)."""
    return holding(monkeypatch, type(connections["default"]), "commit")


def race(first: Callable[[], object], second: Callable[[], object], hold) -> tuple[Held, Held]:
    """Run ``first`` until ``hold`` stops it; then run ``second`` until it has finished or
    waits for a lock; then let ``first`` go on. Both outcomes are returned."""
    arrived, release = threading.Event(), threading.Event()
    one, two = Held(first), Held(second)
    with hold(one, arrived, release):
        one.thread.start()
        try:
            assert arrived.wait(TIMEOUT), "the first writer never reached the point held"
            two.thread.start()
            assert two.started.wait(TIMEOUT)
            polls = 0
            while not two.done.wait(0.01):  # a visible state: finished, or blocked by a lock
                if is_waiting_for_a_lock(two.pid):
                    break
                polls += 1
                assert polls < TIMEOUT * 100, "the second writer neither finished nor waited"
        finally:
            release.set()
            for held in (one, two):
                if held.thread.ident is not None:
                    held.thread.join(TIMEOUT)
                    assert not held.thread.is_alive(), "a writer never finished (a deadlock?)"
    return one, two


# --- the writers --------------------------------------------------------------------------


def _claim(owner):
    return make_claim(user=owner, statement="As first written")


def _link(owner):
    return make_link(user=owner, rationale="As first written")


def _evidence(owner):
    return make_evidence(user=owner, citation="As first written")


KINDS = {
    # model, make, delete, edit, the edit as stored
    "claim": (
        Claim, _claim,
        lambda obj, user: services.claim_delete(claim=obj, version=1, user=user),
        lambda obj, user: services.claim_update(
            claim=obj, statement="Edited", topics=[], version=1, user=user
        ),
        lambda obj: obj.statement == "Edited",
    ),
    "link": (
        ClaimLink, _link,
        lambda obj, user: services.link_delete(link=obj, version=1, user=user),
        lambda obj, user: services.link_update(
            link=obj, relation="qualifies", rationale="Edited", version=1, user=user
        ),
        lambda obj: obj.rationale == "Edited",
    ),
    "evidence": (
        Evidence, _evidence,
        lambda obj, user: services.evidence_delete(evidence=obj, version=1, user=user),
        lambda obj, user: services.evidence_update(
            evidence=obj, bearing="refutes", version=1, user=user
        ),
        lambda obj: obj.bearing == "refutes",
    ),
}  # fmt: skip


def writers(kind: str):
    """The object, and its owner's delete and an editor's edit, both of version 1, each
    loading the object afresh in its own connection as a request would."""
    model, make, delete, edit, edited = KINDS[kind]
    owner, editor = make_user("annotator"), make_user("editor")
    pk = make(owner).pk
    return (
        model, pk, edited,
        lambda: delete(model.objects.get(pk=pk), owner),
        lambda: edit(model.objects.get(pk=pk), editor),
    )  # fmt: skip


@needs_two_writers
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("kind", KINDS)
def test_an_edit_arriving_after_the_delete_checked_the_version_is_refused_as_gone(
    monkeypatch, kind
):
    model, pk, edited, delete, edit = writers(kind)
    deleting, editing = race(delete, edit, at_the_collectors_delete(monkeypatch))
    assert deleting.error is None, deleting.error
    assert isinstance(editing.error, ClaimGone), f"the edit was answered {editing.error!r}"
    assert not model.objects.filter(pk=pk).exists()


@needs_two_writers
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("kind", KINDS)
def test_a_delete_of_the_version_an_edit_is_replacing_is_refused_as_a_conflict(monkeypatch, kind):
    model, pk, edited, delete, edit = writers(kind)
    editing, deleting = race(edit, delete, before_commit(monkeypatch))
    assert editing.error is None, editing.error
    assert isinstance(deleting.error, ClaimConflict), f"the delete was answered {deleting.error!r}"
    stored = model.objects.filter(pk=pk).first()
    assert stored is not None, "the acknowledged edit was deleted"
    assert edited(stored) and stored.version == 2


# --- what the PATCH answers ---------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_a_patch_whose_claim_is_deleted_right_after_the_edit_answers_404_json(monkeypatch, client):
    """The edit commits, then someone deletes the claim (its new version, from the admin)
    before the answer is built: the PATCH answers that the claim is gone, not 500."""
    from django.db import transaction

    owner = make_user("annotator")
    claim = make_claim(user=owner)
    record_change = services.record_change

    def record_then_deleted_on_commit(obj, user=None):
        record_change(obj, user)
        transaction.on_commit(lambda: Claim.objects.filter(pk=obj.pk).delete())

    monkeypatch.setattr(services, "record_change", record_then_deleted_on_commit)
    client.raise_request_exception = False
    client.force_login(owner)
    response = client.patch(
        reverse("claims:api-claim", args=[claim.public_id]),
        {"statement": "Edited", "topics": [], "version": 1},
        content_type="application/json",
    )
    assert response.status_code == 404, response.content
    assert response.json()["error"] == services.ERROR_GONE
