"""The counterparts panel of the document page: in a claim's card and for a fresh selection,
the passages of other sources possibly about the same thing, with one key to make the
counterpart claim there and link it (``static/suggestions/counterparts.js``). Added to the
page through ``claims.extensions`` (registered in ``SuggestionsConfig.ready``)."""

import uuid
from typing import Any

from django.http import HttpRequest
from django.urls import reverse

from claims.extensions import DocumentPagePart
from claims.models import Relation
from corpus.models import Document
from crosscheck.permissions import can_triage_suggestions
from suggestions.actions import MAX_SPAN

# How many suggestions a card or a selection shows.
SHOWN = 5
# Endpoint addresses carry this in place of a claim's id; the script puts the real one in.
ID_PLACEHOLDER = uuid.UUID(int=0)


def _url_template(name: str) -> str:
    return reverse(name, args=[ID_PLACEHOLDER])


def page_config(request: HttpRequest, document: Document) -> dict[str, Any]:
    return {
        "documentId": document.pk,
        "selectionUrl": reverse("suggestions:api-document-suggestions", args=[document.pk]),
        "claimUrl": _url_template("suggestions:api-claim-suggestions"),
        "counterpartsUrl": _url_template("suggestions:api-claim-counterparts"),
        "dismissUrl": _url_template("suggestions:api-claim-suggestion-dismiss"),
        "linksUrl": _url_template("claims:api-claim-links"),
        "idPlaceholder": str(ID_PLACEHOLDER),
        "relations": Relation.choices,
        "canTriage": can_triage_suggestions(request.user),
        "limit": SHOWN,
        "maxSpan": MAX_SPAN,
    }


PART = DocumentPagePart(
    name="suggestions",
    script="suggestions/counterparts.js",
    stylesheet="suggestions/counterparts.css",
    config=page_config,
    shortcuts=[
        (("s",), "go to the passages of other sources possibly about the same thing"),
        (("↓", "↑"), "next / previous suggested passage"),
        (("c",), "make a claim on the focused passage and link it (the form opens)"),
        (("x",), "not related: stop suggesting the focused passage for this claim"),
        (("Ctrl + Enter",), "save the counterpart form"),
    ],
)
