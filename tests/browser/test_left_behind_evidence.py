"""A passage of evidence left on an older revision of its text, as a person meets it: from
the orphan queue they open the claim it is evidence for, and its card says in words which
evidence was not carried over, why, and where the current text is; a passage carried over
shows as any other. A screenshot goes to /tmp/left-behind/."""

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from claims.models import AnchorState, Evidence
from claims.templatetags.passages import passage_url
from corpus.services import document_revise
from tests.browser.axe import assert_accessible, watch_accessibility
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

SHOTS = Path("/tmp/left-behind")
OLD = (
    "The trial of the sixteen opened in August 1936. All the accused confessed.\n\n"
    "Zinoviev and Kamenev were shot the next day."
)
NEW = (
    "The trial of the sixteen opened in August 1936. Every one of the accused confessed.\n\n"
    "The two leaders were executed within a day."
)
SHOT_DEAD = "Zinoviev and Kamenev were shot the next day"
CONFESSED = "All the accused confessed"
OPENED = "The trial of the sixteen opened in August 1936"
NOTE = "not carried over to the corrected text"


def passage(document, quote: str) -> dict:
    start = document.text.index(quote)
    return {"kind": "passage", "document": document, "start": start,
            "end": start + len(quote), "quote": quote}  # fmt: skip


def test_the_claim_card_marks_the_passages_left_on_an_older_revision(page):
    author = make_user("annotator", username="ann")
    cited = make_document(OLD, source=make_source(name="Pravda"), title="The trial opens")
    claim = make_claim(make_document("The accused were shot at once, says the memoir."),
                       user=author, quote="The accused were shot at once",
                       statement="The accused were shot at once.")  # fmt: skip
    other = make_claim(make_document("Kamenev never confessed, says the diary."),
                       user=author, quote="Kamenev never confessed",
                       statement="Kamenev never confessed.")  # fmt: skip
    link = make_link(claim, other, user=author, relation="contradicts")
    orphan = make_evidence(claim, user=author, **passage(cited, SHOT_DEAD))
    check = make_evidence(link=link, user=author, bearing="refutes", **passage(cited, CONFESSED))
    new = document_revise(document=cited, data=NEW.encode(), filename="v2.txt", user=author)
    carried = make_evidence(claim, user=author, **passage(new, OPENED))
    # As the re-anchoring job leaves them: two stay on revision 1, one was carried over.
    Evidence.objects.filter(pk=orphan.pk).update(anchor_state=AnchorState.ORPHANED)
    Evidence.objects.filter(pk=check.pk).update(anchor_state=AnchorState.NEEDS_CHECK)
    Evidence.objects.filter(pk=carried.pk).update(anchor_state=AnchorState.MOVED)
    watch_accessibility(page)
    sign_in(page, "ann")

    # From the orphan queue to the claim the orphaned passage is evidence for.
    page.goto("/orphans/")
    left = page.get_by_role("listitem").filter(
        has=page.get_by_role(
            "heading", name="Evidence for the claim “The accused were shot at once.”"
        )
    )
    left.get_by_role("link", name=re.compile("^Open the claim")).click()
    panel = page.get_by_role("complementary", name="Claims and document details")
    card = panel.locator(f"[data-claim='{claim.public_id}']")
    expect(card.get_by_role("heading", name="Evidence (2)")).to_be_visible()

    # The orphan says so in words, and what to do; the carried passage shows as before.
    marked = card.get_by_role("listitem").filter(has_text=SHOT_DEAD)
    expect(marked).to_contain_text(
        f"Left on revision 1 — {NOTE} (orphaned). Add the passage from the current revision "
        "(revision 2), then remove this one."
    )
    expect(card.get_by_role("listitem").filter(has_text=OPENED)).not_to_contain_text(NOTE)

    # The evidence on the link within the card: the weak match waits for a check.
    on_link = card.get_by_role("list", name="Evidence for this link").get_by_role("listitem")
    expect(on_link).to_contain_text(f"Left on revision 1 — {NOTE} (needs a check).")
    expect(card.get_by_text(NOTE)).to_have_count(2)
    assert_accessible(page)  # the note's contrast and its link's name among them
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.set_viewport_size({"width": 1280, "height": 1800})  # the whole card in the panel
    card.screenshot(path=SHOTS / "card.png")

    # The link goes to the current text, where the passage can be picked again.
    marked.get_by_role("link", name="the current revision (revision 2)").click()
    expect(page).to_have_url(re.compile(rf"{new.get_absolute_url()}$"))
    expect(page.locator("#document-text")).to_contain_text("The two leaders were executed")


def test_on_the_current_text_itself_the_note_names_this_page_and_who_may_remove_it(page):
    author = make_user("annotator", username="ann")
    make_user("reviewer", username="rev")
    cited = make_document(OLD, source=make_source(name="Pravda"), title="The trial opens")
    new = document_revise(document=cited, data=NEW.encode(), filename="v2.txt", user=author)
    claim = make_claim(new, user=author, quote="The two leaders were executed within a day",
                       statement="The leaders were executed at once.")  # fmt: skip
    orphan = make_evidence(claim, user=author, **passage(cited, SHOT_DEAD))
    Evidence.objects.filter(pk=orphan.pk).update(anchor_state=AnchorState.ORPHANED)
    sign_in(page, "rev")

    page.goto(passage_url(claim))
    panel = page.get_by_role("complementary", name="Claims and document details")
    card = panel.locator(f"[data-claim='{claim.public_id}']")
    marked = card.get_by_role("listitem").filter(has_text=SHOT_DEAD)
    expect(marked).to_contain_text(
        f"Left on revision 1 — {NOTE} (orphaned). Add the passage from the current revision "
        "(revision 2, this page), then ask whoever added this one, or an editor, to remove it."
    )
    expect(marked.get_by_role("link", name=re.compile("current revision"))).to_have_count(0)
