"""What the import of annotation files keeps: the uploaded file between its preview and its
confirmation (with the preview of a large file, prepared by a job), and a record of every
annotation imported, so a second import of the same file creates nothing new
(``interchange.importing``)."""

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone

from claims.models import Claim, ClaimLink, Evidence
from corpus.models import Document
from jobs.models import Job

KEY_MAX_LENGTH = 500


class ImportUploadQuerySet(models.QuerySet):
    def pending(self) -> "ImportUploadQuerySet":
        """The uploads still waiting for their importer's confirmation (not receipts)."""
        return self.filter(imported_at__isnull=True)


class ImportUpload(models.Model):
    """An annotation file uploaded for one document, kept until its importer confirms the
    preview or leaves it (removed at an upload a day later, ``upload_create``).

    Once imported the row stays as the import's receipt: its file and plan are emptied and
    it records when it was imported, by which job (if one did it) and the outcome's summary,
    in the import's own transaction. Every page and job treats a receipt as gone (use
    ``pending()``), except the import job that made it: run again after its worker died
    past that commit, it finds its own receipt and ends done with the summary instead of
    telling the user to upload the file again. A receipt is removed a day after its
    import."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="+")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    filename = models.CharField(max_length=255)
    data = models.BinaryField()
    annotation_count = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)
    # A large file's preview is prepared by a job (``preview_job``), which keeps the plan
    # here (``interchange.importing.plan_as_json``) for the preview page to show.
    preview_job = models.ForeignKey(Job, on_delete=models.SET_NULL, null=True, related_name="+")
    plan = models.JSONField(null=True, editable=False)
    # The receipt (see the docstring): null while the upload waits for its confirmation.
    imported_at = models.DateTimeField(null=True, editable=False)
    imported_summary = models.TextField(blank=True, editable=False)
    import_job = models.ForeignKey(
        Job, on_delete=models.SET_NULL, null=True, editable=False, related_name="+"
    )

    objects = ImportUploadQuerySet.as_manager()

    class Meta:
        # The clean-up of old uploads looks them up by age.
        indexes = [models.Index(fields=["created_at"], name="import_upload_age")]

    def __str__(self) -> str:
        return f"{self.filename} for {self.document_id}"


class ImportedAnnotation(models.Model):
    """One annotation of an imported file and what it became: a claim, a link or evidence (null once
    that was deleted: a second import does not bring it back). ``key`` is the annotation's
    id (an IRI, or Hypothesis's id) or, when it has none, ``sha256:`` and the hash of its
    content."""

    document = models.ForeignKey(
        Document, on_delete=models.CASCADE, related_name="imported_annotations"
    )
    key = models.CharField(max_length=KEY_MAX_LENGTH)
    claim = models.ForeignKey(Claim, on_delete=models.SET_NULL, null=True, related_name="+")
    link = models.ForeignKey(ClaimLink, on_delete=models.SET_NULL, null=True, related_name="+")
    evidence = models.ForeignKey(Evidence, on_delete=models.SET_NULL, null=True, related_name="+")
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    imported_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            # The same annotation is imported once per document; its index also serves the
            # preview's look-up of the file's keys.
            models.UniqueConstraint(fields=["document", "key"], name="imported_annotation_once"),
        ]
        indexes = [
            # A link's ends are looked up by key in whichever document they were imported.
            models.Index(fields=["key"], name="imported_annotation_key"),
        ]

    def __str__(self) -> str:
        return self.key
