"""Revisions as a person works with them: an annotator uploads a corrected text from the
document page, watches the re-anchoring job finish, opens the orphan queue, and carries an
orphaned claim over by selecting its new passage with the mouse; then accepts the proposal
of a claim that needed a check. Screenshots go to /tmp/h20c/."""

import re
from pathlib import Path

import pytest
from django.core.management import call_command
from playwright.sync_api import Page, expect

from claims.models import AnchorState, Claim
from corpus.models import Document
from tests.browser.conftest import open_document, select_with_mouse, sign_in
from tests.factories import make_claim, make_document, make_source, make_user

pytestmark = pytest.mark.django_db(transaction=True)

SHOTS = Path("/tmp/h20c")
OLD = (
    "The trial of the sixteen opened in August 1936. All the accused confessed.\n\n"
    "Critics said the confessions were obtained under pressure. "
    "Zinoviev and Kamenev were shot the next day."
)
NEW = (
    "The trial of the sixteen opened in August 1936. All the accused confessed.\n\n"
    "Critics said the confessions had been obtained under great pressure. "
    "The two leaders were executed within a day."
)


def shot(page: Page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SHOTS / f"{name}.png", full_page=True)


def run_the_worker() -> None:
    """A worker takes the queued jobs (the re-anchoring, and the new text's indexing) and
    runs them, as `manage.py db_worker` does beside the site."""
    call_command("db_worker", batch=True, startup_delay=False, reload=False, verbosity=0)


def test_an_annotator_corrects_a_text_and_settles_its_orphans(page):
    owner = make_user("annotator", username="ann")
    document = make_document(OLD, source=make_source(name="Pravda"), title="The trial opens")
    confessed = make_claim(document, user=owner, quote="All the accused confessed",
                           statement="Every accused confessed.")  # fmt: skip
    pressure = make_claim(document, user=owner,
                          quote="the confessions were obtained under pressure",
                          statement="The confessions were forced.")  # fmt: skip
    shot_dead = make_claim(document, user=owner,
                           quote="Zinoviev and Kamenev were shot the next day",
                           statement="Zinoviev and Kamenev were shot at once.")  # fmt: skip
    sign_in(page, "ann")

    # Upload the corrected text from the document page.
    open_document(page, document)
    page.get_by_role("link", name="Upload a corrected text").click()
    expect(page.get_by_role("heading", name="Upload a corrected text", level=1)).to_be_visible()
    page.get_by_label("Corrected text").set_input_files(
        {"name": "trial-v2.txt", "mimeType": "text/plain", "buffer": NEW.encode()}
    )
    page.get_by_role("button", name="Upload the corrected text").click()

    # Its job waits for a worker, then finishes before the person's eyes.
    job = page.get_by_role("article", name=re.compile("^Re-anchor the claims"))
    expect(page.get_by_role("heading", name="Carrying the claims over")).to_be_visible()
    expect(job.get_by_text("Waiting for a worker")).to_be_visible()
    next_steps = page.get_by_text("Next: open the orphan queue")
    expect(next_steps).to_be_hidden()
    shot(page, "1-job-queued")
    run_the_worker()
    expect(job.get_by_text("Done", exact=True).first).to_be_visible()
    expect(job.locator("[data-job-summary]")).to_contain_text("1 exact")
    expect(next_steps).to_be_visible()
    shot(page, "2-job-done")
    revision = Document.objects.get(previous=document)
    assert Claim.objects.get(pk=confessed.pk).document_id == revision.pk

    # The orphan queue: the claim needing a check and the orphan, old quotes in context.
    page.get_by_role("link", name="open the orphan queue").click()
    expect(page.get_by_role("heading", name="Orphan queue", level=1)).to_be_visible()
    expect(page.get_by_role("status").filter(has_text="2 claims waiting")).to_be_visible()
    orphan = page.get_by_role("listitem").filter(
        has=page.get_by_role("heading", name="Zinoviev and Kamenev were shot at once.")
    )
    expect(orphan.get_by_text("orphaned")).to_be_visible()
    expect(orphan.locator("mark")).to_have_text(["Zinoviev and Kamenev were shot the next day"])
    shot(page, "3-orphan-queue")

    # Pick the orphan's new passage by selecting it in the new text.
    orphan.get_by_role("link", name=re.compile("^Pick another passage")).click()
    expect(page.get_by_role("heading", name="Pick a passage in revision 2")).to_be_visible()
    expect(page.locator("#document-text[data-ready=true]")).to_be_attached()
    select_with_mouse(page, "The two leaders", "within a day")
    chosen = page.locator("[data-pick-preview]")
    expect(chosen).to_have_text("The two leaders were executed within a day")
    shot(page, "4-pick-selected")
    page.get_by_role("button", name="Use the selected passage").click()

    # Back in the queue: the orphan is settled, the proposal of the other is accepted.
    expect(page.get_by_text(re.compile("now points into revision 2"))).to_be_visible()
    expect(page.get_by_role("status").filter(has_text="1 claim waiting")).to_be_visible()
    settled = Claim.objects.get(pk=shot_dead.pk)
    assert (settled.document_id, settled.quote, settled.anchor_state, settled.anchor_method) == (
        revision.pk, "The two leaders were executed within a day", AnchorState.MOVED, "person",
    )  # fmt: skip
    page.get_by_role("button", name=re.compile("^Accept the proposed place")).click()
    expect(page.get_by_role("status").filter(has_text="0 claims waiting")).to_be_visible()
    expect(page.get_by_text("No claim is waiting for a check")).to_be_visible()
    carried = Claim.objects.get(pk=pressure.pk)
    assert (carried.document_id, carried.quote) == (
        revision.pk, "the confessions had been obtained under great pressure",
    )  # fmt: skip

    # The old revision says it is old, and points to the current text.
    open_document(page, document)
    expect(page.get_by_text("You are reading revision 1 of 2")).to_be_visible()
    shot(page, "5-old-revision")
    page.get_by_role("link", name="Read the current text (revision 2)").click()
    expect(page.get_by_text("Revision 2 of 2 (current)")).to_be_visible()


def test_a_passage_is_picked_with_the_keyboard(page):
    """A candidate is selected by its button, then widened with Shift and the arrow keys in
    the focused text; the form posts that passage."""
    owner = make_user("annotator", username="kbd")
    document = make_document(OLD, source=make_source(name="Izvestia"), title="The trial")
    claim = make_claim(document, user=owner, quote="the confessions were obtained under pressure",
                       statement="The confessions were forced.")  # fmt: skip
    from corpus.services import document_revise

    revision = document_revise(document=document, data=NEW.encode(), filename="v2.txt",
                               user=owner)  # fmt: skip
    start = NEW.index("the confessions had been obtained under great")
    end = start + len("the confessions had been obtained under great")
    Claim.objects.filter(pk=claim.pk).update(
        anchor_state=AnchorState.NEEDS_CHECK, anchor_target=revision, anchor_score=0.6,
        anchor_start=start, anchor_end=end, anchor_candidates=[[start, end, 0.6]],
    )  # fmt: skip
    sign_in(page, "kbd")
    page.goto(f"/orphans/{claim.public_id}/")
    expect(page.locator("#document-text[data-ready=true]")).to_be_attached()
    page.get_by_role("button", name="Select the proposed place").click()
    expect(page.locator("[data-pick-preview]")).to_have_text(
        "the confessions had been obtained under great"
    )
    for _ in range(len(" pressure")):
        page.keyboard.press("Shift+ArrowRight")
    expect(page.locator("[data-pick-preview]")).to_have_text(
        "the confessions had been obtained under great pressure"
    )
    page.get_by_role("button", name="Use the selected passage").click()
    expect(page.get_by_text(re.compile("now points into revision 2"))).to_be_visible()
    claim.refresh_from_db()
    assert (claim.document_id, claim.quote) == (
        revision.pk, "the confessions had been obtained under great pressure",
    )  # fmt: skip
