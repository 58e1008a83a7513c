"""axe-core on every page and open state, for each role: no serious or critical violation.

axe-core comes from npm at the version tests/browser/package-lock.json pins (`make axe`,
which `make test` runs, installs it into .venv/axe); the app never serves it. Each page is
opened and put in a state the way a person would (a click on a highlight opens the side
panel, "?" the list of shortcuts, …), then axe runs on the whole document with its default
rules plus ``label-content-name-mismatch`` (experimental, so off by default): a control
whose accessible name does not contain its visible label is announced as something else
than what a voice-control user says to press. ``link-in-text-block`` (a link in a line of
text told apart by colour alone) is named too, though on by default: the admin's
breadcrumbs failed it, and a test below checks it still runs there.

Injecting axe is a script added to the page, which the app's Content-Security-Policy
forbids: these tests alone browse with Playwright's ``bypass_csp``.
"""

import json
import os
import re
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from claims.models import ClaimLink
from claims.reviewing import review_submit
from claims.services import claim_date_set
from discussion.services import comment_post
from jobs.models import Job, JobState
from tests.browser.conftest import click_text, open_document, select_with_mouse, sign_in
from tests.factories import (
    make_claim,
    make_document,
    make_evidence,
    make_link,
    make_source,
    make_user,
)

pytestmark = pytest.mark.django_db(transaction=True)

ROOT = Path(__file__).resolve().parents[2]
AXE = Path(os.environ.get("AXE_PATH", ROOT / ".venv/axe/node_modules/axe-core/axe.min.js"))
SHOTS = Path("/tmp/shots/h11")
REPORTED = ("serious", "critical")

AXE_RUN = """async ([reported, exclude]) => {
  const results = await axe.run({ include: [document], exclude }, {
    rules: {
      "label-content-name-mismatch": { enabled: true },
      "link-in-text-block": { enabled: true },
    },
    resultTypes: ["violations"],
  });
  return results.violations
    .filter((violation) => reported.includes(violation.impact))
    .map((violation) => ({
      rule: violation.id,
      impact: violation.impact,
      help: violation.help,
      nodes: violation.nodes.slice(0, 4).map((node) => `${node.target.join(" ")}: ${node.html}`),
    }));
}"""

TEXT = (
    "The trial of the sixteen opened in August 1936. All the accused confessed.\n\n"
    "Critics said the confessions were obtained under pressure."
)
OTHER_TEXT = "The trial opened in July 1936, says this source. Nobody confessed freely."


@pytest.fixture
def axe_page(browser, live_server):
    """A page whose scripts the Content-Security-Policy does not restrict, so that axe can
    be added to it."""
    if not AXE.exists():
        pytest.fail(f"axe-core is not installed at {AXE}: run `make axe` (part of `make test`).")
    context = browser.new_context(
        base_url=live_server.url, viewport={"width": 1280, "height": 900}, bypass_csp=True
    )
    context.set_default_timeout(10_000)
    page = context.new_page()
    yield page
    context.close()


def violations(page: Page, exclude: tuple[str, ...] = ()) -> list[dict]:
    """The serious and critical axe violations of the page as it is now, outside the
    elements ``exclude`` selects."""
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.add_script_tag(path=str(AXE))
    return page.evaluate(AXE_RUN, [list(REPORTED), [[selector] for selector in exclude]])


class Audit:
    """Runs axe on each state a test opens, and keeps what it finds, by state."""

    def __init__(self, page: Page, role: str) -> None:
        self.page, self.role, self.found, self.checked = page, role, {}, []

    def check(self, state: str, exclude: tuple[str, ...] = ()) -> None:
        self.checked.append(state)
        found = violations(self.page, exclude)
        if found:
            self.found[state] = found
        # What was checked, to look at: /tmp/shots/h11/axe/<role>-<n>-<state>.png
        slug = re.sub(r"[^a-z0-9]+", "-", state.lower()).strip("-")
        (SHOTS / "axe").mkdir(parents=True, exist_ok=True)
        self.page.screenshot(path=SHOTS / "axe" / f"{self.role}-{len(self.checked):02}-{slug}.png")

    def visit(self, url: str, state: str | None = None, heading: str | None = None,
              exclude: tuple[str, ...] = ()) -> None:  # fmt: skip
        self.page.goto(url)
        if heading:
            expect(
                self.page.get_by_role("heading", name=heading, level=1, exact=True)
            ).to_be_visible()
        self.check(state or url, exclude)

    def report(self) -> str:
        lines = []
        for state, found in self.found.items():
            for violation in found:
                lines.append(f"{state}: {violation['rule']} ({violation['impact']}): "
                             f"{violation['help']}")  # fmt: skip
                lines.extend(f"    {node}" for node in violation["nodes"])
        return "\n".join(lines)


@pytest.fixture
def world():
    """Two sources' documents with claims by another annotator, a link between them with
    passage evidence, a verdict and a comment: enough for every page to show its parts."""
    author = make_user("annotator", username="author")
    first = make_document(TEXT, source=make_source(name="Pravda"), title="The trial opens")
    second = make_document(OTHER_TEXT, source=make_source(name="The Times"), title="Reports")
    accused = make_claim(first, user=author, quote="All the accused confessed",
                         statement="Every accused confessed.", topics=["confessions"])  # fmt: skip
    make_claim(first, user=author, quote="the confessions were obtained under pressure",
               statement="The confessions were forced.")  # fmt: skip
    freely = make_claim(second, user=author, quote="Nobody confessed freely",
                        statement="No confession was free.")  # fmt: skip
    link = make_link(accused, freely, user=author, rationale="Free or forced confessions.")
    # Two dates of one trial: the timeline draws them and their conflict.
    for claim, month in ((accused, 8), (freely, 7)):
        claim_date_set(claim=claim, date={"year": 1936, "month": month}, version=claim.version,
                       user=author)  # fmt: skip
    start = second.text.index("The trial opened in July 1936")
    make_evidence(link=link, user=author, kind="passage", document=second, start=start,
                  end=start + 29, quote=second.text[start : start + 29])  # fmt: skip
    make_evidence(accused, user=author, citation="Report of Court Proceedings, 1936, p. 9.")
    review_submit(link=link, verdict="needs_evidence", note="Which session?",
                  user=make_user("reviewer", username="first-reviewer"))  # fmt: skip
    comment_post(link=link, text="Which session, @first-reviewer? <b>not bold</b>", user=author)
    return {"first": first, "second": second, "link": link, "author": author}


def job_of(user) -> Job:
    now = timezone.now()
    return Job.objects.create(
        requested_by=user, kind="export_dataset", label="Claims as CSV", state=JobState.FAILED,
        started_at=now, finished_at=now, error="The export could not be written.",
    )  # fmt: skip


def audit_reading(audit: Audit, world) -> None:
    """The pages and open states every role has."""
    page, link = audit.page, world["link"]
    audit.visit("/corpus/", heading="Documents")
    audit.visit("/corpus/sources/", heading="Sources")
    audit.visit("/claims/", heading="Claims")
    audit.visit("/claims/?q=zzzz&source=-1", "claims list with a refused filter")
    audit.visit("/links/", heading="Claim pairs")
    audit.visit("/links/?sort=state&q=trial", "pair browser, searched and sorted")
    audit.visit(link.get_absolute_url(), "claim pair page", heading="Claim pair")
    audit.visit("/review/dashboard/", "review dashboard")
    audit.visit("/export/", "export page")
    audit.visit("/jobs/", "jobs list")
    audit.visit(f"/jobs/{job_of(page_user(audit)).public_id}/", "a failed job")
    audit.visit("/inbox/", "inbox")
    # Compare: the map, one cell's pairs (opened from the map), a topic's claims side by
    # side, the timeline with its date conflict.
    audit.visit("/compare/", "contradiction map", heading="Contradiction map")
    cell = re.compile(r"^(Pravda × The Times|The Times × Pravda): 1 contradicts — open")
    page.get_by_role("link", name=cell).first.click()
    expect(page.get_by_role("heading", name="Claim pairs", level=1)).to_be_visible()
    audit.check("a contradiction map cell's claim pairs")
    audit.visit("/compare/topics/", "every topic", heading="Topics side by side")
    audit.visit("/compare/topics/confessions/", "a topic's claims by source",
                heading="Topic: confessions")  # fmt: skip
    audit.visit("/timeline/", "timeline", heading="Timeline")
    # The API's page around the interactive docs, which are Swagger UI's (vendored by
    # django-ninja, drawn by its script): axe finds contrast and nested controls in them.
    audit.visit("/api/docs/", "API docs", heading="JSON API", exclude=("#api-docs",))

    open_document(page, world["first"])
    audit.check("document page")
    click_text(page, "All the accused confessed")
    panel = page.get_by_role("complementary", name="Claims and document details")
    expect(panel.get_by_role("heading", name="1 claim here")).to_be_visible()
    audit.check("document page, side panel open")
    page.get_by_role("navigation", name="Claims across the document").get_by_role(
        "button"
    ).first.focus()
    page.keyboard.press("?")
    expect(page.get_by_role("dialog", name="Keyboard shortcuts")).to_be_visible()
    audit.check("document page, shortcuts dialog")
    page.keyboard.press("Escape")
    page.goto(world["first"].get_absolute_url() + "#span=4-9")
    expect(page.get_by_role("status").filter(has_text="Showing the passage")).to_be_visible()
    audit.check("document page, opened at a passage")


def page_user(audit: Audit):
    from django.contrib.auth import get_user_model

    return get_user_model().objects.get(username=audit.role)


def audit_annotating(audit: Audit, world) -> None:
    page = audit.page
    audit.visit("/suggestions/", "suggested pairs", heading="Suggested pairs")
    audit.visit("/corpus/documents/upload/", "upload page")
    page.get_by_role("button", name=re.compile("^Upload")).click()
    expect(page.get_by_role("alert").first).to_be_visible()
    audit.check("upload page with errors")

    # The import of an annotation file onto a document: the page, a refused file, a preview.
    audit.visit(f"/corpus/documents/{world['first'].pk}/annotations/import/", "import page")
    import_file = page.get_by_label("Annotation file")
    import_file.set_input_files({"name": "bad.json", "mimeType": "application/json",
                                 "buffer": b"{"})  # fmt: skip
    page.get_by_role("button", name="Preview the import").click()
    expect(page.get_by_role("alert").first).to_be_visible()
    audit.check("import page with errors")
    quote = {"type": "TextQuoteSelector", "exact": "All the accused confessed."}
    notes = [{"id": f"urn:x:{n}", "type": "Annotation", "target": {"selector": quote},
              "body": {"type": "TextualBody", "value": text}}
             for n, text in ((1, "All confessed."), (2, ""))]  # fmt: skip
    import_file.set_input_files({"name": "notes.json", "mimeType": "application/json",
                                 "buffer": json.dumps(notes).encode()})  # fmt: skip
    page.get_by_role("button", name="Preview the import").click()
    expect(page.get_by_role("heading", name="Preview the import", level=1)).to_be_visible()
    audit.check("import preview")

    open_document(page, world["first"])
    select_with_mouse(page, "Critics said")
    page.get_by_role("button", name="New claim").click()
    expect(page.get_by_role("textbox", name="Statement")).to_be_focused()
    audit.check("document page, new claim form")
    page.get_by_role("button", name="Save claim").click()
    expect(page.get_by_role("alert")).to_be_visible()
    audit.check("document page, new claim form refused")

    open_document(page, world["first"])
    click_text(page, "All the accused confessed")
    panel = page.get_by_role("complementary", name="Claims and document details")
    panel.get_by_role("button", name=re.compile("^Link to claim")).first.click()
    expect(panel.get_by_role("combobox", name="Find a claim in another document")).to_be_visible()
    panel.get_by_role("combobox", name="Find a claim in another document").fill("confess")
    expect(panel.get_by_role("option").first).to_be_visible()
    audit.check("document page, link form with results")

    open_document(page, world["first"])
    click_text(page, "All the accused confessed")
    panel.get_by_role("button", name=re.compile("^Add evidence to claim")).click()
    expect(panel.get_by_role("textbox", name="Citation")).to_be_visible()
    audit.check("document page, evidence form")
    panel.get_by_role("button", name=re.compile("^Use a passage as evidence for claim")).click()
    expect(page.get_by_role("region", name="Evidence mode")).to_be_visible()
    audit.check("document page, evidence mode")
    page.get_by_role("button", name="Stop evidence mode").click()


def audit_reviewing(audit: Audit, world) -> None:
    page, link = audit.page, world["link"]
    audit.visit("/review/", "review queue", heading="Review queue")
    audit.visit(f"{link.get_absolute_url()}?queue=1", "claim pair page in the queue")
    page.get_by_role("button", name=re.compile("^Confirm")).click()
    expect(page.get_by_role("status").first).to_be_visible()
    audit.check("after a verdict")
    audit.visit("/review/mine/", "my verdicts")


def audit_editing(audit: Audit) -> None:
    audit.visit("/admin/", "admin index")
    audit.visit("/admin/claims/claim/", "admin claims")
    # Breadcrumbs whose links axe's link-in-text-block checks (on the claims list it finds
    # them too short a part of the line to check); the claim page, where a read-only field
    # lists links too, in test_the_admins_links_in_text_are_told_apart_without_colour.
    audit.visit("/admin/corpus/source/", "admin sources")
    expect(audit.page.locator("div.breadcrumbs").get_by_role("link", name="Corpus")).to_be_visible()


def audit_revisions(audit: Audit, world) -> None:
    """A corrected text with a claim that needs a check and an orphan: the revision pages,
    the orphan queue and the page that places a claim; the upload page for who may use it."""
    from claims.models import AnchorState, Claim, Evidence
    from corpus.services import document_revise

    page, author = audit.page, world["author"]
    old_text = f"Izvestia reports. {TEXT}"  # not the world's text: no duplicate
    old = make_document(old_text, source=make_source(name="Izvestia"), title="Trial report")
    checked = make_claim(old, user=author, quote="All the accused confessed",
                         statement="Every accused confessed.")  # fmt: skip
    orphan = make_claim(old, user=author, quote="obtained under pressure",
                        statement="The confessions were forced.")  # fmt: skip
    # A passage of evidence the corrected text no longer carries: listed below the claims.
    cited = old_text.index("obtained under pressure")
    left = make_evidence(checked, user=author, kind="passage", document=old, start=cited,
                         end=cited + 23, quote="obtained under pressure")  # fmt: skip
    new_text = old_text.replace("All the accused", "Each of the accused").replace(
        "obtained under pressure", "given freely"
    )
    new = document_revise(document=old, data=new_text.encode(), filename="v2.txt", user=author)
    start = new_text.index("Each of the accused confessed")
    Claim.objects.filter(pk=checked.pk).update(
        anchor_state=AnchorState.NEEDS_CHECK,
        anchor_target=new,
        anchor_score=0.7,
        anchor_start=start,
        anchor_end=start + 29,
        anchor_candidates=[[start, start + 29, 0.7]],
    )
    Claim.objects.filter(pk=orphan.pk).update(
        anchor_state=AnchorState.ORPHANED, anchor_target=new, anchor_score=0.0
    )
    Evidence.objects.filter(pk=left.pk).update(anchor_state=AnchorState.ORPHANED)
    audit.visit(f"/corpus/documents/{new.pk}/revisions/", "revision history",
                heading="Revisions of “Trial report”")  # fmt: skip
    open_document(page, old)
    audit.check("document page, an older revision")
    audit.visit("/orphans/", "orphan queue", heading="Orphan queue")
    expect(page.get_by_role("heading", name="Evidence for the claim “Every accused confessed.”")
           ).to_be_visible()  # fmt: skip
    audit.visit(f"/orphans/{checked.public_id}/", "placing a claim",
                heading="Pick a passage in revision 2")  # fmt: skip
    page.get_by_role("button", name="Select the proposed place").click()
    audit.check("placing a claim, a passage selected")
    if audit.role in ("annotator", "editor"):
        audit.visit(f"/corpus/documents/{new.pk}/revise/", "upload a corrected text",
                    heading="Upload a corrected text")  # fmt: skip
        page.get_by_role("button", name="Upload the corrected text").click()
        expect(page.get_by_role("alert").first).to_be_visible()
        audit.check("upload a corrected text, refused")


@pytest.mark.parametrize("role", ["annotator", "reviewer", "editor"])
def test_no_page_or_open_state_has_a_serious_accessibility_violation(axe_page, world, role):
    make_user(role, username=role)
    sign_in(axe_page, role)
    audit = Audit(axe_page, role)
    audit_reading(audit, world)
    if role in ("annotator", "editor"):
        audit_annotating(audit, world)
    if role in ("reviewer", "editor"):
        audit_reviewing(audit, world)
    if role == "editor":
        audit_editing(audit)
    audit_revisions(audit, world)
    assert len(audit.checked) >= 21
    assert not audit.found, f"axe found, as {role}:\n{audit.report()}"


def test_signed_out_pages_have_no_serious_accessibility_violation(axe_page):
    audit = Audit(axe_page, "anonymous")
    audit.visit("/accounts/login/", "sign in")
    axe_page.get_by_role("button", name="Sign in").click()
    expect(axe_page.get_by_role("alert").first).to_be_visible()
    audit.check("sign in refused")
    audit.visit("/no-such-page/", "not found")
    assert not audit.found, f"axe found, signed out:\n{audit.report()}"


def test_the_check_sees_a_control_named_unlike_its_label(axe_page):
    """The rule the tests enable explicitly does run: a button showing "Open" but named
    "Close" is reported."""
    make_user(username="reader")
    sign_in(axe_page, "reader")
    axe_page.evaluate(
        """() => document.querySelector("main").insertAdjacentHTML(
             "beforeend", '<button type="button" aria-label="Close the list">Open</button>')"""
    )
    found = violations(axe_page)
    assert [violation["rule"] for violation in found] == ["label-content-name-mismatch"]


def test_the_admins_links_in_text_are_told_apart_without_colour(axe_page, world):
    """Links in a line of text (the breadcrumbs; a claim's links in its read-only field)
    are underlined in the admin: axe's ``link-in-text-block`` passes them, and reports them
    styled as Django's admin styles them (colour alone), so the check does run there."""
    make_user("editor", username="editor")
    sign_in(axe_page, "editor")
    axe_page.goto(f"/admin/claims/claim/{world['link'].left_id}/change/")
    expect(axe_page.locator("div.breadcrumbs").get_by_role("link", name="Home")).to_be_visible()
    expect(axe_page.locator(".field-links .readonly a").first).to_be_visible()
    # The topics' autocomplete widget (Django's select2) is checked with the rest, closed
    # and open (crosscheck/static/crosscheck/admin-autocomplete.js names its parts).
    search = axe_page.get_by_role("searchbox", name="Topics: type to search")
    expect(search).to_be_visible()
    assert not violations(axe_page), "the admin's claim page"
    search.click()
    expect(axe_page.get_by_role("listbox", name="Topics")).to_be_visible()
    expect(axe_page.get_by_role("option", name="confessions")).to_be_visible()
    assert not violations(axe_page), "the admin's claim page, topics list open"
    axe_page.screenshot(path=SHOTS / "axe" / "editor-admin-autocomplete-open.png")
    axe_page.keyboard.press("Escape")
    expect(axe_page.get_by_role("listbox", name="Topics")).to_be_hidden()
    axe_page.screenshot(path=SHOTS / "axe" / "editor-admin-links-in-text.png")
    axe_page.add_style_tag(
        content="div.breadcrumbs a:link, div.breadcrumbs a:visited, #content .readonly a:link,"
        " #content .readonly a:visited { text-decoration: none; }"
    )
    found = violations(axe_page)
    assert [violation["rule"] for violation in found] == ["link-in-text-block"]
    assert any("breadcrumbs" in node for node in found[0]["nodes"])
    assert any("readonly" in node for node in found[0]["nodes"])


def test_a_pair_is_checked_as_its_proposer_sees_it(axe_page, world):
    """The proposer's view of a pair (no verdict form; the form recording which claim of a
    qualifies pair narrows the other) too."""
    link = world["link"]
    ClaimLink.objects.filter(pk=link.pk).update(relation="qualifies", direction="unknown")
    sign_in(axe_page, "author")
    audit = Audit(axe_page, "author")
    audit.visit(link.get_absolute_url(), "claim pair page, as its proposer")
    expect(axe_page.get_by_role("button", name="Record the direction")).to_be_visible()
    audit.check("claim pair page, direction form")
    open_document(axe_page, world["first"])
    click_text(axe_page, "All the accused confessed")
    audit.check("document page, side panel with a direction to record")
    assert not audit.found, f"axe found, as the proposer:\n{audit.report()}"
