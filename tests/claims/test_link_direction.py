"""Relations say what they mean: a *qualifies* link records which claim narrows the other
(``ClaimLink.direction``), chosen when linking and read the same way everywhere; the
symmetric relations have no direction and read of both claims."""

import csv
import io

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse

from claims import services
from claims.errors import ClaimError, ClaimPermissionDenied
from claims.exports import PAIRS, csv_chunks
from claims.models import ClaimLink, Direction
from claims.payloads import link_payload
from claims.services import link_create, link_update
from crosscheck.permissions import editable_by
from tests.factories import make_claim, make_document, make_link, make_source, make_user
from tests.test_admin import form_data

pytestmark = pytest.mark.django_db

EXPELLED = "Trotsky was expelled from the Soviet Union in 1929."
EXILED = "Stalin sent Trotsky into internal exile in 1928."


@pytest.fixture
def older(annotator):
    """Made first: the left claim of any pair it is in."""
    document = make_document(EXPELLED, source=make_source(name="Encyclopedia"))
    return make_claim(document, user=annotator, quote="Trotsky was expelled",
                      statement="Trotsky was expelled in 1929.")  # fmt: skip


@pytest.fixture
def newer(older, annotator):
    document = make_document(EXILED, source=make_source(name="Appeal"))
    return make_claim(document, user=annotator, quote="internal exile",
                      statement="Trotsky was exiled within the country in 1928.")  # fmt: skip


def qualifies(claim, other, user, **given) -> ClaimLink:
    return link_create(claim=claim, other=other, relation="qualifies", rationale="Narrower.",
                       user=user, **given)  # fmt: skip


# --- The service ----------------------------------------------------------------------


def test_by_default_the_claim_linked_from_qualifies_the_other_whatever_their_order(
    older, newer, annotator
):
    from_newer = qualifies(newer, older, annotator)
    assert (from_newer.left, from_newer.right) == (older, newer)
    assert from_newer.direction == Direction.RIGHT_QUALIFIES_LEFT
    assert from_newer.qualifier == newer
    assert from_newer.in_reading_order() == (newer, older)
    from_newer.delete()
    from_older = qualifies(older, newer, annotator)
    assert from_older.direction == Direction.LEFT_QUALIFIES_RIGHT
    assert from_older.in_reading_order() == (older, newer)


def test_the_qualifier_names_which_claim_narrows_the_other(older, newer, annotator):
    link = qualifies(newer, older, annotator, qualifier=str(older.public_id))
    link.refresh_from_db()
    assert link.direction == Direction.LEFT_QUALIFIES_RIGHT
    assert link.qualifier == older


@pytest.mark.parametrize(
    "qualifier", ["00000000-0000-4000-8000-000000000000", "not an id", 7, True, ["x"], {}, ""]
)
def test_a_qualifier_that_is_neither_claim_is_refused(older, newer, annotator, qualifier):
    with pytest.raises(ClaimError) as error:
        qualifies(newer, older, annotator, qualifier=qualifier)
    assert (str(error.value), error.value.field) == (services.ERROR_QUALIFIER, "qualifier")
    assert not ClaimLink.objects.exists()


def test_a_qualifier_of_another_pair_is_refused(older, newer, annotator):
    stranger = make_claim(user=annotator)
    with pytest.raises(ClaimError):
        qualifies(newer, older, annotator, qualifier=stranger.public_id)


@pytest.mark.parametrize("relation", ["contradicts", "corroborates"])
def test_the_symmetric_relations_have_no_direction_and_take_no_qualifier(
    older, newer, annotator, relation
):
    link = make_link(older, newer, user=annotator, relation=relation)
    assert link.direction == Direction.NONE and link.qualifier is None
    assert link.is_symmetric
    verb = {"contradicts": "contradict", "corroborates": "corroborate"}[relation]
    assert link.relation_phrase() == f"{verb} each other"
    with pytest.raises(ClaimError) as error:
        link_create(claim=newer, other=make_claim(user=annotator), relation=relation,
                    rationale="Why.", user=annotator, qualifier=str(newer.public_id))  # fmt: skip
    assert error.value.field == "qualifier"
    assert "goes both ways" in str(error.value)


@pytest.mark.parametrize(
    ("relation", "direction"),
    [("qualifies", "none"), ("qualifies", "sideways"), ("contradicts", "left_qualifies_right"),
     ("corroborates", "unknown")],
)  # fmt: skip
def test_the_database_ties_the_direction_to_the_relation(
    older, newer, annotator, relation, direction
):
    link = make_link(older, newer, user=annotator)
    with pytest.raises(IntegrityError), transaction.atomic():
        ClaimLink.objects.filter(pk=link.pk).update(relation=relation, direction=direction)


def test_an_edit_swaps_the_direction_and_raises_the_version(older, newer, annotator):
    link = qualifies(newer, older, annotator)
    link_update(link=link, relation="qualifies", rationale="Narrower.", version=1,
                qualifier=str(older.public_id), user=annotator)  # fmt: skip
    link.refresh_from_db()
    assert (link.direction, link.version) == (Direction.LEFT_QUALIFIES_RIGHT, 2)
    history = list(link.history.order_by("history_id").values_list("direction", flat=True))
    assert history == [Direction.RIGHT_QUALIFIES_LEFT, Direction.LEFT_QUALIFIES_RIGHT]


def test_an_edit_without_a_qualifier_keeps_the_direction(older, newer, annotator):
    link = qualifies(newer, older, annotator)
    link_update(link=link, relation="qualifies", rationale="Changed.", version=1, user=annotator)
    link.refresh_from_db()
    assert (link.direction, link.rationale) == (Direction.RIGHT_QUALIFIES_LEFT, "Changed.")


def test_changing_the_relation_sets_a_direction_that_fits_it(older, newer, annotator):
    link = make_link(older, newer, user=annotator, relation="contradicts")
    link_update(link=link, relation="qualifies", rationale="r", version=1, user=annotator)
    link.refresh_from_db()
    assert link.direction == Direction.UNKNOWN and link.direction_unknown
    link_update(link=link, relation="corroborates", rationale="r", version=2, user=annotator)
    link.refresh_from_db()
    assert link.direction == Direction.NONE
    link_update(link=link, relation="qualifies", rationale="r", version=3,
                qualifier=older.public_id, user=annotator)  # fmt: skip
    link.refresh_from_db()
    assert link.direction == Direction.LEFT_QUALIFIES_RIGHT


def test_only_the_author_or_an_editor_sets_the_direction(older, newer, annotator, reviewer):
    link = qualifies(newer, older, annotator)
    for user in (reviewer, make_user("annotator")):
        with pytest.raises(ClaimPermissionDenied):
            link_update(link=link, relation="qualifies", rationale="r", version=1,
                        qualifier=str(older.public_id), user=user)  # fmt: skip
    link_update(link=link, relation="qualifies", rationale="r", version=1,
                qualifier=str(older.public_id), user=make_user("editor"))  # fmt: skip
    link.refresh_from_db()
    assert link.direction == Direction.LEFT_QUALIFIES_RIGHT


# --- What the pages and the API read ------------------------------------------------------


def test_the_payload_says_the_direction_as_seen_from_each_claim(older, newer, annotator):
    link = ClaimLink.objects.with_sides().get(pk=qualifies(newer, older, annotator).pk)
    can_edit = editable_by(annotator)
    from_newer = link_payload(link, newer, can_edit, [])
    from_older = link_payload(link, older, can_edit, [])
    assert (from_newer["direction"], from_older["direction"]) == (
        "qualifies_other", "qualified_by_other"
    )  # fmt: skip
    assert from_newer["qualifier"] == from_older["qualifier"] == str(newer.public_id)
    ClaimLink.objects.filter(pk=link.pk).update(direction=Direction.UNKNOWN)
    link.refresh_from_db()
    assert (link_payload(link, newer, can_edit, [])["direction"], link.qualifier) == (
        "unknown", None
    )  # fmt: skip


def link_api(link=None, claim=None) -> str:
    if link is not None:
        return reverse("claims:api-link", args=[link.public_id])
    return reverse("claims:api-claim-links", args=[claim.public_id])


def test_the_api_takes_the_qualifier_when_linking_and_editing(annotator_client, older, newer):
    response = annotator_client.post(
        link_api(claim=older),
        {"other": str(newer.public_id), "relation": "qualifies", "rationale": "Narrower.",
         "qualifier": str(newer.public_id)},
        content_type="application/json",
    )  # fmt: skip
    assert response.status_code == 201
    assert response.json()["link"]["direction"] == "qualified_by_other"
    link = ClaimLink.objects.get()
    assert link.direction == Direction.RIGHT_QUALIFIES_LEFT
    response = annotator_client.patch(
        link_api(link), {"qualifier": str(older.public_id), "version": 1},
        content_type="application/json",
    )  # fmt: skip
    assert response.status_code == 200
    link.refresh_from_db()
    assert link.direction == Direction.LEFT_QUALIFIES_RIGHT
    response = annotator_client.patch(
        link_api(link), {"qualifier": "someone else", "version": 2},
        content_type="application/json",
    )  # fmt: skip
    assert response.status_code == 400
    assert response.json()["fields"] == {"qualifier": [services.ERROR_QUALIFIER]}


def test_the_openapi_description_names_the_qualifier_and_the_direction(annotator_client):
    schema = annotator_client.get(reverse("api-schema")).json()["components"]["schemas"]
    assert "qualifier" in schema["LinkCreate"]["properties"]
    assert "qualifier" in schema["LinkEdit"]["properties"]
    assert set(schema["LinkOut"]["properties"]["direction"]["enum"]) == {
        "qualifies_other", "qualified_by_other", "unknown", "none"
    }  # fmt: skip


def pair_page(client, link, **query):
    return client.get(reverse("claims:link", args=[link.public_id]), query).content.decode()


def test_the_pair_page_reads_the_qualifying_claim_first(reviewer_client, older, newer, annotator):
    link = qualifies(newer, older, annotator)
    content = pair_page(reviewer_client, link)
    assert (
        "“Trotsky was exiled within the country in 1928.” qualifies (narrows) "
        "“Trotsky was expelled in 1929.”"
    ) in content
    assert content.index("<mark>internal exile</mark>") < content.index(
        "<mark>Trotsky was expelled</mark>"
    )
    assert content.index("Qualifies (narrows) the other claim") < content.index(
        "Qualified (narrowed) by the other claim"
    )
    assert "left claim" not in content and "right one" not in content
    assert 'id="direction-form"' not in content  # a reviewer cannot change it


def test_the_pair_page_says_symmetric_relations_of_both_claims(reviewer_client, older, newer):
    link = make_link(older, newer, relation="corroborates")
    content = pair_page(reviewer_client, link)
    assert "these claims corroborate each other" in content
    assert 'id="direction-form"' not in content


def test_an_unrecorded_direction_is_said_and_its_author_asked_for_it(
    annotator_client, reviewer_client, older, newer, annotator
):
    link = qualifies(newer, older, annotator)
    ClaimLink.objects.filter(pk=link.pk).update(direction=Direction.UNKNOWN)
    for client in (annotator_client, reviewer_client):
        assert "direction not recorded" in pair_page(client, link)
    content = pair_page(annotator_client, link)
    assert '<a href="#direction-form">set it</a>' in content
    assert "Direction not recorded: which claim narrows the other?" in content
    assert 'id="direction-form"' not in pair_page(reviewer_client, link)


def direction_url(link) -> str:
    return reverse("claims:link-direction", args=[link.public_id])


def test_the_author_records_the_direction_on_the_pair_page(
    annotator_client, older, newer, annotator
):
    link = qualifies(newer, older, annotator)
    ClaimLink.objects.filter(pk=link.pk).update(direction=Direction.UNKNOWN)
    response = annotator_client.post(
        direction_url(link), {"qualifier": str(older.public_id), "version": "1"}, follow=True
    )
    assert response.redirect_chain[-1][0] == link.get_absolute_url()
    assert "Direction recorded: “Trotsky was expelled in 1929.” qualifies" in (
        response.content.decode()
    )
    link.refresh_from_db()
    assert (link.direction, link.version) == (Direction.LEFT_QUALIFIES_RIGHT, 2)


def test_recording_the_direction_is_refused_to_others_and_on_a_stale_page(
    client, reviewer_client, annotator_client, older, newer, annotator
):
    link = qualifies(newer, older, annotator)
    body = {"qualifier": str(older.public_id), "version": "1"}
    assert reviewer_client.post(direction_url(link), body).status_code == 403
    other = make_user("annotator")
    client.force_login(other)
    assert client.post(direction_url(link), body).status_code == 403
    assert annotator_client.get(direction_url(link)).status_code == 405
    response = annotator_client.post(direction_url(link), body | {"version": "7"}, follow=True)
    assert "Someone else changed" in response.content.decode()
    link.refresh_from_db()
    assert (link.direction, link.version) == (Direction.RIGHT_QUALIFIES_LEFT, 1)


def test_a_symmetric_link_gets_no_direction_from_the_pair_page(annotator_client, older, newer,
                                                               annotator):  # fmt: skip
    link = make_link(older, newer, user=annotator, relation="contradicts")
    response = annotator_client.post(
        direction_url(link), {"qualifier": str(older.public_id), "version": "1"}, follow=True
    )
    assert "goes both ways" in response.content.decode()
    link.refresh_from_db()
    assert (link.direction, link.version) == (Direction.NONE, 1)


def test_the_review_queue_reads_each_row_from_the_qualifying_claim(
    reviewer_client, older, newer, annotator
):
    qualifies(newer, older, annotator)
    content = reviewer_client.get(reverse("claims:review-queue")).content.decode()
    assert "qualifies the other claim" in content
    assert content.index("“internal exile”") < content.index("“Trotsky was expelled”")


# --- Exports, the admin and its import ----------------------------------------------------


def pairs_csv() -> list[dict]:
    text = "".join(csv_chunks(PAIRS, ClaimLink.objects.all()))
    return list(csv.DictReader(io.StringIO(text)))


def test_the_pairs_csv_says_the_direction(older, newer, annotator):
    qualifies(newer, older, annotator)
    third = make_claim(user=annotator)
    make_link(older, third, user=annotator, relation="contradicts")
    rows = pairs_csv()
    assert [(row["relation"], row["direction"]) for row in rows] == [
        ("qualifies", "right_qualifies_left"), ("contradicts", "none")
    ]  # fmt: skip
    assert rows[0]["left_claim_id"] == str(older.public_id)


def test_the_admin_list_and_page_read_the_direction(editor_client, older, newer, annotator):
    link = qualifies(newer, older, annotator)
    content = editor_client.get(reverse("admin:claims_claimlink_changelist")).content.decode()
    assert "is qualified by the other claim" in content  # the list's claim is the older one
    content = editor_client.get(
        reverse("admin:claims_claimlink_change", args=[link.pk])
    ).content.decode()
    assert (
        "“Trotsky was exiled within the country in 1928.” qualifies (narrows) "
        "“Trotsky was expelled in 1929.”."
    ) in content


def test_the_admin_sets_the_direction_through_link_update(editor_client, older, newer, annotator):
    link = qualifies(newer, older, annotator)
    url = reverse("admin:claims_claimlink_change", args=[link.pk])
    post = form_data(editor_client.get(url))
    assert post["qualifier"] == str(newer.public_id)
    response = editor_client.post(url, post | {"qualifier": str(older.public_id)})
    assert response.status_code == 302
    link.refresh_from_db()
    assert (link.direction, link.version) == (Direction.LEFT_QUALIFIES_RIGHT, 2)


def test_the_admin_import_takes_the_direction_and_refuses_one_that_does_not_fit(
    older, newer, annotator, editor
):
    from tablib import Dataset

    from claims.resources import LinkResource

    link = qualifies(newer, older, annotator)
    header = ["public_id", "left", "right", "relation", "direction", "rationale"]
    rows = [[str(link.public_id), str(older.public_id), str(newer.public_id), "qualifies",
             "left_qualifies_right", "Narrower."]]  # fmt: skip
    result = LinkResource(user=editor).import_data(Dataset(*rows, headers=header), dry_run=False)
    assert not result.has_errors() and not result.has_validation_errors()
    link.refresh_from_db()
    assert (link.direction, link.version) == (Direction.LEFT_QUALIFIES_RIGHT, 2)
    rows[0][3:5] = ["contradicts", "left_qualifies_right"]
    result = LinkResource(user=editor).import_data(Dataset(*rows, headers=header), dry_run=False)
    assert result.has_validation_errors()
    link.refresh_from_db()
    assert (link.relation, link.direction) == ("qualifies", Direction.LEFT_QUALIFIES_RIGHT)


def test_an_imported_qualifies_link_without_a_direction_has_it_unknown(older, newer, editor):
    from tablib import Dataset

    from claims.resources import LinkResource

    header = ["public_id", "left", "right", "relation", "rationale"]
    rows = [["00000000-0000-4000-8000-000000000001", str(older.public_id), str(newer.public_id),
             "qualifies", "Narrower."]]  # fmt: skip
    result = LinkResource(user=editor).import_data(Dataset(*rows, headers=header), dry_run=False)
    assert not result.has_errors() and not result.has_validation_errors()
    assert ClaimLink.objects.get().direction == Direction.UNKNOWN


@pytest.mark.django_db(transaction=True)
def test_the_migration_says_the_direction_of_existing_qualifies_links_is_unknown():
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    author = make_user("annotator")
    claims = [make_claim(user=author) for _ in range(4)]
    qualifying = qualifies(claims[0], claims[1], author)
    contradicting = make_link(claims[2], claims[3], user=author, relation="contradicts")
    executor = MigrationExecutor(connection)
    executor.migrate([("claims", "0011_claim_search_entry")])
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())
    qualifying.refresh_from_db()
    contradicting.refresh_from_db()
    assert (qualifying.direction, contradicting.direction) == (Direction.UNKNOWN, Direction.NONE)
    assert set(qualifying.history.values_list("direction", flat=True)) == {Direction.UNKNOWN}


def test_a_deleted_link_comes_back_with_its_direction(older, newer, annotator, editor):
    from claims.restores import link_restore
    from claims.services import link_delete

    link = qualifies(newer, older, annotator)
    link_delete(link=link, version=1, user=annotator)
    record = ClaimLink.history.filter(id=link.pk, history_type="-").get()
    restored = link_restore(record=record, user=editor)
    restored.refresh_from_db()
    assert restored.direction == Direction.RIGHT_QUALIFIES_LEFT
