"""A background job as a person follows it: who asked for what, its state, its progress,
its result file or its error. The task engine (django-tasks) runs the work; this row is
what the Jobs page shows, and the one place a job's outcome is recorded."""

import uuid

from django.conf import settings
from django.db import models
from django.urls import reverse

LABEL_MAX_LENGTH = 200
# What a job put back in the queue after its worker died says (its progress label, then
# ``Job.attempt_note``).
NOTE_STARTED_AGAIN = "Started again after its worker stopped"


class JobState(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    DONE = "done", "Done"
    FAILED = "failed", "Failed"
    CANCELLED = "cancelled", "Cancelled"


FINISHED_STATES = (JobState.DONE, JobState.FAILED, JobState.CANCELLED)


class JobQuerySet(models.QuerySet):
    def visible_to(self, user) -> "JobQuerySet":
        """Every job for those who hold ``jobs.view_job`` (editors), else the user's own."""
        if user.has_perm("jobs.view_job"):
            return self
        return self.filter(requested_by=user)

    def unfinished(self) -> "JobQuerySet":
        return self.filter(state__in=(JobState.QUEUED, JobState.RUNNING))


class Job(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="jobs"
    )
    # What kind of work (the task's name, e.g. "admin-export") and what a person reads.
    kind = models.CharField(max_length=100)
    label = models.CharField(max_length=LABEL_MAX_LENGTH)
    state = models.CharField(max_length=10, choices=JobState.choices, default=JobState.QUEUED)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # Progress: ``done`` of ``total`` (None: not known yet) and what is being done.
    progress_done = models.PositiveBigIntegerField(default=0)
    progress_total = models.PositiveBigIntegerField(null=True, blank=True)
    progress_label = models.CharField(max_length=LABEL_MAX_LENGTH, blank=True)
    # Asked to stop while running: the task stops at its next progress report.
    cancel_requested = models.BooleanField(default=False)
    # The outcome: a file in the private job storage (jobs.storage), a one-line summary,
    # or the message a person reads when it failed (the traceback goes to the log).
    result_path = models.CharField(max_length=255, blank=True)
    # What the job reads (an uploaded file to import), kept until the job ends.
    input_path = models.CharField(max_length=255, blank=True)
    result_filename = models.CharField(max_length=255, blank=True)
    result_content_type = models.CharField(max_length=100, blank=True)
    result_size = models.PositiveBigIntegerField(null=True, blank=True)
    result_expired = models.BooleanField(default=False)
    summary = models.CharField(max_length=500, blank=True)
    error = models.TextField(blank=True)
    # The request that started the job: its log lines carry the same id.
    request_id = models.CharField(max_length=64, blank=True)
    # The task engine's id for the task, and which process runs it ("host pid start")
    # with the last sign of life from it (see jobs.runner).
    task_result_id = models.CharField(max_length=64, blank=True)
    worker = models.CharField(max_length=255, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    # What to start again when its worker dies (jobs.services.job_fail_if_lost): the task's
    # import path and keyword arguments (JSON), and which run this is (1: the first).
    # Jobs recorded before these existed have no path: they fail as before.
    task_path = models.CharField(max_length=255, blank=True)
    task_kwargs = models.JSONField(default=dict, blank=True)
    attempt = models.PositiveSmallIntegerField(default=1)

    objects = JobQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(state__in=JobState.values), name="job_state_known"
            ),
            models.CheckConstraint(
                condition=models.Q(progress_total__isnull=True)
                | models.Q(progress_done__lte=models.F("progress_total")),
                name="job_progress_within_total",
            ),
            models.CheckConstraint(
                condition=models.Q(state=JobState.QUEUED) | models.Q(started_at__isnull=False),
                name="job_started_when_not_queued",
            ),
            models.CheckConstraint(
                condition=~models.Q(state__in=FINISHED_STATES)
                | models.Q(finished_at__isnull=False),
                name="job_finished_has_time",
            ),
            models.CheckConstraint(
                condition=models.Q(result_path="") | models.Q(state=JobState.DONE),
                name="job_result_only_when_done",
            ),
            models.CheckConstraint(condition=models.Q(attempt__gte=1), name="job_attempt_counted"),
        ]
        indexes = [
            # The Jobs page lists a user's own jobs, newest first.
            models.Index(fields=["requested_by", "-created_at"], name="job_owner_recent_idx"),
            # Finding running jobs whose worker died, and finished ones past retention.
            models.Index(fields=["state", "finished_at"], name="job_state_finished_idx"),
        ]

    def __str__(self) -> str:
        return self.label

    def get_absolute_url(self) -> str:
        return reverse("jobs:detail", kwargs={"public_id": self.public_id})

    @property
    def is_finished(self) -> bool:
        return self.state in FINISHED_STATES

    @property
    def has_result(self) -> bool:
        return self.state == JobState.DONE and bool(self.result_path) and not self.result_expired

    @property
    def attempts_allowed(self) -> int:
        """How many runs a job gets in all (``CROSSCHECK_JOB_RETRIES`` more after the first),
        never fewer than it has had."""
        return max(self.attempt, 1 + settings.CROSSCHECK_JOB_RETRIES)

    @property
    def attempt_note(self) -> str:
        """The note "Started again …: attempt 2 of 2." of a job run more than once, else ""."""
        if self.attempt < 2:
            return ""
        return f"{NOTE_STARTED_AGAIN}: attempt {self.attempt} of {self.attempts_allowed}."

    @property
    def percent(self) -> int | None:
        """Progress as a whole percentage, None while the total is unknown."""
        if self.state == JobState.DONE:
            return 100
        if not self.progress_total:
            return None
        return min(100, self.progress_done * 100 // self.progress_total)
