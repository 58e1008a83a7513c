"""Round trip: a document's claims, links and evidence exported as W3C Web Annotations
(``interchange.w3c``) and imported into an empty Crosscheck with the same seeds come back
with the same anchors, statements, topics, links and evidence; importing again adds
nothing."""

import pytest

from claims.models import Claim, ClaimLink, Evidence, Topic
from interchange import w3c
from interchange.importing import import_apply, upload_create
from tests.factories import make_claim, make_evidence, make_link
from tests.interchange.test_import import load_seed

pytestmark = pytest.mark.django_db


def _export(document) -> bytes:
    iris = w3c.Iris("https://old.crosscheck.example")
    scope = w3c.document_scope(document)
    collection = iris.document_container(document.pk)
    return "".join(w3c.collection_file(scope, iris, collection)).encode("utf-8")


def _import(document, data: bytes, user):
    upload = upload_create(document=document, data=data, filename="export.jsonld", user=user)
    return import_apply(upload=upload, user=user)


def _claims() -> set:
    return {
        (c.document.checksum, c.start, c.end, c.quote, c.prefix, c.suffix, c.statement,
         tuple(sorted(t.name for t in c.topics.all())))
        for c in Claim.objects.select_related("document").prefetch_related("topics")
    }  # fmt: skip


def _span(claim: Claim) -> tuple:
    return (claim.document.checksum, claim.start, claim.end)


def _links() -> set:
    out = set()
    for link in ClaimLink.objects.select_related("left__document", "right__document"):
        qualifier = {"left_qualifies_right": link.left, "right_qualifies_left": link.right}
        narrowing = qualifier.get(link.direction)
        out.add((frozenset({_span(link.left), _span(link.right)}), link.relation,
                 link.rationale, narrowing and _span(narrowing)))  # fmt: skip
    return out


def _evidence() -> set:
    out = set()
    for item in Evidence.objects.select_related("claim__document", "link__left__document",
                                                "link__right__document", "document"):  # fmt: skip
        on = _span(item.claim) if item.claim else frozenset({_span(item.link.left),
                                                             _span(item.link.right)})  # fmt: skip
        passage = (item.document.checksum, item.start, item.end) if item.document else None
        out.add((on, item.kind, item.bearing, item.citation, item.url, item.quote, passage))
    return out


def test_an_export_imported_into_an_empty_crosscheck_gives_back_the_same_work(
    tmp_path, annotator, editor
):
    overview, kirov = load_seed(tmp_path / "seeds", "001_", "003_")
    first = make_claim(overview, user=annotator, quote=overview.text[200:260].strip(),
                       statement="The trials were show trials.",
                       topics=["Trials", "Show trial"])  # fmt: skip
    second = make_claim(overview, user=annotator, quote=overview.text[400:430].strip(),
                        statement="A second claim.")  # fmt: skip
    assassin = "His assassin, Nicolaiev, was an obscure employee of the Soviet apparatus."
    third = make_claim(kirov, user=annotator, quote=assassin,
                       statement="Nicolaiev was obscure.", topics=["Kirov"])  # fmt: skip
    contradicts = make_link(first, third, user=annotator, rationale="They disagree.")
    make_link(third, second, user=annotator, relation="qualifies", rationale="Narrower.")
    make_evidence(first, user=annotator, citation="R. Conquest, The Great Terror, 1968.")
    make_evidence(third, user=annotator, kind="url", url="https://example.org/kirov",
                  bearing="refutes")  # fmt: skip
    make_evidence(link=contradicts, user=annotator, kind="quote", quote="“A quoted line.”",
                  citation="Pravda, 2 December 1934")  # fmt: skip
    passage = kirov.text.index("Kirov was killed by the GPU on the orders of Stalin")
    make_evidence(second, user=annotator, kind="passage", document=kirov, start=passage,
                  end=passage + 51, quote=kirov.text[passage : passage + 51])  # fmt: skip
    claims, links, evidence = _claims(), _links(), _evidence()
    files = {document.pk: _export(document) for document in (overview, kirov)}

    # The same seeds, nothing annotated: an empty Crosscheck.
    Evidence.objects.all().delete()
    ClaimLink.objects.all().delete()
    Claim.objects.all().delete()
    Topic.objects.all().delete()

    one = _import(overview, files[overview.pk], editor)
    assert (one.claims, one.links, one.evidence) == (2, 0, 2)  # the links wait for the other side
    two = _import(kirov, files[kirov.pk], editor)
    assert (two.claims, two.links, two.evidence) == (1, 2, 2)
    assert _claims() == claims
    assert _links() == links
    assert _evidence() == evidence

    again = [_import(document, data, editor) for document, data in
             ((overview, files[overview.pk]), (kirov, files[kirov.pk]))]  # fmt: skip
    assert [(o.claims, o.links, o.evidence) for o in again] == [(0, 0, 0), (0, 0, 0)]
    assert (_claims(), _links(), _evidence()) == (claims, links, evidence)
