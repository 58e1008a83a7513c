"""The claim pair browser in a real browser: anyone finds pairs by relation, source and
words, sorts them and opens one; the sources and the claims list lead to it."""

from pathlib import Path

import pytest
from playwright.sync_api import expect

from claims.models import ClaimLink
from tests.browser.conftest import sign_in
from tests.factories import (
    make_claim,
    make_document,
    make_evidence,
    make_link,
    make_source,
    make_user,
)

pytestmark = pytest.mark.django_db(transaction=True)

SHOTS = Path("/tmp/shots/h11")


@pytest.fixture
def pairs():
    """Three pairs between Pravda, The Times and Izvestia, by an annotator."""
    author = make_user("annotator", username="ann")
    pravda, times, izvestia = (make_source(name=name) for name in ("Pravda", "The Times",
                                                                   "Izvestia"))  # fmt: skip

    def claim(source, quote, statement):
        document = make_document(f"Report. {quote}. End.", source=source, title=f"{source} report")
        return make_claim(document, user=author, quote=quote, statement=statement)

    taxes = claim(pravda, "taxes were cut", "Taxes were cut in 1935.")
    rose = claim(times, "taxes rose", "Taxes rose in 1935.")
    army = claim(times, "the army moved north", "The army moved north.")
    troops = claim(izvestia, "troops went north", "Troops went north.")
    exiled = claim(izvestia, "exiled in 1928", "Trotsky was exiled in 1928.")
    expelled = claim(pravda, "expelled in 1929", "Trotsky was expelled in 1929.")
    links = [
        make_link(taxes, rose, user=author, relation="contradicts", rationale="Cut or rise."),
        make_link(army, troops, user=author, relation="corroborates", rationale="North."),
        make_link(exiled, expelled, user=author, relation="qualifies", rationale="Exile."),
    ]
    make_evidence(taxes, user=author)
    return {"links": links, "pravda": pravda}


def test_anyone_finds_sorts_and_opens_claim_pairs(page, pairs):
    make_user(None, username="reader")  # signed in, with no role at all
    sign_in(page, "reader")
    page.get_by_role("link", name="Pairs", exact=True).click()
    expect(page.get_by_role("heading", name="Claim pairs", level=1)).to_be_visible()
    expect(page.get_by_role("status")).to_have_text("3 pairs")
    rows = page.get_by_role("table").get_by_role("row")
    expect(rows).to_have_count(4)  # the header and three pairs, newest first
    expect(rows.nth(1)).to_contain_text("Trotsky was exiled in 1928.")
    expect(rows.nth(1)).to_contain_text("Trotsky was expelled in 1929.")
    expect(rows.nth(1)).to_contain_text("Izvestia")
    expect(rows.nth(1)).to_contain_text("Pravda")
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SHOTS / "pair-browser.png", full_page=True)

    page.get_by_label("Either claim contains").fill("taxes")
    page.get_by_role("button", name="Filter").click()
    expect(page.get_by_role("status")).to_have_text("1 pair")
    expect(rows.nth(1)).to_contain_text("Taxes were cut in 1935.")

    page.get_by_label("Either claim contains").fill("")
    page.get_by_label("Relation").select_option("corroborates")
    page.get_by_role("button", name="Filter").click()
    expect(page.get_by_role("status")).to_have_text("1 pair")
    expect(rows.nth(1)).to_contain_text("Troops went north.")

    page.get_by_label("Relation").select_option("")
    page.get_by_label("Sort by").select_option("relation")
    page.get_by_role("button", name="Filter").click()
    expect(rows.nth(1).get_by_role("cell").first).to_have_text("contradict each other")
    expect(rows.nth(3).get_by_role("cell").first).to_have_text("qualifies the other claim")
    page.screenshot(path=SHOTS / "pair-browser-sorted.png", full_page=True)

    page.get_by_role("link", name="Open pair 1: Taxes were cut in 1935.").click()
    expect(page.get_by_role("heading", name="Claim pair", level=1)).to_be_visible()
    link = ClaimLink.objects.get(rationale="Cut or rise.")
    expect(page).to_have_url(f"{page.url.split('/links/')[0]}{link.get_absolute_url()}")


def test_a_source_and_the_claims_list_lead_to_the_pairs(page, pairs):
    make_user("reviewer", username="reader")
    sign_in(page, "reader")
    page.get_by_role("link", name="Sources").click()
    page.get_by_role("link", name="Pairs involving Pravda").click()
    expect(page.get_by_role("heading", name="Claim pairs", level=1)).to_be_visible()
    expect(page.get_by_role("status")).to_have_text("2 pairs")
    expect(page.get_by_label("Source (either side)")).to_have_value(str(pairs["pravda"].pk))

    page.get_by_role("link", name="Claims", exact=True).click()
    card = page.get_by_role("listitem").filter(has_text="Taxes were cut in 1935.")
    expect(card).to_contain_text("1 link · 1 evidence item")
    lonely = page.get_by_role("listitem").filter(has_text="Troops went north.")
    expect(lonely).to_contain_text("1 link · 0 evidence items")
    page.screenshot(path=SHOTS / "claims-list-counts.png", full_page=True)
