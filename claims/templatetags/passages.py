"""Addresses that open a document at a passage: the claim pair page's quotes, passage
evidence and the pair browser link to them."""

from django import template
from django.urls import reverse

from claims.models import Claim, Evidence

register = template.Library()


@register.filter
def passage_url(item: Claim | Evidence) -> str:
    """The document page opened at ``item``'s span (a claim, or a passage of a document
    given as evidence): ``#span=<start>-<end>`` in code points, which the page scrolls into
    view and flashes at once, and for a claim ``&claim=<id>``, whose card it then opens.
    Reads no row: the document's id is on ``item``."""
    fragment = f"span={item.start}-{item.end}"
    if isinstance(item, Claim):
        fragment += f"&claim={item.public_id}"
    return f"{reverse('claims:document', args=[item.document_id])}#{fragment}"
