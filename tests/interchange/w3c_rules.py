"""The normative requirements of the W3C Web Annotation Data Model and Protocol
(Recommendations of 23 February 2017) as checks: each function returns the problems it
finds, each naming the section of the specification it breaks (empty: conforms).

Data Model: https://www.w3.org/TR/2017/REC-annotation-model-20170223/
Protocol:   https://www.w3.org/TR/2017/REC-annotation-protocol-20170223/

MUST requirements are checked, and the SHOULDs that an exporter can meet (the type of a
body, a time zone on times, a collection's total and last page, a page's prev link) as if
they were MUSTs: an export that meets them is more useful to every consumer. The
Crosscheck extensions are checked as the specification asks of extensions: their
motivations are defined (``extra_motivations``) and no W3C term is redefined."""

import re
from datetime import datetime
from urllib.parse import urlsplit

ANNO = "http://www.w3.org/ns/anno.jsonld"
LDP_CONTEXT = "http://www.w3.org/ns/ldp.jsonld"
LDP = "http://www.w3.org/ns/ldp#"
CONSTRAINED_BY = "http://www.w3.org/TR/annotation-protocol/"

# Data Model §3.3.5 Motivation and Purpose: the W3C's motivations.
W3C_MOTIVATIONS = {
    "assessing", "bookmarking", "classifying", "commenting", "describing", "editing",
    "highlighting", "identifying", "linking", "moderating", "questioning", "replying",
    "tagging",
}  # fmt: skip
AGENT_TYPES = {"Person", "Organization", "Software"}
# xsd:dateTime (Data Model §3.3.1: created and modified MUST be xsd:dateTime, SHOULD have a
# time zone).
XSD_DATETIME = re.compile(
    r"-?\d{4,}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(?P<zone>Z|[+-]\d{2}:\d{2})?"
)
BCP47 = re.compile(r"[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*")


def _many(value) -> list:
    """JSON-LD: a property's values, one or a list of them."""
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def is_iri(value) -> bool:
    """An absolute IRI: a scheme and something after it."""
    if not isinstance(value, str) or not value or any(c.isspace() for c in value):
        return False
    scheme = urlsplit(value).scheme
    return bool(re.fullmatch(r"[A-Za-z][A-Za-z0-9+.-]*", scheme or "")) and value[
        len(scheme) + 1 :
    ] != ""  # fmt: skip


def _iri_of(value) -> str | None:
    """The IRI a value names: itself, or its ``id`` when it is an object."""
    if isinstance(value, dict):
        value = value.get("id")
    return value if is_iri(value) else None


def _types(thing) -> list:
    return _many(thing.get("type")) if isinstance(thing, dict) else []


def context_problems(thing: dict, *, required=(ANNO,)) -> list[str]:
    """Data Model §3.1 (Annotation), §5.1, §5.2: 1 or more @context values and
    http://www.w3.org/ns/anno.jsonld MUST be one of them; a single one SHOULD be a string.
    The Web Annotation context is the first, so that later ones extend it."""
    problems = []
    contexts = _many(thing.get("@context"))
    if not contexts:
        return ["§3.1 @context: MUST have 1 or more values"]
    for iri in required:
        if iri not in contexts:
            problems.append(f"§3.1 @context: MUST include {iri}")
    if contexts and contexts[0] != ANNO:
        problems.append("§3.1 @context: the Web Annotation context must come first")
    if isinstance(thing["@context"], list) and len(contexts) == 1:
        problems.append("§3.1 @context: a single context SHOULD be given as a string")
    return problems


def _datetime_problems(thing: dict, where: str) -> list[str]:
    problems = []
    for key in ("created", "modified", "generated"):
        if key not in thing:
            continue
        value = thing[key]
        if isinstance(value, list):
            problems.append(f"§3.3.1 {where}.{key}: MUST have at most 1 value")
            continue
        match = XSD_DATETIME.fullmatch(value) if isinstance(value, str) else None
        if not match:
            problems.append(f"§3.3.1 {where}.{key}: MUST be an xsd:dateTime, not {value!r}")
            continue
        if not match.group("zone"):
            problems.append(f"§3.3.1 {where}.{key}: SHOULD have a time zone")
        else:
            datetime.fromisoformat(value.replace("Z", "+00:00"))  # a real date and time
    if "created" in thing and "modified" in thing:
        created = datetime.fromisoformat(thing["created"].replace("Z", "+00:00"))
        if datetime.fromisoformat(thing["modified"].replace("Z", "+00:00")) < created:
            problems.append(f"§3.3.1 {where}.modified: is the time of a change after creation")
    return problems


def _agent_problems(agent, where: str) -> list[str]:
    """Data Model §3.3.2 Agents."""
    if is_iri(agent):
        return []
    if not isinstance(agent, dict):
        return [f"§3.3.2 {where}: an Agent is an IRI or an object"]
    problems = []
    if "id" in agent and not is_iri(agent["id"]):
        problems.append(f"§3.3.2 {where}.id: MUST be an IRI")
    if not set(_types(agent)) & AGENT_TYPES:
        problems.append(f"§3.3.2 {where}.type: SHOULD be Person, Organization or Software")
    for key in ("name", "nickname"):
        if key in agent and not isinstance(agent[key], str):
            problems.append(f"§3.3.2 {where}.{key}: a string")
    if isinstance(agent.get("nickname"), list):
        problems.append(f"§3.3.2 {where}.nickname: MAY have exactly 1 nickname")
    return problems


def _motivation_problems(values, where: str, extra: set[str]) -> list[str]:
    """Data Model §3.3.5: motivations and purposes are Motivations: the W3C's or an
    extension's (defined in a context, narrower than one of the W3C's)."""
    return [
        f"§3.3.5 {where}: {value!r} is not a Motivation"
        for value in _many(values)
        if value not in W3C_MOTIVATIONS and value not in extra
    ]


def _other_identity_problems(thing: dict, where: str) -> list[str]:
    """Data Model §3.3.7 Other Identities: canonical at most 1 IRI, via IRIs."""
    problems = []
    if "canonical" in thing and (
        isinstance(thing["canonical"], list) or not is_iri(thing["canonical"])
    ):
        problems.append(f"§3.3.7 {where}.canonical: MAY have exactly 1 IRI")
    if any(not is_iri(via) for via in _many(thing.get("via"))):
        problems.append(f"§3.3.7 {where}.via: MUST be IRIs")
    return problems


def selector_problems(selector, where: str) -> list[str]:
    """Data Model §4.2.4 Text Quote Selector and §4.2.5 Text Position Selector (the two
    this exporter writes; any other is reported)."""
    if not isinstance(selector, dict):
        return [f"§4.2 {where}: a selector is an object"]
    kind, problems = selector.get("type"), []
    if kind == "TextQuoteSelector":
        # exact: MUST have exactly 1 character sequence; prefix, suffix: MAY have exactly 1.
        if not isinstance(selector.get("exact"), str) or not selector["exact"]:
            problems.append(f"§4.2.4 {where}.exact: MUST have exactly 1 string")
        for key in ("prefix", "suffix"):
            if key in selector and not isinstance(selector[key], str):
                problems.append(f"§4.2.4 {where}.{key}: MAY have exactly 1 string")
    elif kind == "TextPositionSelector":
        # start, end: MUST have exactly 1 non-negative integer (code points).
        for key in ("start", "end"):
            value = selector.get(key)
            if not isinstance(value, int) or isinstance(value, bool) or value < 0:
                problems.append(f"§4.2.5 {where}.{key}: MUST be exactly 1 non-negative integer")
        if not problems and selector["start"] > selector["end"]:
            problems.append(f"§4.2.5 {where}: start is after end")
    else:
        problems.append(f"§4.2 {where}.type: MUST name the selector's class, not {kind!r}")
    return problems


def resource_problems(resource, where: str, extra: set[str]) -> list[str]:
    """A body or a target: an IRI (§3.2.1 External Web Resources), an embedded textual
    body (§3.2.4), or a SpecificResource (§4)."""
    if isinstance(resource, str):
        return [] if is_iri(resource) else [f"§3.2.1 {where}: MUST be an IRI"]
    if not isinstance(resource, dict):
        return [f"§3.2 {where}: a resource is an IRI or an object"]
    problems = _other_identity_problems(resource, where)
    problems += _motivation_problems(resource.get("purpose"), f"{where}.purpose", extra)
    if "language" in resource and not all(
        isinstance(language, str) and BCP47.fullmatch(language)
        for language in _many(resource["language"])
    ):
        problems.append(f"§3.2.1 {where}.language: SHOULD be BCP47 language codes")
    if "format" in resource and (
        isinstance(resource["format"], list) or "/" not in str(resource["format"])
    ):
        problems.append(f"§3.2.1 {where}.format: SHOULD have exactly 1 media type")
    types = _types(resource)
    if "value" in resource or "TextualBody" in types:
        # §3.2.4: type SHOULD be TextualBody; value MUST have exactly 1 character sequence.
        if "TextualBody" not in types:
            problems.append(f"§3.2.4 {where}.type: SHOULD be TextualBody")
        if not isinstance(resource.get("value"), str):
            problems.append(f"§3.2.4 {where}.value: MUST have exactly 1 character sequence")
        if "id" in resource and not is_iri(resource["id"]):
            problems.append(f"§3.2.4 {where}.id: MAY have exactly 1 IRI")
        return problems
    if "source" in resource or "SpecificResource" in types:
        # §4: source MUST have exactly 1 (an IRI or a resource with one); type SHOULD be
        # SpecificResource; selector 0 or more.
        if "SpecificResource" not in types:
            problems.append(f"§4 {where}.type: SHOULD be SpecificResource")
        source = resource.get("source")
        if isinstance(source, list) or _iri_of(source) is None:
            problems.append(f"§4 {where}.source: MUST have exactly 1 IRI")
        elif isinstance(source, dict):
            problems += _other_identity_problems(source, f"{where}.source")
        for index, selector in enumerate(_many(resource.get("selector"))):
            problems += selector_problems(selector, f"{where}.selector[{index}]")
        return problems
    # §3.2.1 External Web Resources: id MUST be exactly 1 IRI.
    if not is_iri(resource.get("id")):
        problems.append(f"§3.2.1 {where}.id: MUST have exactly 1 IRI")
    return problems


def annotation_problems(
    annotation, *, embedded: bool = False, extra_motivations: set[str] = frozenset()
) -> list[str]:
    """Data Model §3.1 Annotations and what it refers to. ``embedded``: inside a page,
    whose @context it shares."""
    if not isinstance(annotation, dict):
        return ["§3.1: an Annotation is an object"]
    where = f"Annotation {annotation.get('id')}"
    extra = set(extra_motivations)
    problems = [] if embedded else context_problems(annotation)
    if embedded and "@context" in annotation:
        problems.append("§5.2 items: an embedded Annotation shares its page's @context")
    # id: MUST have exactly 1 IRI.
    if not is_iri(annotation.get("id")):
        problems.append(f"§3.1 {where}.id: MUST have exactly 1 IRI")
    # type: MUST have 1 or more types, and the Annotation class MUST be one of them.
    if "Annotation" not in _types(annotation):
        problems.append(f"§3.1 {where}.type: MUST include Annotation")
    # body: SHOULD have 1 or more; target: MUST have 1 or more.
    bodies, targets = _many(annotation.get("body")), _many(annotation.get("target"))
    if not bodies:
        problems.append(f"§3.1 {where}.body: SHOULD have 1 or more")
    if not targets:
        problems.append(f"§3.1 {where}.target: MUST have 1 or more")
    for index, body in enumerate(bodies):
        problems += resource_problems(body, f"{where}.body[{index}]", extra)
    for index, target in enumerate(targets):
        problems += resource_problems(target, f"{where}.target[{index}]", extra)
        if isinstance(target, dict) and ("value" in target or "TextualBody" in _types(target)):
            problems.append(f"§3.2.4 {where}.target[{index}]: a TextualBody is only a body")
    problems += _motivation_problems(annotation.get("motivation"), f"{where}.motivation", extra)
    problems += _datetime_problems(annotation, where)
    for index, agent in enumerate(_many(annotation.get("creator"))):
        problems += _agent_problems(agent, f"{where}.creator[{index}]")
    problems += _other_identity_problems(annotation, where)
    return problems


def page_problems(
    page, *, embedded: bool = False, iris_only: bool = False, has_prev: bool, has_next: bool,
    extra_motivations: set[str] = frozenset(),
) -> list[str]:  # fmt: skip
    """Data Model §5.2 Annotation Page; Protocol "Annotation Pages" (next MUST when not
    the last page, prev when not the first, partOf the container)."""
    if not isinstance(page, dict):
        return ["§5.2: a page is an object"]
    where = f"AnnotationPage {page.get('id')}"
    problems = [] if embedded else context_problems(page)
    if not is_iri(page.get("id")):
        problems.append(f"§5.2 {where}.id: MUST have exactly 1 IRI")
    if "AnnotationPage" not in _types(page):
        problems.append(f"§5.2 {where}.type: MUST include AnnotationPage")
    if _iri_of(page.get("partOf")) is None:
        problems.append(f"§5.2 {where}.partOf: SHOULD (Protocol: MUST) name its collection")
    for key, wanted in (("next", has_next), ("prev", has_prev)):
        value = page.get(key)
        if wanted and (isinstance(value, list) or _iri_of(value) is None):
            problems.append(f"§5.2 {where}.{key}: MUST have exactly 1 (there is one)")
        if not wanted and value is not None:
            problems.append(f"§5.2 {where}.{key}: there is no such page")
    start = page.get("startIndex")
    if start is not None and (not isinstance(start, int) or isinstance(start, bool) or start < 0):
        problems.append(f"§5.2 {where}.startIndex: MAY have exactly 1 non-negative integer")
    items = page.get("items")
    if not isinstance(items, list) or not items:
        problems.append(f"§5.2 {where}.items: MUST have an ordered list of 1 or more")
        return problems
    for item in items:
        if iris_only:
            if not is_iri(item):
                problems.append(f"Protocol PreferContainedIRIs {where}: {item!r} is not an IRI")
        else:
            problems += annotation_problems(
                item, embedded=True, extra_motivations=extra_motivations
            )
    return problems


def collection_problems(
    collection, *, container: bool = False, extra_motivations: set[str] = frozenset()
) -> list[str]:
    """Data Model §5.1 Annotation Collection; with ``container``, Protocol "Container
    Representations" (the ldp context, BasicContainer). An embedded first page is checked
    as a page."""
    if not isinstance(collection, dict):
        return ["§5.1: a collection is an object"]
    where = f"AnnotationCollection {collection.get('id')}"
    required = (ANNO, LDP_CONTEXT) if container else (ANNO,)
    problems = context_problems(collection, required=required)
    if not is_iri(collection.get("id")):
        problems.append(f"§5.1 {where}.id: MUST have exactly 1 IRI")
    types = _types(collection)
    if "AnnotationCollection" not in types:
        problems.append(f"§5.1 {where}.type: MUST include AnnotationCollection")
    if container and "BasicContainer" not in types:
        problems.append(f"Protocol Container Representations {where}.type: BasicContainer")
    if not _many(collection.get("label")) or not all(
        isinstance(label, str) for label in _many(collection.get("label"))
    ):
        problems.append(f"§5.1 {where}.label: SHOULD have 1 or more strings")
    total = collection.get("total")
    if not isinstance(total, int) or isinstance(total, bool) or total < 0:
        problems.append(f"§5.1 {where}.total: SHOULD have exactly 1 non-negative integer")
        return problems
    first, last = collection.get("first"), collection.get("last")
    if total == 0:
        if first is not None or last is not None:
            problems.append(f"§5.1 {where}: no annotations, so no first or last page")
        return problems
    # first: MUST have exactly 1 when there are annotations; last: SHOULD have exactly 1.
    if isinstance(first, list) or _iri_of(first) is None:
        problems.append(f"§5.1 {where}.first: MUST have exactly 1 page")
    if isinstance(last, list) or _iri_of(last) is None:
        problems.append(f"§5.1 {where}.last: SHOULD have exactly 1 page")
    if isinstance(first, dict):
        problems += page_problems(
            first, embedded=True, iris_only=all(isinstance(i, str) for i in first.get("items", [])),
            has_prev=False, has_next=_iri_of(first) != _iri_of(last),
            extra_motivations=extra_motivations,
        )  # fmt: skip
        if _iri_of(first.get("partOf")) not in (None, collection.get("id")):
            problems.append(f"§5.2 {where}.first.partOf: MUST be this collection")
    return problems


# --- the Protocol's HTTP headers ---------------------------------------------------------


def _links(response) -> set[tuple[str, str]]:
    """(target, rel) of every entry of the Link header."""
    found = set()
    for target, rel in re.findall(r'<([^>]*)>\s*;\s*rel="([^"]*)"', response.get("Link", "")):
        found.add((target, rel))
    return found


def response_problems(response, *, container: bool = False) -> list[str]:
    """Protocol "Annotation Retrieval" (an annotation or a page) and "Container
    Retrieval" (``container``): Content-Type JSON-LD with the annotation profile, an
    ETag, Allow listing GET (HEAD and OPTIONS: MUST be supported), Vary: Accept, and the
    LDP type links."""
    problems = []
    content_type = response.get("Content-Type", "")
    if not content_type.startswith("application/ld+json"):
        problems.append("Protocol: Content-Type MUST be application/ld+json")
    if f'profile="{ANNO}"' not in content_type:
        problems.append("Protocol: Content-Type SHOULD carry the annotation profile")
    if not response.get("ETag"):
        problems.append("Protocol: MUST have an ETag header")
    allow = {method.strip() for method in response.get("Allow", "").split(",")}
    if not {"GET", "HEAD", "OPTIONS"} <= allow:
        problems.append("Protocol: Allow MUST list GET, HEAD and OPTIONS")
    vary = {value.strip().lower() for value in response.get("Vary", "").split(",")}
    if "accept" not in vary:
        problems.append("Protocol: Vary MUST include Accept")
    links = _links(response)
    if (f"{LDP}Resource", "type") not in links and not container:
        problems.append('Protocol: Link MUST have <ldp#Resource>; rel="type"')
    if container:
        if (f"{LDP}BasicContainer", "type") not in links:
            problems.append('Protocol: Link MUST have <ldp#BasicContainer>; rel="type"')
        if (CONSTRAINED_BY, f"{LDP}constrainedBy") not in links:
            problems.append("Protocol: Link MUST have the annotation protocol as constrainedBy")
        if "prefer" not in vary:
            problems.append("Protocol: Vary SHOULD include Prefer")
    return problems
