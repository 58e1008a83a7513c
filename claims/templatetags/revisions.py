"""The document page's revision line: which revision of its text the page shows, the
banner of an older revision, and the way to the history, the upload of a correction and
the orphan queue (``templates/claims/_revision_banner.html``)."""

from django import template

from claims.models import UNSETTLED_STATES, Claim
from corpus.models import Document
from corpus.services import revision_history
from crosscheck.permissions import can_annotate

register = template.Library()


@register.inclusion_tag("claims/_revision_banner.html", takes_context=True)
def revision_banner(context, document: Document) -> dict:
    """Three queries: the revisions of the text (two), and the claims waiting for a check
    on any of them (one, by the claims' anchor-target index)."""
    chain = revision_history(document)
    current = chain[-1]
    waiting = Claim.objects.filter(
        anchor_target__in=[revision.pk for revision in chain],
        anchor_state__in=UNSETTLED_STATES,
        anchor_kept=False,
    ).count()
    return {
        "document": document,
        "current": current,
        "is_current": current.pk == document.pk,
        "count": len(chain),
        "waiting": waiting,
        "can_upload": can_annotate(context["request"].user),
    }
