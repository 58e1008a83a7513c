"""Evidence on claims and links through ``claims.services``: each kind, the http(s)-only
web addresses, passages anchored in stored documents, ownership and edit conflicts; and
deleting a claim together with its links and evidence."""

import pytest
from django.db import IntegrityError, transaction

from claims import services
from claims.anchoring import (
    CONTEXT_LENGTH,
    ERROR_NOT_INTEGER,
    ERROR_OUT_OF_RANGE,
    ERROR_QUOTE_MISMATCH,
    ERROR_REVERSED,
    shorten,
)
from claims.models import (
    EVIDENCE_TEXT_MAX_LENGTH,
    URL_MAX_LENGTH,
    Claim,
    ClaimLink,
    Evidence,
    EvidenceKind,
)
from claims.services import (
    ClaimConflict,
    ClaimError,
    ClaimGone,
    ClaimPermissionDenied,
    claim_delete,
    clean_url,
    dependents_of_claim,
    evidence_add,
    evidence_delete,
    evidence_update,
)
from corpus.text import ERROR_BAD_CHARACTERS
from tests.factories import (
    make_claim,
    make_document,
    make_evidence,
    make_link,
    make_source,
    make_user,
)

pytestmark = pytest.mark.django_db

PASSAGE_TEXT = (
    "Annual accounts\n\n"
    "The treasurer reported that revenue from taxes rose by eight percent in the year, "
    "well above the five percent the mayor announced.\n\nThe accounts were audited."
)
PASSAGE = "revenue from taxes rose by eight percent"
PASSAGE_START = PASSAGE_TEXT.index(PASSAGE)
PASSAGE_END = PASSAGE_START + len(PASSAGE)


@pytest.fixture
def claim(annotator):
    return make_claim(make_document("The mayor said taxes rose by five percent."), user=annotator)


@pytest.fixture
def link(claim):
    return make_link(claim, make_claim(make_document("Critics said taxes rose by eight.")))


@pytest.fixture
def passage_document():
    return make_document(PASSAGE_TEXT)


def add(user, *, claim=None, link=None, **overrides):
    arguments = {"kind": "citation", "bearing": "supports", "citation": "Smith, Taxes, 2001."}
    return evidence_add(claim=claim, link=link, user=user, **(arguments | overrides))


def add_passage(user, document, *, claim, **overrides):
    arguments = {"start": PASSAGE_START, "end": PASSAGE_END, "quote": PASSAGE}
    return add(user, claim=claim, kind="passage", document=document, **(arguments | overrides))


# Each kind


def test_a_citation_is_stored_stripped_and_nothing_else_is_set(claim, annotator):
    evidence = add(annotator, claim=claim, citation="  Smith, Taxes, 2001, p. 4.  ")
    evidence.refresh_from_db()
    assert (evidence.kind, evidence.bearing) == (EvidenceKind.CITATION, "supports")
    assert evidence.citation == "Smith, Taxes, 2001, p. 4."
    assert (evidence.url, evidence.quote, evidence.document) == ("", "", None)
    assert (evidence.start, evidence.end, evidence.prefix, evidence.suffix) == (None, None, "", "")
    assert (evidence.claim, evidence.link) == (claim, None)
    assert (evidence.created_by, evidence.version) == (annotator, 1)


def test_a_web_address_is_stored_with_an_optional_title(claim, annotator):
    evidence = add(
        annotator,
        claim=claim,
        kind="url",
        bearing="refutes",
        url="  https://example.com/report?year=2001#p4  ",
        citation="  The 2001 report  ",
    )
    evidence.refresh_from_db()
    assert (evidence.kind, evidence.bearing) == (EvidenceKind.URL, "refutes")
    assert evidence.url == "https://example.com/report?year=2001#p4"
    assert evidence.citation == "The 2001 report"
    assert (evidence.quote, evidence.document) == ("", None)


def test_a_web_address_without_a_title_stores_an_empty_citation(claim, annotator):
    evidence = add(annotator, claim=claim, kind="url", url="http://example.com/", citation=" ")
    evidence.refresh_from_db()
    assert (evidence.url, evidence.citation) == ("http://example.com/", "")


def test_a_quote_is_stored_with_where_it_is_from(claim, annotator):
    evidence = add(
        annotator, claim=claim, kind="quote", quote="  “Taxes rose.”  ", citation="Interview."
    )
    evidence.refresh_from_db()
    assert evidence.kind == EvidenceKind.QUOTE
    assert (evidence.quote, evidence.citation) == ("“Taxes rose.”", "Interview.")
    assert (evidence.url, evidence.document, evidence.start) == ("", None, None)


def test_fields_of_other_kinds_are_not_stored(claim, annotator):
    evidence = add(
        annotator, claim=claim, kind="citation", url="https://example.com/", quote="A quote."
    )
    evidence.refresh_from_db()
    assert (evidence.url, evidence.quote) == ("", "")


def test_a_passage_is_anchored_with_context_computed_by_the_server(
    claim, annotator, passage_document
):
    evidence = add_passage(annotator, passage_document, claim=claim, bearing="refutes")
    evidence.refresh_from_db()
    assert evidence.kind == EvidenceKind.PASSAGE
    assert evidence.document == passage_document
    assert (evidence.start, evidence.end, evidence.quote) == (PASSAGE_START, PASSAGE_END, PASSAGE)
    assert evidence.prefix == PASSAGE_TEXT[PASSAGE_START - CONTEXT_LENGTH : PASSAGE_START]
    assert evidence.suffix == PASSAGE_TEXT[PASSAGE_END : PASSAGE_END + CONTEXT_LENGTH]
    assert (evidence.citation, evidence.url, evidence.bearing) == ("", "", "refutes")


def test_a_sloppy_passage_selection_is_stored_trimmed(claim, annotator, passage_document):
    start, end = PASSAGE_START - 1, PASSAGE_END + 1
    evidence = add_passage(
        annotator,
        passage_document,
        claim=claim,
        start=start,
        end=end,
        quote=PASSAGE_TEXT[start:end],
    )
    evidence.refresh_from_db()
    assert (evidence.start, evidence.end, evidence.quote) == (PASSAGE_START, PASSAGE_END, PASSAGE)


def test_a_passage_of_a_document_of_another_source_is_allowed(claim, annotator):
    document = make_document(PASSAGE_TEXT, source=make_source(name="The Treasury"))
    assert document.source != claim.document.source
    evidence = add_passage(annotator, document, claim=claim)
    evidence.refresh_from_db()
    assert evidence.document.source.name == "The Treasury"


def test_a_passage_of_the_claims_own_document_is_allowed(annotator):
    claim = make_claim(make_document(PASSAGE_TEXT), quote="The accounts were audited.")
    evidence = add_passage(annotator, claim.document, claim=claim)
    assert evidence.document == claim.document


def test_a_passage_offsets_count_code_points(claim, annotator):
    text = "Emoji 👋🏽 then 𝕏 and q\u0301uark, said “Anna” here."
    document = make_document(text)
    quote = "q\u0301uark, said “Anna”"
    start = text.index(quote)
    evidence = add_passage(
        annotator, document, claim=claim, start=start, end=start + len(quote), quote=quote
    )
    evidence.refresh_from_db()
    assert (evidence.start, evidence.quote) == (start, quote)


def test_evidence_can_be_attached_to_a_link(link, annotator):
    evidence = add(annotator, link=link, kind="quote", quote="Both figures are cited.")
    evidence.refresh_from_db()
    assert (evidence.link, evidence.claim) == (link, None)
    assert list(link.evidence.all()) == [evidence]


def test_anyone_with_the_annotator_role_can_add_evidence_to_others_claims(claim, editor):
    other = make_user("annotator")
    add(other, claim=claim)
    add(editor, claim=claim)
    assert Evidence.objects.filter(claim=claim).count() == 2


def test_evidence_attached_to_both_a_claim_and_a_link_is_refused(claim, link, annotator):
    with pytest.raises(ClaimError) as error:
        add(annotator, claim=claim, link=link)
    assert str(error.value) == services.ERROR_EVIDENCE_TARGET
    assert error.value.field == "target"
    assert Evidence.objects.count() == 0


def test_evidence_attached_to_nothing_is_refused(annotator):
    with pytest.raises(ClaimError) as error:
        add(annotator)
    assert str(error.value) == services.ERROR_EVIDENCE_TARGET
    assert Evidence.objects.count() == 0


@pytest.mark.parametrize("role", ["reviewer", None])
def test_only_annotators_and_editors_can_add_evidence(claim, role):
    with pytest.raises(ClaimPermissionDenied) as error:
        add(make_user(role), claim=claim)
    assert str(error.value) == services.ERROR_NOT_ANNOTATOR
    assert Evidence.objects.count() == 0


@pytest.mark.parametrize("kind", ["book", "", None, "URL", ["url"]])
def test_an_unknown_kind_is_refused(claim, annotator, kind):
    with pytest.raises(ClaimError) as error:
        add(annotator, claim=claim, kind=kind)
    assert (str(error.value), error.value.field) == (services.ERROR_EVIDENCE_KIND, "kind")
    assert Evidence.objects.count() == 0


@pytest.mark.parametrize("bearing", ["neutral", "", None, "SUPPORTS"])
def test_an_unknown_bearing_is_refused(claim, annotator, bearing):
    with pytest.raises(ClaimError) as error:
        add(annotator, claim=claim, bearing=bearing)
    assert (str(error.value), error.value.field) == (services.ERROR_BEARING, "bearing")
    assert Evidence.objects.count() == 0


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"kind": "citation", "citation": ""}, "citation", services.ERROR_CITATION_MISSING),
        ({"kind": "citation", "citation": "  "}, "citation", services.ERROR_CITATION_MISSING),
        ({"kind": "citation", "citation": None}, "citation", services.ERROR_CITATION_MISSING),
        ({"kind": "quote", "quote": ""}, "quote", services.ERROR_QUOTE_MISSING),
        ({"kind": "quote", "quote": 5}, "quote", services.ERROR_QUOTE_MISSING),
        ({"kind": "url", "url": ""}, "url", services.ERROR_URL_MISSING),
        ({"kind": "url", "url": " \n"}, "url", services.ERROR_URL_MISSING),
        ({"kind": "url", "url": None}, "url", services.ERROR_URL_MISSING),
        ({"kind": "url", "url": ["https://example.com/"]}, "url", services.ERROR_URL_MISSING),
        (
            {"kind": "citation", "citation": "c" * (EVIDENCE_TEXT_MAX_LENGTH + 1)},
            "citation",
            services.ERROR_TEXT_TOO_LONG,
        ),
        (
            {"kind": "quote", "quote": "q" * (EVIDENCE_TEXT_MAX_LENGTH + 1)},
            "quote",
            services.ERROR_TEXT_TOO_LONG,
        ),
        (
            {"kind": "url", "url": "https://example.com/" + "p" * URL_MAX_LENGTH},
            "url",
            services.ERROR_URL_TOO_LONG,
        ),
        (
            {"kind": "quote", "quote": "ok", "citation": "c" * (EVIDENCE_TEXT_MAX_LENGTH + 1)},
            "citation",
            services.ERROR_TEXT_TOO_LONG,
        ),
        ({"kind": "citation", "citation": "a\x00b"}, "citation", ERROR_BAD_CHARACTERS),
        ({"kind": "quote", "quote": "\udfff"}, "quote", ERROR_BAD_CHARACTERS),
        ({"kind": "url", "url": "https://example.com/\x00"}, "url", ERROR_BAD_CHARACTERS),
    ],
)
def test_missing_too_long_or_unstorable_content_is_refused(
    claim, annotator, fields, field, message
):
    with pytest.raises(ClaimError) as error:
        add(annotator, claim=claim, **fields)
    assert (str(error.value), error.value.field) == (message, field)
    assert Evidence.objects.count() == 0


def test_text_of_exactly_the_maximum_length_is_accepted(claim, annotator):
    evidence = add(annotator, claim=claim, kind="quote", quote="q" * EVIDENCE_TEXT_MAX_LENGTH)
    evidence.refresh_from_db()
    assert len(evidence.quote) == EVIDENCE_TEXT_MAX_LENGTH


# Web addresses: http and https only


BAD_URLS = [
    "javascript:alert(1)",
    "JaVaScRiPt:alert(1)",
    " javascript:alert(1)",
    "java\tscript:alert(1)",
    "javascript://example.com/%0Aalert(1)",
    "data:text/html,<script>alert(1)</script>",
    "vbscript:msgbox(1)",
    "ftp://x",
    "ftp://example.com/file.txt",
    "//evil.example",
    "http://",
    "https://",
    "https:// spaced.example",
    "http://exa mple.com",
    "file:///etc/passwd",
    "mailto:someone@example.com",
    "example.com",
    "http:example.com",
    "http:/example.com",
]


@pytest.mark.parametrize("url", BAD_URLS)
def test_a_web_address_that_is_not_http_is_refused_naming_what_was_given(claim, annotator, url):
    with pytest.raises(ClaimError) as error:
        add(annotator, claim=claim, kind="url", url=url)
    assert str(error.value) == services.ERROR_URL_SCHEME.format(url=shorten(url.strip()))
    assert (error.value.field, error.value.status) == ("url", 400)
    assert Evidence.objects.count() == 0


@pytest.mark.parametrize(
    "url",
    ["http://a\u3000b.com", "https://a\u2003b.example/", "http://exa\u2028mple.com"],
    ids=["ideographic-space", "em-space", "line-separator"],
)
def test_a_web_address_with_unicode_white_space_in_the_host_is_refused_not_a_database_error(
    claim, annotator, url
):
    """The database allows no white space in a URL; the service must refuse it first."""
    with pytest.raises(ClaimError) as error:
        add(annotator, claim=claim, kind="url", url=url)
    assert str(error.value) == services.ERROR_URL_SCHEME.format(url=shorten(url))
    assert Evidence.objects.count() == 0


def test_a_long_refused_address_is_shortened_in_the_message():
    url = "javascript:" + "x" * 200
    with pytest.raises(ClaimError) as error:
        clean_url(url)
    assert str(error.value) == services.ERROR_URL_SCHEME.format(url=url[:59] + "…")


@pytest.mark.parametrize(
    ("url", "stored"),
    [
        ("http://example.com", "http://example.com"),
        ("https://example.com/a/b?c=d&e=f#g", "https://example.com/a/b?c=d&e=f#g"),
        ("HTTP://Example.com", "http://Example.com"),
        ("HtTpS://Example.com/Path", "https://Example.com/Path"),
        ("  https://example.com/padded  ", "https://example.com/padded"),
        ("https://例え.jp/ページ", "https://例え.jp/ページ"),
        ("http://127.0.0.1:8000/x", "http://127.0.0.1:8000/x"),
    ],
)
def test_http_and_https_addresses_are_kept_with_the_scheme_lowercased(
    claim, annotator, url, stored
):
    evidence = add(annotator, claim=claim, kind="url", url=url)
    evidence.refresh_from_db()
    assert evidence.url == stored


# Passages


def test_a_passage_whose_quote_does_not_match_the_text_is_refused_naming_both(
    claim, annotator, passage_document
):
    wrong = "revenue from taxes fell by eight percent"
    with pytest.raises(ClaimError) as error:
        add_passage(annotator, passage_document, claim=claim, quote=wrong)
    assert str(error.value) == ERROR_QUOTE_MISMATCH.format(
        start=PASSAGE_START, end=PASSAGE_END, actual=PASSAGE, quote=wrong
    )
    assert PASSAGE in str(error.value) and wrong in str(error.value)
    assert error.value.field == "quote"
    assert Evidence.objects.count() == 0


@pytest.mark.parametrize(
    ("start", "end", "field", "message"),
    [
        (0, len(PASSAGE_TEXT) + 1, "end", ERROR_OUT_OF_RANGE),
        (len(PASSAGE_TEXT), len(PASSAGE_TEXT) + 5, "end", ERROR_OUT_OF_RANGE),
        (10**20, 10**20 + 1, "end", ERROR_OUT_OF_RANGE),
        (PASSAGE_END, PASSAGE_START, "end", ERROR_REVERSED),
        (PASSAGE_START, PASSAGE_START, "end", ERROR_REVERSED),
    ],
)
def test_passage_offsets_outside_the_document_or_reversed_are_refused(
    claim, annotator, passage_document, start, end, field, message
):
    with pytest.raises(ClaimError) as error:
        add_passage(annotator, passage_document, claim=claim, start=start, end=end, quote="x")
    expected = message.format(start=start, end=end, length=len(PASSAGE_TEXT))
    assert (str(error.value), error.value.field) == (expected, field)
    assert Evidence.objects.count() == 0


@pytest.mark.parametrize("value", [None, "5", 5.0, True])
def test_passage_offsets_that_are_not_whole_numbers_are_refused(
    claim, annotator, passage_document, value
):
    with pytest.raises(ClaimError) as error:
        add_passage(annotator, passage_document, claim=claim, start=value)
    assert str(error.value) == ERROR_NOT_INTEGER.format(field="start", value=value)
    assert Evidence.objects.count() == 0


def test_a_passage_without_a_document_is_refused(claim, annotator):
    with pytest.raises(ClaimError) as error:
        add_passage(annotator, None, claim=claim)
    assert (str(error.value), error.value.field) == (services.ERROR_PASSAGE_DOCUMENT, "document")
    assert Evidence.objects.count() == 0


def test_a_passage_without_a_quote_is_refused(claim, annotator, passage_document):
    with pytest.raises(ClaimError) as error:
        add_passage(annotator, passage_document, claim=claim, quote=None)
    assert error.value.field == "quote"
    assert Evidence.objects.count() == 0


def test_a_passage_of_only_white_space_is_refused(claim, annotator, passage_document):
    start = PASSAGE_TEXT.index("\n\n")
    with pytest.raises(ClaimError) as error:
        add_passage(
            annotator, passage_document, claim=claim, start=start, end=start + 2, quote="\n\n"
        )
    assert error.value.field == "quote"
    assert Evidence.objects.count() == 0


# Changing the bearing


def test_the_owner_changes_the_bearing_and_the_content_stays(claim, annotator):
    evidence = make_evidence(claim, user=annotator, kind="url", citation="Report")
    returned = evidence_update(evidence=evidence, bearing="refutes", version=1, user=annotator)
    assert returned is evidence
    evidence.refresh_from_db()
    assert (evidence.bearing, evidence.version) == ("refutes", 2)
    assert (evidence.url, evidence.citation) == ("https://example.com/report", "Report")


def test_an_editor_changes_anyones_bearing(claim, annotator, editor):
    evidence = make_evidence(claim, user=annotator)
    evidence_update(evidence=evidence, bearing="refutes", version=1, user=editor)
    evidence.refresh_from_db()
    assert (evidence.bearing, evidence.version, evidence.created_by) == ("refutes", 2, annotator)


@pytest.mark.parametrize("role", ["annotator", "reviewer", None])
def test_others_cannot_change_the_bearing(claim, annotator, role):
    evidence = make_evidence(claim, user=annotator)
    with pytest.raises(ClaimPermissionDenied) as error:
        evidence_update(evidence=evidence, bearing="refutes", version=1, user=make_user(role))
    assert str(error.value) == services.ERROR_NOT_EVIDENCE_OWNER
    evidence.refresh_from_db()
    assert (evidence.bearing, evidence.version) == ("supports", 1)


def test_a_second_bearing_change_on_the_old_version_conflicts_and_the_first_is_kept(
    claim, annotator, editor
):
    evidence = make_evidence(claim, user=annotator)
    stale = Evidence.objects.get(pk=evidence.pk)
    evidence_update(evidence=evidence, bearing="refutes", version=1, user=annotator)
    with pytest.raises(ClaimConflict) as error:
        evidence_update(evidence=stale, bearing="supports", version=1, user=editor)
    assert str(error.value) == services.ERROR_CONFLICT.format(current=2, sent=1)
    assert (error.value.status, error.value.field) == (409, "version")
    evidence.refresh_from_db()
    assert (evidence.bearing, evidence.version) == ("refutes", 2)


@pytest.mark.parametrize(("bearing", "version"), [("neutral", 1), (None, 1), ("refutes", "1")])
def test_an_invalid_bearing_change_changes_nothing(claim, annotator, bearing, version):
    evidence = make_evidence(claim, user=annotator)
    with pytest.raises(ClaimError):
        evidence_update(evidence=evidence, bearing=bearing, version=version, user=annotator)
    evidence.refresh_from_db()
    assert (evidence.bearing, evidence.version) == ("supports", 1)


def test_changing_deleted_evidence_says_it_is_gone(claim, annotator):
    evidence = make_evidence(claim, user=annotator)
    Evidence.objects.filter(pk=evidence.pk).delete()
    with pytest.raises(ClaimGone) as error:
        evidence_update(evidence=evidence, bearing="refutes", version=1, user=annotator)
    assert str(error.value) == services.ERROR_EVIDENCE_GONE


# Removing


def test_the_owner_removes_evidence(claim, annotator):
    evidence = make_evidence(claim, user=annotator)
    kept = make_evidence(claim)
    evidence_delete(evidence=evidence, version=1, user=annotator)
    assert list(Evidence.objects.all()) == [kept]
    assert Claim.objects.filter(pk=claim.pk).exists()


def test_an_editor_removes_anyones_evidence(link, annotator, editor):
    evidence = make_evidence(link=link, user=annotator)
    evidence_delete(evidence=evidence, version=1, user=editor)
    assert Evidence.objects.count() == 0
    assert ClaimLink.objects.count() == 1


@pytest.mark.parametrize("role", ["annotator", "reviewer", None])
def test_others_cannot_remove_evidence(claim, annotator, role):
    evidence = make_evidence(claim, user=annotator)
    with pytest.raises(ClaimPermissionDenied) as error:
        evidence_delete(evidence=evidence, version=1, user=make_user(role))
    assert str(error.value) == services.ERROR_NOT_EVIDENCE_OWNER
    assert Evidence.objects.count() == 1


def test_removing_evidence_on_a_stale_version_is_refused(claim, annotator):
    evidence = make_evidence(claim, user=annotator)
    stale = Evidence.objects.get(pk=evidence.pk)
    evidence_update(evidence=evidence, bearing="refutes", version=1, user=annotator)
    with pytest.raises(ClaimConflict) as error:
        evidence_delete(evidence=stale, version=1, user=annotator)
    assert str(error.value) == services.ERROR_CONFLICT.format(current=2, sent=1)
    assert Evidence.objects.get().bearing == "refutes"


def test_removing_already_removed_evidence_says_it_is_gone(claim, annotator):
    evidence = make_evidence(claim, user=annotator)
    stale = Evidence.objects.get(pk=evidence.pk)
    evidence_delete(evidence=evidence, version=1, user=annotator)
    with pytest.raises(ClaimGone) as error:
        evidence_delete(evidence=stale, version=1, user=annotator)
    assert str(error.value) == services.ERROR_EVIDENCE_GONE


def test_make_evidence_goes_through_the_service(annotator):
    evidence = make_evidence(user=annotator, kind="quote", bearing="refutes")
    evidence.refresh_from_db()
    assert (evidence.kind, evidence.bearing, evidence.quote) == (
        "quote",
        "refutes",
        "A quoted passage.",
    )
    assert evidence.claim is not None


# Deleting a claim with its links and evidence


@pytest.fixture
def claim_with_dependents(claim, annotator):
    """``claim`` (by ``annotator``) with one link, one evidence item on itself and one on
    the link; and evidence on the other claim, which is not the claim's to delete."""
    link = make_link(claim, make_claim(make_document("Critics said taxes rose by eight.")))
    make_evidence(claim, user=annotator)
    make_evidence(link=link, kind="url")
    make_evidence(link.other_side(claim), kind="quote")
    return claim


def test_dependents_of_claim_count_its_links_and_the_evidence_on_it_and_on_them(
    claim_with_dependents,
):
    expected = {"links": 1, "evidence": 2, "reviews": 0, "comments": 0}
    assert dependents_of_claim(claim_with_dependents) == expected


def test_dependents_of_claim_count_links_on_either_side(annotator):
    middle = make_claim(make_document("The middle claim."))
    earlier = make_claim(make_document("An earlier claim."))
    later = make_claim(make_document("A later claim."))
    make_link(middle, earlier)
    make_link(later, middle)
    make_link(earlier, later)
    assert dependents_of_claim(middle) == {"links": 2, "evidence": 0, "reviews": 0, "comments": 0}


# The comments on the links (app discussion, registered in claims.extensions) are counted
# too: tests/discussion/test_deleting_pairs.py.


def test_dependents_of_a_claim_without_any_are_zero(claim):
    assert dependents_of_claim(claim) == {"links": 0, "evidence": 0, "reviews": 0, "comments": 0}


@pytest.mark.parametrize("confirm", [False, None, "true", 1])
def test_deleting_a_claim_with_links_and_evidence_needs_confirmation(
    claim_with_dependents, annotator, confirm
):
    with pytest.raises(ClaimConflict) as error:
        claim_delete(claim=claim_with_dependents, version=1, user=annotator, confirm=confirm)
    assert str(error.value) == services.ERROR_HAS_DEPENDENTS.format(
        thing="claim", dependents="1 link and 2 evidence items"
    )
    assert str(error.value) == (
        "Deleting this claim also deletes 1 link and 2 evidence items. "
        "Confirm to delete them together."
    )
    assert (error.value.status, error.value.field) == (409, "confirm")
    assert Claim.objects.count() == 2
    assert (ClaimLink.objects.count(), Evidence.objects.count()) == (1, 3)


@pytest.mark.parametrize(
    ("links", "evidence", "described"),
    [(0, 1, "1 evidence item"), (2, 0, "2 links"), (3, 1, "3 links and 1 evidence item")],
)
def test_the_confirmation_message_names_what_goes_with_the_claim(
    claim, annotator, links, evidence, described
):
    for _ in range(links):
        make_link(claim)
    for _ in range(evidence):
        make_evidence(claim)
    with pytest.raises(ClaimConflict) as error:
        claim_delete(claim=claim, version=1, user=annotator)
    assert str(error.value) == services.ERROR_HAS_DEPENDENTS.format(
        thing="claim", dependents=described
    )


def test_a_confirmed_claim_delete_takes_its_links_and_all_their_evidence(
    claim_with_dependents, annotator
):
    other = ClaimLink.objects.get().other_side(claim_with_dependents)
    claim_delete(claim=claim_with_dependents, version=1, user=annotator, confirm=True)
    assert list(Claim.objects.all()) == [other]
    assert ClaimLink.objects.count() == 0
    assert list(Evidence.objects.values_list("claim", "link")) == [(other.pk, None)]


def test_a_stale_claim_is_not_deleted_even_when_confirmed(claim_with_dependents, annotator):
    stale = Claim.objects.get(pk=claim_with_dependents.pk)
    services.claim_update(
        claim=claim_with_dependents, statement="Edited.", topics=[], version=1, user=annotator
    )
    with pytest.raises(ClaimConflict):
        claim_delete(claim=stale, version=1, user=annotator, confirm=True)
    assert (Claim.objects.count(), ClaimLink.objects.count(), Evidence.objects.count()) == (
        2,
        1,
        3,
    )


def test_a_document_cited_by_a_passage_cannot_be_deleted_under_it(
    claim, annotator, passage_document
):
    add_passage(annotator, passage_document, claim=claim)
    with pytest.raises(IntegrityError), transaction.atomic():
        passage_document.delete()
    assert Evidence.objects.count() == 1


# The database's own guarantees, for writes that bypass the services.


def direct_evidence(user, **fields) -> Evidence:
    defaults = {"kind": "citation", "citation": "A citation."}
    return Evidence(created_by=user, **(defaults | fields))


def test_the_database_refuses_evidence_on_both_a_claim_and_a_link(claim, link, annotator):
    with pytest.raises(IntegrityError), transaction.atomic():
        direct_evidence(annotator, claim=claim, link=link).save()
    assert Evidence.objects.count() == 0


def test_the_database_refuses_evidence_on_neither(annotator):
    with pytest.raises(IntegrityError), transaction.atomic():
        direct_evidence(annotator).save()
    assert Evidence.objects.count() == 0


@pytest.mark.parametrize(
    "url", ["javascript:x", "JAVASCRIPT:x", "data:text/html,x", "ftp://x", "http://a b", "https://"]
)
def test_the_database_refuses_a_web_address_that_is_not_http(claim, annotator, url):
    with pytest.raises(IntegrityError), transaction.atomic():
        direct_evidence(annotator, claim=claim, kind="url", url=url).save()
    assert Evidence.objects.count() == 0


def test_the_database_refuses_a_passage_without_a_document(claim, annotator):
    with pytest.raises(IntegrityError), transaction.atomic():
        direct_evidence(
            annotator, claim=claim, kind="passage", citation="", start=0, end=5, quote="Budge"
        ).save()
    assert Evidence.objects.count() == 0


@pytest.mark.parametrize(
    "fields",
    [
        {"start": None},
        {"end": None},
        {"start": 5, "end": 5},
        {"start": 9, "end": 3},
        {"quote": ""},
    ],
)
def test_the_database_refuses_a_passage_that_is_not_anchored(
    claim, annotator, passage_document, fields
):
    anchored = {"document": passage_document, "start": 0, "end": 6, "quote": "Annual"}
    with pytest.raises(IntegrityError), transaction.atomic():
        direct_evidence(
            annotator, claim=claim, kind="passage", citation="", **(anchored | fields)
        ).save()
    assert Evidence.objects.count() == 0


@pytest.mark.parametrize(
    "fields",
    [
        {"kind": "citation", "citation": ""},
        {"kind": "quote", "citation": "", "quote": ""},
        {"kind": "url", "citation": "", "url": ""},
        {"kind": "image"},
        {"bearing": "neutral"},
    ],
)
def test_the_database_refuses_evidence_without_the_content_of_its_kind(claim, annotator, fields):
    with pytest.raises(IntegrityError), transaction.atomic():
        direct_evidence(annotator, claim=claim, **fields).save()
    assert Evidence.objects.count() == 0


def test_the_database_accepts_well_formed_evidence_of_each_kind(claim, annotator, passage_document):
    direct_evidence(annotator, claim=claim).save()
    direct_evidence(annotator, claim=claim, kind="url", url="https://example.com/").save()
    direct_evidence(annotator, claim=claim, kind="quote", quote="Q.").save()
    direct_evidence(
        annotator, claim=claim, kind="passage", document=passage_document, start=0, end=6,
        quote="Annual",
    ).save()  # fmt: skip
    assert Evidence.objects.count() == 4
