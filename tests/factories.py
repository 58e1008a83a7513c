"""Small builders for test data, going through the same services the app uses."""

import itertools

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from corpus.models import Document, Source
from corpus.services import document_import

PASSWORD = "a-test-password-9431"
_counter = itertools.count(1)


def make_user(role: str | None = None, *, username: str | None = None, **fields):
    """A user in the group ``role`` (none when ``role`` is None); editors are staff."""
    username = username or f"{role or 'norole'}{next(_counter)}"
    fields.setdefault("is_staff", role == "editor")
    user = get_user_model().objects.create_user(username=username, password=PASSWORD, **fields)
    if role:
        user.groups.add(Group.objects.get(name=role))
    return user


def make_source(**fields) -> Source:
    number = next(_counter)
    defaults = {"name": f"Source {number}", "slug": f"source-{number}", "kind": "news"}
    return Source.objects.create(**(defaults | fields))


def make_document(text: str | None = None, *, source: Source | None = None, **fields) -> Document:
    number = next(_counter)
    text = text if text is not None else f"Document {number}\n\nIt says something {number}."
    return document_import(
        source=source or make_source(),
        data=text.encode("utf-8"),
        filename=fields.pop("filename", f"doc{number}.txt"),
        user=fields.pop("user", None),
        **fields,
    )


def make_claim(
    document: Document | None = None,
    *,
    user=None,
    quote: str | None = None,
    start: int | None = None,
    end: int | None = None,
    statement: str = "The passage claims something.",
    topics: list[str] | None = None,
):
    """A claim through ``claims.services.claim_create``: on ``quote`` (its first occurrence),
    on ``start``/``end``, or on the document's first word."""
    from claims.services import claim_create

    document = document or make_document()
    text = document.text
    if quote is not None:
        start = text.index(quote)
        end = start + len(quote)
    elif start is None or end is None:
        start = len(text) - len(text.lstrip())
        end = start + len(text[start:].split()[0])
    return claim_create(
        document=document,
        start=start,
        end=end,
        quote=text[start:end],
        statement=statement,
        topics=topics or [],
        user=user or make_user("annotator"),
    )


def make_link(
    claim=None,
    other=None,
    *,
    user=None,
    relation: str = "contradicts",
    rationale: str = "The figures disagree.",
):
    """A link through ``claims.services.link_create`` between two claims of two new
    documents unless given."""
    from claims.services import link_create

    return link_create(
        claim=claim or make_claim(),
        other=other or make_claim(),
        relation=relation,
        rationale=rationale,
        user=user or make_user("annotator"),
    )


def make_evidence(claim=None, link=None, *, user=None, kind: str = "citation", **fields):
    """Evidence through ``claims.services.evidence_add`` on ``claim`` or ``link`` (a new claim
    when neither is given): a citation unless ``kind`` and its fields say otherwise."""
    from claims.services import evidence_add

    if claim is None and link is None:
        claim = make_claim()
    defaults = {
        "citation": {"citation": "A. Author, A Book, 1999, p. 1."},
        "url": {"url": "https://example.com/report"},
        "quote": {"quote": "A quoted passage."},
    }.get(kind, {})
    return evidence_add(
        claim=claim,
        link=link,
        kind=kind,
        bearing=fields.pop("bearing", "supports"),
        user=user or make_user("annotator"),
        **(defaults | fields),
    )


def add_role(user, role: str):
    """``user`` also in the group ``role``; reloaded, so no stale permission cache is kept."""
    user.groups.add(Group.objects.get(name=role))
    return get_user_model().objects.get(pk=user.pk)


def make_review(link, verdict: str = "confirmed", *, user=None, note: str = ""):
    """A verdict through ``claims.reviewing.review_submit``, by a new reviewer unless given."""
    from claims.reviewing import review_submit

    return review_submit(link=link, verdict=verdict, note=note, user=user or make_user("reviewer"))


def make_annotated_corpus(owner=None):
    """A small corpus where ``owner`` (a new annotator unless given) made everything: three
    documents with a claim each, a link between the first two claims, evidence on the first
    claim and on the link, and a review of the link by a new reviewer. Also a topic and a
    deleted claim (for the admin's deleted-claims list). Returns a SimpleNamespace."""
    from types import SimpleNamespace

    from claims.models import Topic
    from claims.services import claim_delete

    owner = owner or make_user("annotator")
    source = make_source(name="Daily Planet")
    documents = [
        make_document(f"Document {word}\n\nIt says something about {word}.", source=source,
                      user=owner)
        for word in ("alpha", "beta", "gamma")
    ]  # fmt: skip
    claims = [
        make_claim(document, user=owner, quote="It says", topics=["Economy"])
        for document in documents
    ]
    link = make_link(claims[0], claims[1], user=owner)
    gone = make_claim(documents[2], user=owner, quote="something")
    claim_delete(claim=gone, version=gone.version, user=owner)
    return SimpleNamespace(
        owner=owner,
        source=source,
        document=documents[0],
        documents=documents,
        claim=claims[0],
        claims=claims,
        link=link,
        claim_evidence=make_evidence(claims[0], user=owner),
        link_evidence=make_evidence(link=link, user=owner),
        review=make_review(link, "confirmed"),
        topic=Topic.objects.get(name="Economy"),
    )


def make_comment(link=None, text: str = "Worth a second look.", *, user=None):
    """A comment through ``discussion.services.comment_post``, by a new annotator unless given."""
    from discussion.services import comment_post

    return comment_post(link=link or make_link(), text=text, user=user or make_user("annotator"))
