"""Long documents in a real browser: a link to a claim or a passage opens the document at
that passage (scrolled into view and marked), the overview in the margin shows where the
claims sit and goes there from the keyboard, and stacked claims carry a count badge."""

import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from claims.models import Claim
from corpus.models import Document
from corpus.seeds import load_seeds
from tests.browser.conftest import click_text, open_document, painted, sign_in
from tests.factories import make_claim, make_document, make_evidence, make_link, make_user

pytestmark = pytest.mark.django_db(transaction=True)

SHOTS = Path("/tmp/shots/h11")
FAR_QUOTE = "members of the working team concluded that in this affair"
FAR_PASSAGE = "no materials objectively support Stalin’s participation"

# True once the highlight `name` holds a range lying within the window.
IN_VIEW = """(name) => {
  const highlight = CSS.highlights.get(name);
  if (!highlight || highlight.size === 0) return false;
  const rect = [...highlight][0].getBoundingClientRect();
  return rect.height > 0 && rect.top >= 0 && rect.bottom <= window.innerHeight;
}"""


def shoot(page: Page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SHOTS / f"{name}.png")


def expect_shown(page: Page, highlight: str, text: str) -> None:
    """The document is open, scrolled so that ``highlight`` (holding ``text``) is on screen."""
    expect(page.locator("#document-text[data-ready=true]")).to_be_attached()
    page.wait_for_function(IN_VIEW, arg=highlight)
    assert painted(page)[highlight] == [text]


@pytest.fixture
def far_pair():
    """A claim 320,000 characters into the 390 KB seed, linked to a claim of another seed,
    with a passage of the same seed near it as evidence on the link."""
    load_seeds()
    annotator = make_user("annotator", username="ann")
    blog = Document.objects.get(source__slug="myth-busting-blog")
    assert blog.text.index(FAR_QUOTE) > 320_000
    far = make_claim(
        blog, user=annotator, quote=FAR_QUOTE, statement="No materials implicate Stalin."
    )
    near = make_claim(
        Document.objects.get(source__slug="trotsky-kirov-1934"),
        user=annotator,
        quote="On the eve of my exile to Central Asia",
        statement="Trotsky was sent to Central Asia.",
    )
    link = make_link(far, near, user=annotator, rationale="Both speak of the affair.")
    start = blog.text.index(FAR_PASSAGE)
    passage = make_evidence(
        link=link, user=annotator, kind="passage", document=blog, start=start,
        end=start + len(FAR_PASSAGE), quote=FAR_PASSAGE,
    )  # fmt: skip
    make_user("reviewer", username="reader")
    return {"blog": blog, "far": far, "link": link, "passage": passage}


def test_a_quote_320000_characters_into_the_largest_seed_is_one_click_from_the_pair_page(
    page, far_pair
):
    sign_in(page, "reader")
    page.goto(far_pair["link"].get_absolute_url())
    blog = far_pair["blog"]
    page.get_by_role("article", name=blog.source.name).get_by_role("link", name=blog.title).click()

    expect(page).to_have_url(f"{blog.get_absolute_url()}#claim-{far_pair['far'].public_id}")
    expect_shown(page, "claim-current", FAR_QUOTE)
    panel = page.get_by_role("complementary", name="Claims and document details")
    expect(panel.get_by_text("No materials implicate Stalin.")).to_be_visible()
    shoot(page, "long-document-claim-from-pair-page")

    # The passage evidence on the claim's link, from the side panel: the same page, scrolled.
    page.evaluate("window.scrollTo(0, 0)")
    panel.get_by_role("link", name=blog.title).click()
    expect_shown(page, "passage-target", FAR_PASSAGE)


def test_passage_evidence_opens_the_document_at_the_passage_marked(page, far_pair):
    sign_in(page, "reader")
    page.goto(far_pair["link"].get_absolute_url())
    passage = far_pair["passage"]
    page.get_by_role("link", name=f"characters {passage.start}–{passage.end}").click()

    expect_shown(page, "passage-target", FAR_PASSAGE)
    expect(page.get_by_role("status").filter(has_text="Showing the passage")).to_have_text(
        f"Showing the passage at characters {passage.start}–{passage.end}."
    )
    shoot(page, "long-document-passage-evidence")


def test_the_pair_browser_and_the_claims_list_open_the_claim_at_its_passage(page, far_pair):
    sign_in(page, "reader")
    page.get_by_role("link", name="Pairs", exact=True).click()
    expect(page.get_by_role("heading", name="Claim pairs")).to_be_visible()
    page.get_by_role("link", name=f"in {far_pair['blog'].title}").click()
    expect_shown(page, "passage-target", FAR_QUOTE)
    expect_shown(page, "claim-current", FAR_QUOTE)  # and its card, once the claims load
    panel = page.get_by_role("complementary", name="Claims and document details")
    expect(panel.get_by_text("No materials implicate Stalin.")).to_be_visible()

    page.get_by_role("link", name="Claims", exact=True).click()
    page.get_by_label("Quote or statement contains").fill("implicate")
    page.get_by_role("button", name="Filter").click()
    page.get_by_role("link", name=f"“{FAR_QUOTE}”").click()
    expect_shown(page, "claim-current", FAR_QUOTE)


def test_a_link_to_a_passage_outside_the_text_is_explained(page):
    document = make_document("A short text.")
    make_user("reviewer", username="reader")
    sign_in(page, "reader")
    page.goto(f"{document.get_absolute_url()}#span=5-9000")
    expect(page.get_by_role("status").filter(has_text="not in this document")).to_have_text(
        "That passage is not in this document, whose text has 13 characters."
    )


# --- The overview in the margin ---------------------------------------------------------------


def long_text(paragraphs: int = 120) -> str:
    return "\n\n".join(
        f"Paragraph {n} of the long text, which goes on for a while so that it wraps over "
        f"more than one line of the page and the document is tall. Marker{n} is here."
        for n in range(paragraphs)
    )


def test_the_overview_shows_where_claims_sit_and_goes_there_from_the_keyboard(page):
    document = make_document(long_text(), title="A long text")
    annotator = make_user("annotator", username="ann")
    for n in (0, 1, 2):
        make_claim(document, user=annotator, quote=f"Marker{n} is here", statement=f"Early {n}")
    make_claim(document, user=annotator, quote="Marker60 is here", statement="Middle")
    make_claim(document, user=annotator, quote="Marker118 is here", statement="Late 118")
    make_claim(document, user=annotator, quote="Marker119 is here", statement="Late 119")
    sign_in(page, "ann")
    open_document(page, document)

    overview = page.get_by_role("navigation", name="Claims across the document")
    buckets = overview.get_by_role("button")
    expect(buckets).to_have_text(["3", "1", "2"])
    expect(buckets.first).to_have_accessible_name("3 claims, 0% into the document")
    expect(buckets.nth(1)).to_have_accessible_name(re.compile(r"^1 claim, \d+% into the document$"))
    middle = int(buckets.nth(1).get_attribute("aria-label").split(", ")[1].split("%")[0])
    assert 40 <= middle <= 55, middle  # paragraph 60 of 120
    shoot(page, "overview-bar")

    buckets.last.press("Enter")
    expect_shown(page, "claim-current", "Marker118 is here")
    panel = page.get_by_role("complementary", name="Claims and document details")
    expect(panel.get_by_text("Late 118", exact=True)).to_be_visible()
    expect(page.get_by_role("status").filter(has_text="Claim 5 of 6")).to_have_text(
        "Claim 5 of 6: Late 118"
    )
    buckets.nth(1).click()
    expect_shown(page, "claim-current", "Marker60 is here")
    shoot(page, "overview-bar-after-jump")


def test_stacked_claims_carry_a_count_badge_that_lists_them(page):
    document = make_document("Before. The trial of the sixteen opened in August 1936. After.")
    annotator = make_user("annotator", username="ann")
    for quote in ("The trial of the sixteen opened in August 1936", "the sixteen opened",
                  "sixteen"):  # fmt: skip
        make_claim(document, user=annotator, quote=quote, statement=f"About “{quote}”")
    make_claim(document, user=annotator, quote="Before", statement="Alone")
    sign_in(page, "ann")
    open_document(page, document)

    overview = page.get_by_role("navigation", name="Claims across the document")
    expect(overview.get_by_role("button")).to_have_text(["4"])  # a short text: one bucket
    badges = page.locator("#stack-counts .stack-count")
    expect(badges).to_have_text(["3"])  # one badge on the line: the most claims on it
    expect(page.locator("#stack-counts")).to_have_attribute("aria-hidden", "true")
    click_text(page, "Before")  # a single claim: no badge for it
    badges.first.click()
    panel = page.get_by_role("complementary", name="Claims and document details")
    expect(panel.get_by_role("heading", name="3 claims here")).to_be_visible()
    shoot(page, "stacked-claims-badge")


def test_the_overview_and_badges_follow_new_and_deleted_claims(page):
    document = make_document(long_text(20))
    annotator = make_user("annotator", username="ann")
    claim = make_claim(document, user=annotator, quote="Marker3 is here", statement="Three")
    sign_in(page, "ann")
    open_document(page, document)
    overview = page.get_by_role("navigation", name="Claims across the document")
    expect(overview.get_by_role("button")).to_have_text(["1"])

    click_text(page, "Marker3 is here")
    panel = page.get_by_role("complementary", name="Claims and document details")
    panel.get_by_role("button", name="Delete claim: Three").click()
    panel.get_by_role("button", name="Delete claim", exact=True).click()
    expect(overview).to_be_hidden()
    assert not Claim.objects.filter(pk=claim.pk).exists()


# --- The page's pure functions ----------------------------------------------------------------


def test_passage_addresses_buckets_and_stacks_are_read_as_the_page_reads_them(page):
    make_user(username="reader")
    sign_in(page, "reader")
    uuid = "0b8f6a4e-2c1d-4e5f-9a7b-1c2d3e4f5a6b"
    results = page.evaluate(
        """async (uuid) => {
          const { passageFromHash, bucketize, deepestPerLine } =
            await import("/static/claims/overview.js");
          return {
            hashes: [`#claim-${uuid}`, "#span=10-20", `#span=10-20&claim=${uuid}`,
                     `#claim=${uuid.toUpperCase()}`, "#span=20", "#span=-1-5", "#claim-nope",
                     "#top", "", "#span=1-2&claim=x"].map(passageFromHash),
            buckets: bucketize([0, 0.01, 0.5, 0.99, 1], 4),
            lines: deepestPerLine([{top: 10, depth: 2, offset: 1}, {top: 10, depth: 3, offset: 5},
                                   {top: 40, depth: 2, offset: 9}, {top: 10, depth: 2, offset: 7}]),
          };
        }""",
        uuid,
    )
    span = {"start": 10, "end": 20}
    assert results["hashes"] == [
        {"span": None, "claim": uuid},
        {"span": span, "claim": None},
        {"span": span, "claim": uuid},
        {"span": None, "claim": uuid},
        None,
        None,
        None,
        None,
        None,
        {"span": {"start": 1, "end": 2}, "claim": None},
    ]
    assert results["buckets"] == [{"index": 0, "items": [0, 1]}, {"index": 2, "items": [2]},
                                  {"index": 3, "items": [3, 4]}]  # fmt: skip
    assert results["lines"] == [{"top": 10, "depth": 3, "offset": 5},
                                {"top": 40, "depth": 2, "offset": 9}]  # fmt: skip
