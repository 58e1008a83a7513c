"""What the corpus tells the apps above it, which it may not import.

``document_imported`` is sent by ``corpus.services.document_import`` once the transaction
that stored the document has committed (so a receiver may start a job that reads it).
Arguments: ``document`` (the new document) and ``user`` (who imported it, or None when a
management command did). The suggestions app indexes its passages.
"""

from django.dispatch import Signal

document_imported = Signal()
