"""Log lines written while a job runs carry the id of the request that started it, so the
traceback of a failed job is found in the log under the id its page showed."""

import contextvars
import logging
from collections.abc import Iterator
from contextlib import contextmanager

_job_request_id: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "job_request_id", default=None
)


@contextmanager
def request_id_of_job(request_id: str) -> Iterator[None]:
    token = _job_request_id.set(request_id or None)
    try:
        yield
    finally:
        _job_request_id.reset(token)


class JobRequestIdFilter(logging.Filter):
    """Put the job's request id on records logged while a job runs (after the request id
    filter, which fills in the id of the request being handled, if any)."""

    def filter(self, record: logging.LogRecord) -> bool:
        job_request_id = _job_request_id.get()
        if job_request_id:
            record.request_id = job_request_id
        elif not hasattr(record, "request_id"):
            record.request_id = "-"
        return True
