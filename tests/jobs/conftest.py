import pytest

from tests.jobs.fixtures import shared_db, start_worker, worker_url  # noqa: F401

IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture(autouse=True)
def job_files(settings, tmp_path):
    """Each test's job files in its own folder."""
    settings.CROSSCHECK_JOB_FILES_DIR = tmp_path / "job-files"
    return settings.CROSSCHECK_JOB_FILES_DIR


@pytest.fixture
def immediate_tasks(settings):
    """Tasks run at once, inside ``enqueue`` (once the job row is committed)."""
    settings.TASKS = IMMEDIATE


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if report.when == "call":
        item.rep_call = report
    return report
