"""The contradiction map and a topic's sources side by side, in headless Chromium, on the
seed corpus with a few links: the map prints the right count in each cell, a cell opens
its claim pairs in the pair browser, the claims list's topic chip opens the topic's sources
side by side; axe-core finds no serious or critical violation; no CSP violation.
Screenshots (1366×768) in /tmp/shots/compare/."""

import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from claims.models import Claim
from corpus.models import Document
from corpus.seeds import load_seeds
from tests.browser.axe import assert_accessible, watch_accessibility
from tests.browser.conftest import sign_in
from tests.browser.test_csp import CspWatch
from tests.factories import make_claim, make_link, make_review, make_user

pytestmark = pytest.mark.django_db(transaction=True)

SHOTS = Path("/tmp/shots/compare")
APPEAL, ENCYCLOPEDIA, BLOG = (
    "Socialist Appeal",
    "Encyclopedia overview",
    "Myth-Busting (blog archive)",
)


def shot(page: Page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SHOTS / f"{name}.png", full_page=True)


def _words(document: Document, count: int) -> list[tuple[int, int]]:
    """The spans of the document's first ``count`` words of six letters or more."""
    return [m.span() for m in re.finditer(r"[A-Za-z]{6,}", document.text)][:count]


@pytest.fixture
def seeded():
    """The seeds; Socialist Appeal × the blog: two contradicts (one confirmed), the
    encyclopedia × the blog: one contradicts, Socialist Appeal × the encyclopedia: one
    corroborates. Topic "Kirov" on the claims of the first two pairs."""
    load_seeds()
    user = make_user("annotator", username="ann")
    docs = {d.source.name: d for d in Document.objects.select_related("source")}

    def claims(name: str, count: int, topics=None) -> list[Claim]:
        return [make_claim(docs[name], user=user, start=start, end=end, topics=topics,
                           statement=f"{name} claim {number}.")
                for number, (start, end) in enumerate(_words(docs[name], count), 1)]  # fmt: skip

    appeal, blog = claims(APPEAL, 3, ["Kirov"]), claims(BLOG, 4, ["Kirov"])
    encyclopedia = claims(ENCYCLOPEDIA, 2)
    confirmed = make_link(appeal[0], blog[0], user=user, relation="contradicts")
    make_review(confirmed, "confirmed")
    make_link(appeal[1], blog[1], user=user, relation="contradicts")
    make_link(encyclopedia[0], blog[2], user=user, relation="contradicts")
    make_link(appeal[2], encyclopedia[1], user=user, relation="corroborates")
    return {"user": user}


def test_the_map_counts_the_links_and_a_cell_opens_its_pairs(page: Page, seeded):
    page.set_viewport_size({"width": 1366, "height": 768})
    watch = CspWatch(page)
    watch_accessibility(page)
    sign_in(page, "ann")
    page.get_by_role("link", name="Compare").click()
    expect(page.get_by_role("heading", name="Contradiction map")).to_be_visible()
    figure = page.locator("svg.map-figure")
    cell = figure.get_by_role("link", name=f"{APPEAL} × {BLOG}: 2 contradicts — open the pairs")
    expect(cell).to_have_count(1)
    expect(cell).to_contain_text("2")
    expect(
        figure.get_by_role("link", name=f"{ENCYCLOPEDIA} × {BLOG}: 1 contradicts — open the pairs")
    ).to_have_count(1)
    # An empty cell prints its 0 and leads nowhere.
    expect(
        figure.get_by_role("link", name=re.compile(f"^{APPEAL} × {ENCYCLOPEDIA}"))
    ).to_have_count(0)
    table = page.get_by_role("table", name="Claim pairs between each two sources, by relation")
    row = table.get_by_role("row").filter(has_text=BLOG).filter(has_text=APPEAL)
    expect(row.get_by_role("cell")).to_have_text([BLOG + " (Blog)", "2", "0", "0", "2"])
    assert_accessible(page)
    shot(page, "map")
    watch.settle()

    page.get_by_label("Review state").select_option("confirmed")
    page.get_by_role("button", name="Filter").click()
    expect(
        figure.get_by_role("link", name=f"{APPEAL} × {BLOG}: 1 contradicts — open the pairs")
    ).to_have_count(1)
    page.go_back()

    cell = (
        page.locator("svg.map-figure")
        .get_by_role("link", name=f"{APPEAL} × {BLOG}: 2 contradicts — open the pairs")
        .first
    )
    cell.click()
    expect(page.get_by_role("heading", name="Claim pairs")).to_be_visible()
    expect(page.get_by_role("status").filter(has_text="2 pairs")).to_be_visible()
    rows = page.locator("table.pair-table tbody tr")
    expect(rows).to_have_count(2)
    for number in range(2):
        expect(rows.nth(number)).to_contain_text(APPEAL)
        expect(rows.nth(number)).to_contain_text(BLOG)
    shot(page, "cell-pairs")
    watch.settle()
    watch.assert_clean()


def test_a_topic_chip_opens_the_sources_side_by_side(page: Page, seeded):
    page.set_viewport_size({"width": 1366, "height": 768})
    watch = CspWatch(page)
    watch_accessibility(page)
    sign_in(page, "ann")
    page.get_by_role("link", name="Claims", exact=True).click()
    page.get_by_role("link", name="Topic Kirov: sources side by side").first.click()
    expect(page.get_by_role("heading", name="Topic: Kirov")).to_be_visible()
    appeal = page.get_by_role("region", name=APPEAL)
    blog = page.get_by_role("region", name=BLOG)
    expect(appeal).to_be_visible()
    expect(blog).to_be_visible()
    # Side by side: the two columns share a row on the screen.
    first, second = appeal.bounding_box(), blog.bounding_box()
    assert first and second and abs(first["y"] - second["y"]) < 5 and first["x"] < second["x"]
    expect(appeal.get_by_text("Contradicts")).to_have_count(2)
    # The claims no other source on this topic addresses: the third of each.
    alone = blog.locator(".side-alone")
    expect(alone).to_contain_text(f"{BLOG} claim 3.")
    expect(alone).to_contain_text(f"{BLOG} claim 4.")
    assert_accessible(page)
    shot(page, "topic")
    appeal.get_by_role(
        "link", name=re.compile(f"^{re.escape(BLOG)}: “{re.escape(BLOG)} claim 1")
    ).click()
    expect(page.locator("li.side-claim:target")).to_contain_text(f"{BLOG} claim 1.")
    watch.settle()
    watch.assert_clean()
