"""Extension points of the document page, for the feature apps above ``claims``.

``claims`` imports no app above it, so an app that adds to the reading and annotating page
registers a ``DocumentPagePart`` in its ``AppConfig.ready()``::

    register_document_page_part(DocumentPagePart(
        name="example", script="example/page.js", stylesheet="example/page.css",
        config=page_config, shortcuts=[(("q",), "what q does")]))

The page (``templates/claims/document_detail.html``) then links the stylesheet, hands
``config(request, document)`` to the script as JSON (``json_script``, element id
``<name>-config``), lists the shortcuts in its shortcuts help, and loads the script as an ES
module after its own: static files only, as the Content-Security-Policy wants.

The script meets the page through DOM events (``claims/static/claims/annotate.js`` and
``cards.js`` say what each carries):

- ``crosscheck:selection`` on ``document``: the reader's selection in the text changed
  (``detail.span`` = ``{start, end, quote}`` in code points, or null);
- ``crosscheck:card`` on a claim card, bubbling, when the card is shown with its details:
  ``detail`` = ``{claim, slot, first, reload}``, ``slot`` an element of the card for the
  parts to fill, ``first`` whether it is the first card in the panel, ``reload()`` redraws
  the card;
- ``crosscheck:claim-created`` on ``document``: the page's new-claim form saved a claim
  (``detail.claim``);
- the script may dispatch ``crosscheck:new-claim`` on ``document`` to open the page's
  new-claim form for the current selection, and ``crosscheck:say`` (``detail.message``)
  to announce a message in the page's status line.

The panel has one slot of its own for what concerns the selection: ``#selection-parts``.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest

from claims.models import ClaimLink
from corpus.models import Document
from crosscheck.permissions import Visitor


@dataclass(frozen=True)
class DocumentPagePart:
    name: str  # unique; names the config element "<name>-config"
    script: str  # static path of an ES module
    stylesheet: str | None = None  # static path
    config: Callable[[HttpRequest, Document], dict[str, Any]] | None = None
    # For the shortcuts help: (the keys, each shown as <kbd>, what they do).
    shortcuts: list[tuple[tuple[str, ...], str]] = field(default_factory=list)


_document_page_parts: dict[str, DocumentPagePart] = {}


def register_document_page_part(part: DocumentPagePart) -> None:
    """Add ``part`` to every document page (registering a name again replaces it, so a
    repeated ``ready()`` is harmless)."""
    _document_page_parts[part.name] = part


def document_page_parts(request: HttpRequest, document: Document) -> list[dict[str, Any]]:
    """What the template renders for each registered part: the part, its config and the id
    of the config element."""
    return [
        {
            "part": part,
            "config": part.config(request, document) if part.config else {},
            "config_id": f"{part.name}-config",
        }
        for part in _document_page_parts.values()
    ]


# --- Links to a topic's page --------------------------------------------------------------

# The address of the page about one topic, given its name; registered by the app that has
# such a page (the comparison app: its sources side by side). None: topics are plain text.
_topic_url: Callable[[str], str] | None = None


def register_topic_url(builder: Callable[[str], str] | None) -> None:
    """Make every topic the claims pages show (the claims list, the claim cards) a link to
    ``builder(name)``; None makes them plain text again."""
    global _topic_url
    _topic_url = builder


def topic_url(name: str) -> str | None:
    """The address of the page about the topic ``name``, or None when no app has one."""
    return _topic_url(name) if _topic_url is not None else None


# --- What else goes with deleted links ----------------------------------------------------

# Deleting a link deletes, by cascade, the rows that apps above ``claims`` keep on it (a
# pair's comments, say). Each such app registers how to count them, in its AppConfig.ready(),
# so that the confirmation a delete asks for (``claims.services``: ``link_delete``,
# ``claim_delete``) names them too, and how to bring back those deleted with a link when the
# link is restored (``claims.restores.link_restore``):
#
#     register_link_dependents(LinkDependents(
#         name="notes", noun="note", count=notes_by_link, restore=notes_restore))


@dataclass(frozen=True)
class LinkDependents:
    name: str  # unique; their key among a delete's counts: {"evidence": 2, "notes": 5}
    noun: str  # one of them in words, for the confirmation: "note" ("1 note", "5 notes")
    # How many go with each of the links, by the link's pk (a link with none may be left
    # out): one query, whatever the number of links.
    count: Callable[[QuerySet[ClaimLink]], dict[int, int]]
    # Bring back, from the history, those deleted with the link (by its delete, or its
    # claim's), not those deleted on their own before it; the link exists again, and the
    # insertions are recorded as made by the user. Returns how many came back. None: they
    # do not come back.
    restore: Callable[[ClaimLink, Visitor], int] | None = None


_link_dependents: dict[str, LinkDependents] = {}


def register_link_dependents(dependents: LinkDependents) -> None:
    """Count ``dependents`` in the confirmation of every delete that takes links along, and
    bring them back with a restored link when they say how (registering a name again
    replaces it, so a repeated ``ready()`` is harmless)."""
    _link_dependents[dependents.name] = dependents


def link_dependent_nouns() -> dict[str, str]:
    """The registered dependents' nouns, by name, in the order they were registered."""
    return {name: dependents.noun for name, dependents in _link_dependents.items()}


def count_link_dependents(links: QuerySet[ClaimLink]) -> dict[str, dict[int, int]]:
    """For each registered name, how many of its rows go with each of ``links`` (by the
    link's pk; a link with none may be missing): one query per registered name."""
    return {name: dependents.count(links) for name, dependents in _link_dependents.items()}


def restore_link_dependents(link: ClaimLink, user: Visitor) -> dict[str, int]:
    """Bring back, for each registered name that can, the rows deleted with ``link``, which
    exists again: how many, by name. Call inside the transaction that restores the link, so
    that a failure leaves it deleted with them."""
    return {
        name: dependents.restore(link, user)
        for name, dependents in _link_dependents.items()
        if dependents.restore is not None
    }
