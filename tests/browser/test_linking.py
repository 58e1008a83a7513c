"""Linking claims across sources and attaching evidence, in a real browser."""

import pytest
from playwright.sync_api import expect

from claims.models import ClaimLink, Evidence
from corpus.models import Document
from corpus.seeds import load_seeds
from discussion.models import Comment
from tests.browser.conftest import click_text, open_document, select_with_mouse, sign_in
from tests.factories import make_claim, make_comment, make_user

pytestmark = pytest.mark.django_db(transaction=True)

EXPELLED = "Trotsky was expelled from the Soviet Union in 1929"
EXILING = "exiling Trotsky in 1928"
PASSAGE = "On the eve of my exile to Central Asia (Jan. 1928)"


def test_an_annotator_links_two_seed_claims_adds_evidence_and_opens_the_claim_pair(page):
    load_seeds()
    annotator = make_user("annotator", username="ann")
    encyclopedia = Document.objects.get(source__slug="encyclopedia-overview")
    appeal = Document.objects.get(source__slug="socialist-appeal")
    kirov = Document.objects.get(source__slug="trotsky-kirov-1934")
    expelled = make_claim(
        encyclopedia, user=annotator, quote=EXPELLED, statement="Trotsky was expelled in 1929."
    )
    make_claim(appeal, user=annotator, quote=EXILING, statement="Stalin exiled Trotsky in 1928.")
    sign_in(page, "ann")
    open_document(page, encyclopedia)
    panel = page.get_by_role("complementary", name="Claims and document details")

    # Link to the other source's claim, found by typing words of it.
    click_text(page, "expelled from the Soviet Union")
    panel.get_by_role("button", name="Link to claim…", exact=False).click()
    panel.get_by_role("combobox", name="Find a claim in another document").fill("exiled 1928")
    panel.get_by_role("option", name="Stalin exiled Trotsky in 1928.", exact=False).click()
    panel.get_by_role("combobox", name="Relation").select_option("qualifies")
    panel.get_by_role("textbox", name="Rationale").fill(
        "Internal exile to Alma Ata in 1928; expulsion abroad in 1929."
    )
    panel.get_by_role("button", name="Save link").click()
    expect(panel.get_by_text("QUALIFIES", exact=False)).to_be_visible()
    link = ClaimLink.objects.get()
    assert (link.relation, link.created_by) == ("qualifies", annotator)
    assert {link.left, link.right} == {expelled, expelled.links_as_left.get().right}

    # A citation on the claim.
    panel.get_by_role("button", name="Add evidence to claim", exact=False).click()
    panel.get_by_role("textbox", name="Citation").fill("Deutscher, The Prophet Outcast, 1963, p. 1")
    panel.get_by_role("button", name="Save evidence").click()
    expect(panel.get_by_text("Deutscher, The Prophet Outcast", exact=False)).to_be_visible()

    # A passage of a third seed, as evidence for the link.
    panel.get_by_role("button", name="Use a passage as evidence for the link", exact=False).click()
    expect(page.get_by_role("region", name="Evidence mode")).to_be_visible()
    open_document(page, kirov)
    expect(page.get_by_role("region", name="Evidence mode")).to_contain_text("the link with")
    select_with_mouse(page, PASSAGE)
    page.get_by_role("button", name="Attach passage as evidence").click()
    expect(page.get_by_text("Passage attached as evidence")).to_be_visible()
    passage = Evidence.objects.get(kind="passage")
    assert (passage.link, passage.document, passage.quote) == (link, kirov, PASSAGE)
    assert kirov.text[passage.start : passage.end] == PASSAGE

    # The claim pair page: both quotes in context, and the evidence.
    page.get_by_role("link", name="Back to the claim").click()
    click_text(page, "expelled from the Soviet Union")
    panel.get_by_role("link", name="Claim pair").click()
    expect(page.get_by_role("heading", name="Claim pair")).to_be_visible()
    marks = page.locator("mark")
    expect(marks).to_have_text(
        [EXPELLED, EXILING] if link.left == expelled else [EXILING, EXPELLED]
    )
    expect(page.locator(".in-context").first).to_contain_text("Kamenev")  # surrounding text
    expect(page.get_by_text(PASSAGE)).to_be_visible()
    expect(page.get_by_text("Deutscher, The Prophet Outcast", exact=False)).to_be_visible()
    expect(page.get_by_text("Internal exile to Alma Ata", exact=False)).to_be_visible()


def _linked_pair():
    """The seeds, annotator "ann", and a link between a claim of the encyclopedia
    ("Expelled 1929") and one of the Socialist Appeal ("Exiled 1928")."""
    from claims.services import link_create

    load_seeds()
    annotator = make_user("annotator", username="ann")
    encyclopedia = Document.objects.get(source__slug="encyclopedia-overview")
    appeal = Document.objects.get(source__slug="socialist-appeal")
    expelled = make_claim(encyclopedia, user=annotator, quote=EXPELLED, statement="Expelled 1929")
    exiling = make_claim(appeal, user=annotator, quote=EXILING, statement="Exiled 1928")
    link = link_create(
        claim=expelled, other=exiling, relation="qualifies", rationale="Dates", user=annotator
    )
    return annotator, encyclopedia, expelled, exiling, link


def test_deleting_a_linked_claim_says_what_goes_with_it(page):
    from claims.services import evidence_add

    annotator, encyclopedia, _, exiling, link = _linked_pair()
    evidence_add(link=link, kind="citation", bearing="supports", citation="A book", user=annotator)
    make_comment(link, "Which exile?")
    make_comment(link, "Both, at different dates.")
    sign_in(page, "ann")
    open_document(page, encyclopedia)
    panel = page.get_by_role("complementary", name="Claims and document details")
    click_text(page, "expelled from the Soviet Union")
    expect(panel.get_by_text("Links (1)")).to_be_visible()
    # The pair's discussion is named among what goes, by the link and by the claim.
    panel.get_by_role("button", name="Delete link with: Exiled 1928").click()
    expect(
        panel.get_by_text("Its 1 evidence item and 2 comments will be deleted with it.")
    ).to_be_visible()
    panel.get_by_role("button", name="Keep it").click()
    panel.get_by_role("button", name="Delete claim: Expelled 1929").click()
    expect(
        panel.get_by_text("Its 1 link, 1 evidence item and 2 comments will be deleted with it.")
    ).to_be_visible()
    panel.get_by_role("button", name="Delete claim", exact=True).click()
    expect(page.get_by_role("status").filter(has_text="Claim deleted.")).to_be_visible()
    assert not ClaimLink.objects.exists() and not Evidence.objects.exists()
    assert not Comment.objects.exists()
    assert exiling.__class__.objects.filter(pk=exiling.pk).exists()


def test_without_the_cards_details_the_server_says_what_goes_before_a_claim_is_deleted(page):
    """The card's details (which count what a delete takes along) fail to load: the first
    press deletes nothing and shows the server's count; only a second press deletes."""
    _, encyclopedia, expelled, _, link = _linked_pair()
    make_comment(link, "Which exile?")
    sign_in(page, "ann")

    def details_fail(route):
        if route.request.method == "GET":
            route.fulfill(status=500, content_type="application/json", body='{"error": "Down."}')
        else:
            route.continue_()

    page.route(f"**/api/claims/{expelled.public_id}/", details_fail)
    open_document(page, encyclopedia)
    panel = page.get_by_role("complementary", name="Claims and document details")
    click_text(page, "expelled from the Soviet Union")
    panel.get_by_role("button", name="Delete claim: Expelled 1929").click()
    expect(panel.get_by_text("Delete this claim?", exact=True)).to_be_visible()
    panel.get_by_role("button", name="Delete claim", exact=True).click()
    expect(panel.get_by_text("also deletes 1 link and 1 comment", exact=False)).to_be_visible()
    assert ClaimLink.objects.filter(pk=link.pk).exists()
    assert Comment.objects.count() == 1
    panel.get_by_role("button", name="Delete claim", exact=True).click()
    expect(page.get_by_role("status").filter(has_text="Claim deleted.")).to_be_visible()
    assert not ClaimLink.objects.exists() and not Comment.objects.exists()
