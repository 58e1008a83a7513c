"""Fixtures for tests that run real worker processes (tests/jobs, tests/browser): import
them into the test module or conftest that uses them."""

import pytest


@pytest.fixture(scope="module")
def worker_url(tmp_path_factory, django_db_blocker):
    """A migrated database of this module's own, shared with worker processes."""
    from tests.jobs.workers import worker_database

    with django_db_blocker.unblock(), worker_database(tmp_path_factory.mktemp("db")) as url:
        yield url


@pytest.fixture
def shared_db(worker_url, django_db_blocker):
    """This test's ORM calls go to the database the workers use (committed at once)."""
    from tests.jobs.workers import using_database

    with django_db_blocker.unblock(), using_database(worker_url):
        yield worker_url


@pytest.fixture
def start_worker(shared_db, tmp_path, request):
    """Start worker processes on the shared database; all stopped after the test (their
    output is printed when the test failed)."""
    from tests.jobs.workers import Worker

    started = []

    def start():
        worker = Worker(shared_db, tmp_path / f"worker-{len(started) + 1}.log")
        started.append(worker)
        return worker

    yield start
    for worker in started:
        worker.stop()
    failed = getattr(request.node, "rep_call", None)
    if failed is not None and failed.failed:
        for worker in started:
            print(f"--- {worker.log.name}\n{worker.output()}")
