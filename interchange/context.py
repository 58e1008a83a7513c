"""The Crosscheck JSON-LD context and vocabulary: the few terms the W3C Web Annotation
vocabulary lacks (how two claims relate, which one qualifies the other, a link's review
state, evidence's bearing and kind, a claim's event date), served by the app at
``/ns/crosscheck.jsonld`` (the context) and ``/ns/crosscheck`` (the vocabulary the terms'
IRIs point into), so that every IRI an export uses resolves in the app.

The context is listed after ``http://www.w3.org/ns/anno.jsonld`` and redefines none of
its terms (tests/interchange/test_export_shapes.py checks this against the terms the
exports use). Values of the enumerations (relations, directions, states, bearings, kinds)
are plain strings, as the CSV export writes them; the two motivations are terms, since
``motivation`` takes IRIs."""

from typing import Any

ANNO_CONTEXT = "http://www.w3.org/ns/anno.jsonld"
LDP_CONTEXT = "http://www.w3.org/ns/ldp.jsonld"
VOCABULARY_PATH = "ns/crosscheck"
CONTEXT_PATH = "ns/crosscheck.jsonld"
XSD_BOOLEAN = "http://www.w3.org/2001/XMLSchema#boolean"

# Each term: (its JSON-LD definition beyond "@id", its label, what it means).
TERMS: dict[str, tuple[dict[str, str], str, str]] = {
    "relation": (
        {},
        "relation",
        "How the two claims of a link relate: contradicts, corroborates or qualifies.",
    ),
    "direction": (
        {},
        "direction",
        "Which claim of a qualifies link narrows the other: recorded (see qualifier and "
        "qualified), unknown when it was not recorded, none for the symmetric relations.",
    ),
    "qualifier": ({"@type": "@id"}, "qualifier", "The claim that narrows the other."),
    "qualified": ({"@type": "@id"}, "qualified", "The claim that the qualifier narrows."),
    "reviewState": (
        {},
        "review state",
        "Where reviewers left a link: pending, confirmed, rejected, disputed or needs_evidence.",
    ),
    "bearing": ({}, "bearing", "Whether evidence supports or refutes its target."),
    "evidenceKind": (
        {},
        "evidence kind",
        "What the evidence is: citation, url, quote or passage (of a stored document).",
    ),
    "citation": (
        {},
        "citation",
        "Where a quote is from, or the title of a web address given as evidence.",
    ),
    "eventDate": (
        {},
        "event date",
        "The date of the event a claim speaks of, as precise as its source: a year, "
        "a month or a day (ISO 8601).",
    ),
    "eventDateApproximate": (
        {"@type": XSD_BOOLEAN},
        "event date approximate",
        "True when the source gives the event date only roughly.",
    ),
}
# Motivations for evidence, each narrower than the W3C's "assessing": a new motivation is
# an oa:Motivation related to a W3C one by skos:broader (Web Annotation Data Model §3.3.5,
# Motivation and Purpose; the Vocabulary's Motivation class).
MOTIVATIONS = {
    "supporting": "The body is evidence that supports the target.",
    "refuting": "The body is evidence that refutes the target.",
}


def vocabulary_iri(base: str) -> str:
    return f"{base}/{VOCABULARY_PATH}#"


def crosscheck_context(base: str) -> dict[str, Any]:
    """The context document served at ``<base>/ns/crosscheck.jsonld``."""
    terms: dict[str, Any] = {"cc": vocabulary_iri(base)}
    for term, (definition, _label, _about) in TERMS.items():
        terms[term] = {"@id": f"cc:{term}", **definition}
    for term in MOTIVATIONS:
        terms[term] = {"@id": f"cc:{term}"}
    return {"@context": terms}


def crosscheck_vocabulary(base: str) -> dict[str, Any]:
    """The vocabulary at ``<base>/ns/crosscheck``: each term's label and meaning."""
    namespace = vocabulary_iri(base)
    graph: list[dict[str, Any]] = [
        {
            "@id": f"{namespace}{term}",
            "@type": "rdf:Property",
            "rdfs:label": label,
            "rdfs:comment": about,
        }
        for term, (_definition, label, about) in TERMS.items()
    ]
    graph += [
        {
            "@id": f"{namespace}{term}",
            "@type": "oa:Motivation",
            "rdfs:label": term,
            "rdfs:comment": about,
            "skos:broader": {"@id": "oa:assessing"},
        }
        for term, about in MOTIVATIONS.items()
    ]
    return {
        "@context": {
            "oa": "http://www.w3.org/ns/oa#",
            "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
            "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
            "skos": "http://www.w3.org/2004/02/skos/core#",
        },
        "@id": namespace.rstrip("#"),
        "rdfs:label": "Crosscheck terms for Web Annotations",
        "@graph": graph,
    }
