"""The passages of evidence a re-anchoring left on an older revision
(``claims.revisions.evidence_left_behind``) and the orphan queue's read-only section that
lists them, under the claims: what is listed (and what is not), on which page, what each
item links to, and the page's queries however many are listed.

The main fixture runs the real re-anchoring job on an upload; the query-count test puts
passages in their state directly, as the job leaves them."""

import itertools
from html.parser import HTMLParser

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from claims.models import AnchorState, Evidence
from claims.revision_views import EVIDENCE_SHOWN
from claims.revisions import evidence_left_behind, evidence_left_views, revision_upload
from claims.templatetags.passages import passage_url
from corpus.services import document_revise
from jobs.models import JobState
from tests.claims.test_revisions import NEW, OLD
from tests.factories import make_claim, make_document, make_evidence, make_link, make_source

pytestmark = pytest.mark.django_db
IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}

MOVED_QUOTE = "Sixteen were accused of the murder of Kirov"  # carried over, with a typo fixed
CHECK_QUOTE = "Zinoviev and Kamenev confessed to everything"  # a weak match: to check
ORPHAN_QUOTE = "The defendants were shot the next day."  # deleted from the new text


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def passage(document, quote: str) -> dict:
    start = document.text.index(quote)
    return {"kind": "passage", "document": document, "start": start,
            "end": start + len(quote), "quote": quote}  # fmt: skip


class _Items(HTMLParser):
    """The items of the page's "left behind" section: each one's text and link targets,
    by the evidence's public id."""

    def __init__(self) -> None:
        super().__init__()
        self.items: dict[str, dict] = {}
        self.heading = ""
        self._section = 0
        self._current: dict | None = None
        self._in_heading = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "section" and "left-behind" in (attrs.get("class") or ""):
            self._section = 1
        elif self._section and tag == "section":
            self._section += 1
        if not self._section:
            return
        if tag == "h2":
            self._in_heading = True
        if tag == "li" and (attrs.get("id") or "").startswith("evidence-"):
            self._current = self.items[attrs["id"].removeprefix("evidence-")] = {
                "text": "", "hrefs": []}  # fmt: skip
        if tag == "a" and self._current is not None:
            self._current["hrefs"].append(attrs["href"])

    def handle_endtag(self, tag):
        if tag == "section" and self._section:
            self._section -= 1
        if tag == "h2":
            self._in_heading = False
        if tag == "li" and self._current is not None:
            self._current = None

    def handle_data(self, data):
        if self._in_heading:
            self.heading += data
        if self._current is not None:
            self._current["text"] += data


def left_section(response) -> _Items:
    assert response.status_code == 200
    parser = _Items()
    parser.feed(response.content.decode())
    return parser


def words(text: str) -> str:
    return " ".join(text.split())


@pytest.fixture
def world(annotator, settings, django_capture_on_commit_callbacks):
    """A text cited as evidence four times (three passages and a quoted passage), then
    corrected and its re-anchoring job run: one passage carried over, one left to check
    (on a link), one orphaned (on a claim); and another text's chain with an orphan."""
    settings.TASKS = IMMEDIATE
    cited = make_document(OLD, source=make_source(name="Pravda"), title="Trial")
    claim = make_claim(make_document("The accused were shot at once."), user=annotator,
                       statement="The accused were shot at once.")  # fmt: skip
    other = make_claim(make_document("Kamenev never confessed."), user=annotator,
                       statement="Kamenev never confessed.")  # fmt: skip
    link = make_link(claim, other, user=annotator)
    orphan = make_evidence(claim, user=annotator, bearing="refutes",
                           **passage(cited, ORPHAN_QUOTE))  # fmt: skip
    check = make_evidence(link=link, user=annotator, **passage(cited, CHECK_QUOTE))
    moved = make_evidence(claim, user=annotator, **passage(cited, MOVED_QUOTE))
    quoted = make_evidence(claim, user=annotator, kind="quote", quote=ORPHAN_QUOTE)
    with django_capture_on_commit_callbacks(execute=True):
        new, job = revision_upload(document=cited, data=NEW.encode(), filename="v2.txt",
                                   user=annotator)  # fmt: skip
    job.refresh_from_db()
    assert job.state == JobState.DONE, job.error
    # Another text's chain, its passage left behind as the job leaves one.
    elsewhere = make_document("Izvestia wrote that the trial was fair.", title="Izvestia")
    far = make_evidence(other, user=annotator, **passage(elsewhere, "the trial was fair"))
    document_revise(document=elsewhere, data=b"Izvestia wrote nothing.", filename="v2.txt",
                    user=annotator)  # fmt: skip
    Evidence.objects.filter(pk=far.pk).update(anchor_state=AnchorState.ORPHANED, anchor_score=0.0)
    fresh = {name: Evidence.objects.get(pk=item.pk) for name, item in
             {"orphan": orphan, "check": check, "moved": moved, "quoted": quoted,
              "far": far}.items()}  # fmt: skip
    return {"old": cited, "new": new, "claim": claim, "link": link, "elsewhere": elsewhere,
            **fresh}  # fmt: skip


def test_the_job_leaves_the_expected_passages_behind(world):
    """The fixture's premise: what the real job carried and what it left."""
    assert (world["moved"].document_id, world["moved"].anchor_state) == (world["new"].pk, "moved")
    assert (world["orphan"].document_id, world["orphan"].anchor_state) == (
        world["old"].pk, AnchorState.ORPHANED)  # fmt: skip
    assert (world["check"].document_id, world["check"].anchor_state) == (
        world["old"].pk, AnchorState.NEEDS_CHECK)  # fmt: skip


def test_the_service_lists_the_passages_left_behind_checks_first(world):
    assert list(evidence_left_behind()) == [world["check"], world["orphan"], world["far"]]


def test_a_documents_chain_holds_only_its_passages_from_any_of_its_revisions(world):
    for document in (world["old"], world["new"]):
        assert list(evidence_left_behind(document=document)) == [world["check"], world["orphan"]]
    assert list(evidence_left_behind(document=world["elsewhere"])) == [world["far"]]
    assert not evidence_left_behind(document=make_document()).exists()


def test_other_kinds_are_never_listed_whatever_their_state(world):
    Evidence.objects.filter(pk=world["quoted"].pk).update(anchor_state=AnchorState.ORPHANED)
    assert world["quoted"] not in evidence_left_behind()


def test_what_it_rests_on_is_loaded_with_the_list(world, django_assert_num_queries):
    with django_assert_num_queries(1):
        items = list(evidence_left_behind())
        shown = [(item.claim or item.link.left).statement for item in items]
        shown += [item.link.right.statement for item in items if item.link]
        shown += [item.document.source.name + item.created_by.get_username() for item in items]
    assert "Kamenev never confessed." in shown


def test_each_view_shows_the_quote_in_its_old_text(world):
    view = evidence_left_views([world["orphan"]])[0]
    start = OLD.index(ORPHAN_QUOTE)
    assert (view.old.start, view.old.end) == (start, start + len(ORPHAN_QUOTE))
    assert view.old.quote == ORPHAN_QUOTE
    assert view.old.before == OLD[max(0, start - 200) : start]
    assert view.old.after == OLD[start + len(ORPHAN_QUOTE) :]
    assert view.current == world["new"]


def test_the_queue_lists_the_passages_left_behind_and_not_those_carried(world, annotator):
    section = left_section(client_for(annotator).get(reverse("claims:orphans")))
    assert "Evidence passages left on an older revision" in section.heading
    assert set(section.items) == {str(world[name].public_id) for name in ("check", "orphan", "far")}
    orphan = words(section.items[str(world["orphan"].public_id)]["text"])
    assert "Evidence for the claim “The accused were shot at once.”" in orphan
    assert "orphaned" in orphan and "✗ Refutes" in orphan
    assert "cites revision 1 of “Trial” (Pravda)" in orphan and "revision 2" in orphan
    assert ORPHAN_QUOTE in orphan and "The verdict was read at night." in orphan  # in context
    check = words(section.items[str(world["check"].public_id)]["text"])
    assert "needs a check" in check
    assert "Evidence for the pair “The accused were shot at once.” and" in check


def test_the_links_go_to_the_claim_or_the_pair_and_the_current_text(world, annotator):
    section = left_section(client_for(annotator).get(reverse("claims:orphans")))
    on_claim = section.items[str(world["orphan"].public_id)]["hrefs"]
    assert passage_url(world["claim"]) in on_claim
    assert world["new"].get_absolute_url() in on_claim
    assert passage_url(world["orphan"]) in on_claim  # the passage where it stays
    on_link = section.items[str(world["check"].public_id)]["hrefs"]
    link = world["link"]
    assert link.get_absolute_url() in on_link
    assert {passage_url(link.left), passage_url(link.right)} <= set(on_link)


def test_a_documents_queue_lists_only_its_chains_passages(world, annotator):
    client = client_for(annotator)
    page = client.get(reverse("claims:document-orphans", args=[world["old"].pk]))
    assert set(left_section(page).items) == {str(world["check"].public_id),
                                             str(world["orphan"].public_id)}  # fmt: skip
    page = client.get(reverse("claims:document-orphans", args=[world["elsewhere"].pk]))
    assert set(left_section(page).items) == {str(world["far"].public_id)}
    page = client.get(reverse("claims:document-orphans", args=[make_document().pk]))
    assert not left_section(page).items
    assert "No evidence passage is left on an older revision of this document." in words(
        page.content.decode())  # fmt: skip


def test_readers_see_the_list_too(world, reviewer):
    section = left_section(client_for(reviewer).get(reverse("claims:orphans")))
    assert len(section.items) == 3


def test_the_list_is_capped_and_says_how_many_more(world, annotator, settings, monkeypatch):
    monkeypatch.setattr("claims.revision_views.EVIDENCE_SHOWN", 2)
    response = client_for(annotator).get(reverse("claims:orphans"))
    assert len(left_section(response).items) == 2
    page = words(response.content.decode())
    assert "3 evidence passages left behind, the first 2 shown" in page
    assert "And 1 more, listed here as those above are replaced." in page
    assert EVIDENCE_SHOWN == 50


REPORT = "Report: one, two, three, four, five; the verdict was read at night."
WORDS = ["one", "two", "three", "four", "five"]
_texts = itertools.count(1)


def _leave_behind(count: int, user, cited=None) -> None:
    """``count`` passages on a claim or a link by turns, left behind as the job leaves
    them: each citing a text of its own (then corrected), or all citing ``cited``."""
    for number in range(count):
        mark = next(_texts)
        text = cited or make_document(f"{REPORT} ({mark})")
        claim = make_claim(make_document(), user=user)
        target = {"claim": claim} if number % 2 else {"link": make_link(claim, user=user)}
        item = make_evidence(user=user, **target, **passage(text, WORDS[number]))
        if cited is None:
            document_revise(document=text, data=f"Report {mark}.".encode(),
                            filename="v2.txt", user=user)  # fmt: skip
        Evidence.objects.filter(pk=item.pk).update(anchor_state=AnchorState.ORPHANED)


def _queries(client, address: str, listed: int) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(address)
    assert len(left_section(response).items) == listed
    return len(captured)


def test_the_queue_page_costs_the_same_queries_for_one_or_five_passages(annotator):
    client = client_for(annotator)
    _leave_behind(1, annotator)
    one = _queries(client, reverse("claims:orphans"), 1)
    _leave_behind(4, annotator)
    assert _queries(client, reverse("claims:orphans"), 5) == one


def test_a_documents_queue_costs_the_same_queries_for_one_or_five_passages(annotator):
    client = client_for(annotator)
    cited = make_document(REPORT)
    document_revise(document=cited, data=b"Report: none.", filename="v2.txt", user=annotator)
    address = reverse("claims:document-orphans", args=[cited.pk])
    _leave_behind(1, annotator, cited)
    one = _queries(client, address, 1)
    Evidence.objects.all().delete()
    _leave_behind(5, annotator, cited)
    assert _queries(client, address, 5) == one
