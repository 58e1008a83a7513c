"""What the suggestions app does when the corpus changes (connected in apps.ready).

- A document imported by someone (``corpus.signals.document_imported``) is indexed by a
  background job started in their name; documents that management commands import are
  indexed by ``manage.py index_passages``.
- A document about to be deleted leaves the terms' passage counts (its passages and
  postings go with it by the cascade)."""

from django.db.models.signals import pre_delete
from django.dispatch import receiver

from corpus.models import Document
from corpus.signals import document_imported
from jobs.services import job_start
from suggestions import tasks
from suggestions.index import forget_counts

INDEX_JOB_LABEL = "Index the passages of “{title}”"


@receiver(document_imported, dispatch_uid="suggestions-index-imported")
def index_imported(sender, *, document: Document, user, **kwargs) -> None:
    if user is None:
        return
    job_start(
        task=tasks.index_documents,
        user=user,
        label=INDEX_JOB_LABEL.format(title=document.title),
        document_ids=[document.pk],
    )


@receiver(pre_delete, sender=Document, dispatch_uid="suggestions-forget-counts")
def forget_deleted(sender, *, instance: Document, **kwargs) -> None:
    forget_counts(instance)
