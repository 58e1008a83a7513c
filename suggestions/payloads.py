"""What the suggestion endpoints answer (built from ``suggestions.services.Suggestion``),
and the passage in its text as the Suggested pairs page shows it."""

from corpus.models import Document
from suggestions.services import Suggestion

# Characters of the document shown either side of a suggested passage (as the engine's).
CONTEXT_CHARACTERS = 150


def split_window(window: str, offset: int, start: int, end: int, length: int) -> dict:
    """The context and quote of ``start``–``end`` from ``window``, the part of a text of
    ``length`` characters that begins at ``offset`` and holds the span (a page reads
    only such windows from the database, not whole texts)."""
    before = window[: start - offset]
    after = window[end - offset :]
    if offset > 0:
        cut = before.find(" ")
        before = "…" + (before[cut + 1 :] if 0 <= cut < len(before) - 1 else before)
    if offset + len(window) < length:
        cut = after.rfind(" ")
        after = (after[:cut] if cut > 0 else after) + "…"
    return {"before": before, "quote": window[start - offset : end - offset], "after": after}


def passage_url(document: Document, start: int, end: int) -> str:
    """The passage on its document's reading page, which selects ``#span=start-end``."""
    return f"{document.get_absolute_url()}#span={start}-{end}"


def suggestion_payload(suggestion: Suggestion) -> dict:
    """One suggestion as the endpoints answer it, from what the engine gives (its document
    with the source loaded, not the text)."""
    document: Document = suggestion.document
    claim = suggestion.claim
    return {
        "document": document.pk,
        "start": suggestion.start,
        "end": suggestion.end,
        "quote": suggestion.quote,
        "score": round(float(suggestion.score), 6),
        "shared": list(suggestion.shared),
        "differs": list(suggestion.differs),
        "claim": str(claim.public_id) if claim is not None else None,
        # The claim is on the passage's document (Claim.get_absolute_url, without a query).
        "claim_url": f"{document.get_absolute_url()}#claim-{claim.public_id}" if claim else None,
        "claim_statement": claim.statement if claim is not None else None,
        "title": document.title,
        "source": document.source.name,
        "url": passage_url(document, suggestion.start, suggestion.end),
        "before": suggestion.before,
        "after": suggestion.after,
    }
