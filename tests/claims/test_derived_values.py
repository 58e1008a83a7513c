"""The values derived from what people write are computed in one place each, and every
writer stores the same: a claim's search text, the version an edit raises, a link's review
state. The services, the admin's import (``edit_in_place``) and bench/ (``claim_build``,
``link_states`` for a whole corpus) go through the same functions."""

import pytest

from claims.anchoring import anchor
from claims.models import Claim, ClaimLink, Evidence, ReviewState
from claims.reviewing import link_states
from claims.services import (
    claim_build,
    claim_create,
    claim_update,
    edit_in_place,
    evidence_update,
    link_update,
)
from tests.factories import (
    make_claim,
    make_document,
    make_evidence,
    make_link,
    make_review,
    make_user,
)

pytestmark = pytest.mark.django_db

TEXT = "Die STRASSE war am Dienstag gesperrt, schrieb die Zeitung."
QUOTE = "Die STRASSE war am Dienstag gesperrt"


def test_a_claim_built_for_a_bulk_insert_stores_what_claim_create_stores():
    document = make_document(TEXT)
    made = claim_create(
        document=document, start=0, end=len(QUOTE), quote=QUOTE,
        statement="Sagt, die Straße sei GESPERRT", user=make_user("annotator"),
    )  # fmt: skip
    built = claim_build(
        document=document, anchored=anchor(TEXT, 0, len(QUOTE), QUOTE),
        statement="Sagt, die Straße sei GESPERRT", author=make_user("annotator"),
    )  # fmt: skip
    Claim.objects.bulk_create([built])
    made.refresh_from_db()
    stored = Claim.objects.get(pk=built.pk)
    fields = ["start", "end", "quote", "prefix", "suffix", "statement", "search_text", "version"]
    assert [getattr(stored, name) for name in fields] == [getattr(made, name) for name in fields]
    assert (
        stored.search_text == "sagt, die strasse sei gesperrt\ndie strasse war am dienstag gesperrt"
    )


def test_an_edit_made_by_the_import_derives_what_the_services_derive():
    author = make_user("annotator")
    document = make_document(TEXT)
    by_service, by_import = (
        make_claim(document, user=user, quote=QUOTE) for user in (author, make_user("annotator"))
    )
    claim_update(claim=by_service, statement="Neu: ÄRGER", topics=[], version=1, user=author)
    edit_in_place(by_import, statement="Neu: ÄRGER")
    by_import.save()
    by_service.refresh_from_db()
    by_import.refresh_from_db()
    assert (by_import.version, by_import.search_text) == (2, by_service.search_text)
    assert by_service.search_text == "neu: ärger\ndie strasse war am dienstag gesperrt"

    link, other = make_link(user=author), make_link(user=author)
    link_update(link=link, relation="qualifies", rationale="Narrower.", version=1, user=author)
    edit_in_place(other, relation="qualifies", rationale="Narrower.")
    other.save()
    evidence, more = make_evidence(user=author), make_evidence(user=author)
    evidence_update(evidence=evidence, bearing="refutes", version=1, user=author)
    edit_in_place(more, bearing="refutes")
    more.save()
    for model, pks in ((ClaimLink, [link.pk, other.pk]), (Evidence, [evidence.pk, more.pk])):
        assert list(model.objects.filter(pk__in=pks).values_list("version", flat=True)) == [2, 2]


def test_the_review_states_of_a_whole_corpus_are_those_the_services_stored():
    author = make_user("annotator")
    shared = make_claim(user=author)
    names = ("pending", "confirmed", "disputed", "waiting", "answered", "on link")
    links = {name: make_link(shared if name == "answered" else None, user=author) for name in names}
    make_review(links["confirmed"], "confirmed")
    make_review(links["disputed"], "confirmed")
    make_review(links["disputed"], "rejected")
    for name in ("waiting", "answered", "on link"):
        make_review(links[name], "needs_evidence")
    make_evidence(shared, user=author)  # answers "answered", through its claim
    make_evidence(link=links["on link"], user=author)
    stored = dict(ClaimLink.objects.values_list("pk", "review_state"))
    assert {stored[links[name].pk] for name in links} == {
        ReviewState.PENDING, ReviewState.CONFIRMED, ReviewState.DISPUTED,
        ReviewState.NEEDS_EVIDENCE,
    }  # fmt: skip
    assert stored[links["answered"].pk] == ReviewState.PENDING

    assert link_states() == stored
    assert link_states(list(ClaimLink.objects.all())) == stored
