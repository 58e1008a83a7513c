"""A word finds a claim however its accents are encoded: "café" typed as one code point
(NFC, U+00E9) or as "e" and a combining acute accent (NFD), in the query or in what the
claim stores. ``search_key`` brings both the stored search text and every query word to
NFC before folding case, on SQLite (FTS5 trigram index) and PostgreSQL alike; migration
0013 recomputes the search text of claims stored before."""

import importlib
import unicodedata

import pytest
from django.apps import apps
from django.db import connection
from django.urls import reverse

from claims.models import Claim, search_key
from claims.search import FTS_TABLE
from tests.factories import make_claim, make_document

pytestmark = pytest.mark.django_db

SEARCH_URL = reverse("claims:api-claim-search")
LIST_URL = reverse("claims:list")
MIGRATION = "claims.migrations.0013_search_text_nfc"

NFC_CAFE = "caf\u00e9"
NFD_CAFE = "cafe\u0301"


def nfd(text: str) -> str:
    return unicodedata.normalize("NFD", text)


def typeahead(client, q: str) -> set[str]:
    response = client.get(SEARCH_URL, {"q": q})
    assert response.status_code == 200
    return {result["id"] for result in response.json()["results"]}


def listed(client, q: str) -> set[str]:
    response = client.get(LIST_URL, {"q": q})
    assert response.status_code == 200
    return {str(claim.public_id) for claim in response.context["page"].object_list}


@pytest.fixture
def claims(annotator):
    """One claim whose statement was typed in NFC, one typed in NFD (kept as typed), and
    one whose quote (from a stored text, always NFC) holds the word."""
    return {
        "statement in NFC": make_claim(
            make_document("The council met on Monday."), quote="The council met",
            statement=f"The {NFC_CAFE} closed early.", user=annotator,
        ),
        "statement in NFD": make_claim(
            make_document("The mayor spoke on Tuesday."), quote="The mayor spoke",
            statement=nfd(f"Le {NFC_CAFE} de la gare a fermé."), user=annotator,
        ),
        "quote": make_claim(
            make_document(f"Le {NFC_CAFE} Procope rouvre."), quote=f"{NFC_CAFE} Procope",
            statement="A reopening.", user=annotator,
        ),
    }  # fmt: skip


def ids(claims) -> set[str]:
    return {str(claim.public_id) for claim in claims.values()}


def test_a_statement_typed_in_nfd_is_stored_as_typed_and_searched_in_nfc(claims):
    claim = Claim.objects.get(pk=claims["statement in NFD"].pk)
    assert claim.statement == nfd(f"Le {NFC_CAFE} de la gare a fermé.")
    assert claim.search_text == unicodedata.normalize("NFC", claim.search_text)
    assert NFC_CAFE in claim.search_text


@pytest.mark.parametrize(
    "q",
    [NFC_CAFE, NFD_CAFE, NFC_CAFE.upper(), nfd(NFC_CAFE.upper())],
    ids=["nfc", "nfd", "nfc-upper", "nfd-upper"],
)
def test_the_typeahead_finds_the_word_in_either_form(claims, reviewer_client, q):
    assert typeahead(reviewer_client, q) == ids(claims)


@pytest.mark.parametrize("q", [NFC_CAFE, NFD_CAFE], ids=["nfc", "nfd"])
def test_the_claims_list_finds_the_word_in_either_form(claims, reviewer_client, q):
    assert listed(reviewer_client, q) == ids(claims)


def test_a_phrase_of_several_words_in_nfd_finds_the_claim(claims, reviewer_client):
    wanted = {str(claims["statement in NFD"].public_id)}
    assert typeahead(reviewer_client, nfd("café de la gare a fermé")) == wanted
    assert listed(reviewer_client, "CAFE\u0301 FERME\u0301") == wanted


@pytest.mark.parametrize(
    "text", ["Café", "Straße", "İstanbul", "\u01f0 and J\u030c", "Å and A\u030a", "Ω and \u2126"]
)
def test_the_search_key_is_the_same_for_canonically_equivalent_texts(text):
    assert search_key(nfd(text)) == search_key(unicodedata.normalize("NFC", text))
    assert search_key(text) == unicodedata.normalize("NFC", search_key(text))


def test_the_migration_recomputes_search_texts_stored_by_the_earlier_rule(claims, reviewer_client):
    """Claims saved before: their search text case-folded but not normalised."""
    claim = claims["statement in NFD"]
    earlier = f"{claim.statement}\n{claim.quote}".casefold()
    Claim.objects.filter(pk=claim.pk).update(search_text=earlier)
    assert str(claim.public_id) not in typeahead(reviewer_client, NFC_CAFE)

    importlib.import_module(MIGRATION).recompute_search_text(apps, None)

    assert Claim.objects.get(pk=claim.pk).search_text == search_key(claim.statement, claim.quote)
    assert typeahead(reviewer_client, NFC_CAFE) == ids(claims)
    assert listed(reviewer_client, NFD_CAFE) == ids(claims)
    if connection.vendor == "sqlite":  # the update went through the FTS5 index's triggers
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {FTS_TABLE}({FTS_TABLE}, rank) VALUES ('integrity-check', 1)"
            )
