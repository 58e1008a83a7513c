"""The RQ worker for jobs (``CROSSCHECK_TASKS_BACKEND=rq``; settings ``RQ["WORKER_CLASS"]``,
so ``manage.py rqworker`` uses it).

RQ's worker forks each job into a child, the "work horse", in a process group of its own,
and waits for it. When the worker is killed (SIGKILL, the out-of-memory killer, a
supervisor that signals only the process it started), nothing reaches that child: it
would go on with the job unwatched — outside the service that was stopped, still holding
its memory, still writing. Here the horse asks the kernel to kill it as soon as its worker
dies (Linux ``PR_SET_PDEATHSIG``), so a killed worker takes its job with it, as a killed
``db_worker`` does: the database rolls back what the job's transaction held, and the job
(which records the horse's own pid as its ``worker``) is found lost and marked failed.

The horse stays a separate process, as RQ recommends for production: its memory is given
back when the job ends, and a job that crashes or runs out of memory does not take the
worker with it."""

import ctypes
import ctypes.util
import logging
import os
import signal
import sys

from rq import Worker

logger = logging.getLogger("jobs")

PR_SET_PDEATHSIG = 1  # <linux/prctl.h>


def die_with_parent(parent_pid: int) -> None:
    """Have the kernel SIGKILL this process when its parent dies; exit at once if the parent
    ``parent_pid`` is already gone (it died between the fork and this call). Linux only:
    elsewhere nothing is done."""
    if not sys.platform.startswith("linux"):
        return
    libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
    if libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0) != 0:
        error = ctypes.get_errno()
        logger.warning("The job's process cannot be tied to its worker: %s", os.strerror(error))
        return
    if os.getppid() != parent_pid:
        os._exit(1)


class JobWorker(Worker):
    """RQ's forking worker whose work horse dies with it (see the module docstring)."""

    def fork_work_horse(self, job, queue) -> None:
        self._worker_pid = os.getpid()  # the child reads it after the fork
        super().fork_work_horse(job, queue)

    def main_work_horse(self, job, queue):
        die_with_parent(self._worker_pid)
        return super().main_work_horse(job, queue)
