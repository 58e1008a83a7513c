"""The Suggested pairs queue in a real browser: an annotator fills it, then triages pairs
from the keyboard only — makes a counterpart claim and links it, sets a pair aside."""

import pytest
from playwright.sync_api import expect

from claims.models import Claim, ClaimLink
from suggestions.models import Dismissal
from suggestions.services import index_document
from tests.browser.axe import assert_accessible, watch_accessibility
from tests.browser.conftest import sign_in
from tests.factories import make_claim, make_document, make_source, make_user

pytestmark = pytest.mark.django_db(transaction=True)

IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
THIRTEEN = "A group of 13 conspirators were shot for the murder of Kirov in December 1934."
FIFTEEN = "In December 1934, after the murder of Kirov in Leningrad, 15 people were found guilty"


@pytest.fixture
def corpus(settings, tmp_path):
    settings.TASKS = IMMEDIATE  # "Find suggestions" runs at once, in the request
    settings.CROSSCHECK_JOB_FILES_DIR = tmp_path / "job-files"
    author = make_user("annotator", username="ann")
    texts = [
        ("Pravda", f"Kirov\n\nSergei Kirov was shot in Leningrad on 1 December 1934. {THIRTEEN} "
                   "Trotsky was expelled abroad in 1929 and lived in Turkey."),
        ("Bulletin", f"Reports\n\n{FIFTEEN} and executed. Nicolaiev was among them. "
                     "The harvest of 1933 was poor in the Ukraine."),
        ("Encyclopedia", "Exile\n\nTrotsky was sent into internal exile to Alma Ata in 1928. "
                         "He was expelled from the Soviet Union in 1929 to Turkey."),
    ]  # fmt: skip
    documents = [make_document(text, source=make_source(name=name)) for name, text in texts]
    for document in documents:
        index_document(document)
    make_claim(documents[0], user=author, quote=THIRTEEN, statement="Thirteen were shot.")
    make_claim(documents[0], user=author, statement="Expelled abroad in 1929.",
               quote="Trotsky was expelled abroad in 1929 and lived in Turkey.")  # fmt: skip
    return documents


def test_an_annotator_triages_suggested_pairs_from_the_keyboard(page, corpus, tmp_path):
    watch_accessibility(page)
    sign_in(page, "ann")
    page.get_by_role("link", name="Suggested pairs").click()
    expect(page.get_by_text("0 suggested pairs to look at")).to_be_visible()
    page.get_by_role("button", name="Find suggestions").click()
    expect(page.get_by_text("2 claims searched;")).to_be_visible()
    pairs = page.locator("[data-pair]")
    expect(pairs.first).to_be_visible()
    total = pairs.count()
    assert total >= 2
    page.screenshot(path=str(tmp_path / "queue.png"), full_page=True)
    assert_accessible(page)

    # The first (best) pair: the passage contradicts the claim; the statement is edited.
    first_claim = pairs.first.get_by_role("region", name="Claim").locator("a").first.inner_text()
    page.keyboard.press("c")
    statement = pairs.first.get_by_label("Statement of the claim on the passage")
    expect(statement).to_be_focused()
    statement.fill("Fifteen were executed for Kirov's murder.")
    page.keyboard.press("Enter")
    expect(page.get_by_text("The claim on the passage was made.")).to_be_visible()
    expect(page.get_by_text(f"{total - 1} suggested pair")).to_be_visible()

    made = Claim.objects.get(statement="Fifteen were executed for Kirov's murder.")
    link = ClaimLink.objects.get()
    assert link.relation == "contradicts"
    assert {link.left.statement, link.right.statement} == {first_claim, made.statement}

    # Down to the next pair, and set it aside as not related.
    page.keyboard.press("?")
    expect(page.get_by_role("dialog", name="Keyboard shortcuts")).to_be_visible()
    page.screenshot(path=str(tmp_path / "shortcuts.png"))
    page.keyboard.press("Escape")
    page.keyboard.press("j")
    page.keyboard.press("k")
    expect(pairs.first).to_be_focused()
    page.keyboard.press("x")
    expect(page.get_by_text("Not related: that passage is no longer suggested")).to_be_visible()
    expect(page.get_by_text(f"{total - 2} suggested pair")).to_be_visible()
    assert Dismissal.objects.count() == 1
