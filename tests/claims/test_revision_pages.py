"""The revision pages: uploading a corrected text, the revision history and the document
page's revision line, and the orphan queue with its three ways of settling a claim
(accept the proposal, place it on a chosen passage, keep it on its old revision).

The waiting claims are put in their state directly (as the re-anchoring job leaves them),
so that each page and action is tested on known proposals and candidates; the upload test
runs the real job."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from claims.models import AnchorState, Claim
from claims.revision_views import ERROR_NOT_WAITING_HERE
from claims.revisions import ERROR_NO_PROPOSAL, ERROR_NOT_WAITING
from corpus.models import Document
from corpus.services import ERROR_NOT_CURRENT, ERROR_SAME_TEXT, document_revise
from jobs.models import Job, JobState
from tests.factories import make_claim, make_document, make_source, make_user

pytestmark = pytest.mark.django_db

OLD = (
    "The trial of the sixteen opened in August 1936. All the accused confessed.\n\n"
    "Critics said the confessions were obtained under pressure."
)
NEW = (
    "The trial of the sixteen began in August 1936. Every one of the accused confessed.\n\n"
    "Critics said the confessions were obtained under pressure."
)
IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def span(text: str, quote: str) -> tuple[int, int]:
    start = text.index(quote)
    return start, start + len(quote)


@pytest.fixture
def owner():
    return make_user("annotator", username="owner")


@pytest.fixture
def world(owner):
    """A text with three claims and its correction, stored without re-anchoring; then the
    claims as the job leaves them: one needing a check (a proposal and a candidate), one
    orphaned (one candidate), one carried over exactly."""
    old = make_document(OLD, source=make_source(name="Pravda"), title="The trial opens")
    confessed = make_claim(old, user=owner, quote="All the accused confessed",
                           statement="Every accused confessed.")  # fmt: skip
    opened = make_claim(old, user=owner, quote="opened in August 1936",
                        statement="The trial opened in August 1936.")  # fmt: skip
    critics = make_claim(old, user=owner, quote="Critics said the confessions",
                         statement="Critics doubted the confessions.")  # fmt: skip
    new = document_revise(document=old, data=NEW.encode(), filename="v2.txt", user=owner)
    proposal = span(NEW, "Every one of the accused confessed")
    other = span(NEW, "the accused confessed")
    Claim.objects.filter(pk=confessed.pk).update(
        anchor_state=AnchorState.NEEDS_CHECK, anchor_target=new, anchor_score=0.62,
        anchor_start=proposal[0], anchor_end=proposal[1],
        anchor_candidates=[[*proposal, 0.62], [*other, 0.55]],
    )  # fmt: skip
    began = span(NEW, "began in August 1936")
    Claim.objects.filter(pk=opened.pk).update(
        anchor_state=AnchorState.ORPHANED, anchor_target=new, anchor_score=0.0,
        anchor_candidates=[[*began, 0.4]],
    )  # fmt: skip
    start, end = span(NEW, "Critics said the confessions")
    Claim.objects.filter(pk=critics.pk).update(document=new, start=start, end=end)
    return {"old": old, "new": new, "confessed": confessed, "opened": opened,
            "proposal": proposal, "other": other, "began": began}  # fmt: skip


def waiting(world, name: str) -> Claim:
    return Claim.objects.get(pk=world[name].pk)


def texts(response) -> str:
    """The page's text without tags and with single spaces, to read as a person does."""
    content = re.sub(r"<[^>]+>", " ", response.content.decode())
    return " ".join(content.split())


def messages_of(response) -> list[str]:
    return [str(message) for message in response.context["messages"]] if response.context else []


# --- Uploading a corrected text ----------------------------------------------------------


def revise_url(document) -> str:
    return reverse("claims:document-revise", args=[document.pk])


def upload(name: str, data: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="text/plain")


def test_the_upload_page_offers_annotators_and_editors_a_file_field(world, owner):
    for user in (owner, make_user("editor")):
        response = client_for(user).get(revise_url(world["new"]))
        assert response.status_code == 200
        assert 'type="file"' in response.content.decode()
        assert "becomes revision 3" in texts(response)


@pytest.mark.parametrize("role", [None, "reviewer"])
def test_readers_may_not_upload_a_correction(world, role):
    client = client_for(make_user(role))
    assert client.get(revise_url(world["new"])).status_code == 403
    response = client.post(revise_url(world["new"]), {"file": upload("v3.txt", b"A third text.")})
    assert response.status_code == 403
    assert Document.objects.count() == 2


def test_signed_out_visitors_are_sent_to_sign_in(world):
    response = Client().post(revise_url(world["new"]), {"file": upload("v.txt", b"Text.")})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_an_older_revision_points_to_the_current_text_instead_of_a_form(world, owner):
    response = client_for(owner).get(revise_url(world["old"]))
    assert response.status_code == 200
    assert 'type="file"' not in response.content.decode()
    assert revise_url(world["new"]) in response.content.decode()


def test_the_wrong_method_is_refused(world, owner):
    response = client_for(owner).put(revise_url(world["new"]))
    assert response.status_code == 405


def test_uploading_stores_the_revision_and_follows_its_job(
    world, owner, settings, django_capture_on_commit_callbacks
):
    settings.TASKS = IMMEDIATE  # the job runs once the upload is committed
    corrected = NEW.replace("under pressure", "under heavy pressure")
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(owner).post(
            revise_url(world["new"]),
            {"file": upload("v3.txt", corrected.encode()), "title": "The trial opens (v3)"},
        )
    third = Document.objects.get(previous=world["new"])
    job = Job.objects.get(requested_by=owner, label__startswith="Re-anchor")
    assert response.status_code == 302
    assert response["Location"] == (
        reverse("claims:document-revisions", args=[third.pk]) + f"?job={job.public_id}"
    )
    assert (third.revision, third.text, third.title) == (3, corrected, "The trial opens (v3)")
    job.refresh_from_db()
    assert job.state == JobState.DONE, job.error
    page = client_for(owner).get(response["Location"])
    assert "Revision 3" in texts(page) and job.label in texts(page)
    assert "data-job-next hidden" not in page.content.decode()  # the next steps are shown


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"", "The submitted file is empty."),
        (NEW.encode(), ERROR_SAME_TEXT.format(revision=2, title="The trial opens")),
        (b"\xff\xfe\x00binary", None),
    ],
    ids=["empty", "identical", "binary"],
)
def test_a_refused_file_says_why_and_stores_nothing(world, owner, data, expected):
    response = client_for(owner).post(revise_url(world["new"]), {"file": upload("v3.txt", data)})
    assert response.status_code == 400
    errors = response.context["form"].errors["file"]
    assert errors and (expected is None or expected in errors)
    assert Document.objects.count() == 2
    assert not Job.objects.exists()


def test_a_correction_of_an_older_revision_is_refused_with_the_current_one_named(world, owner):
    response = client_for(owner).post(
        revise_url(world["old"]), {"file": upload("v.txt", b"Yet another text.")}
    )
    assert response.status_code == 409
    expected = ERROR_NOT_CURRENT.format(revision=1, title="The trial opens", current=2,
                                        pk=world["new"].pk)  # fmt: skip
    assert response.context["form"].non_field_errors() == [expected]
    assert Document.objects.count() == 2


def test_two_files_at_once_are_refused(world, owner):
    files = [upload("a.txt", b"One text."), upload("b.txt", b"Other text.")]
    response = client_for(owner).post(revise_url(world["new"]), {"file": files})
    assert response.status_code == 400
    assert "this request carried 2 files" in response.context["form"].errors["file"][0]
    assert Document.objects.count() == 2


# --- The revision history and the document page --------------------------------------------


def test_the_history_lists_every_revision_with_its_counts(world, owner):
    response = client_for(make_user()).get(
        reverse("claims:document-revisions", args=[world["old"].pk])
    )
    assert response.status_code == 200
    rows = [(row["document"].revision, row["claims"], row["waiting"])
            for row in response.context["rows"]]  # fmt: skip
    assert rows == [(2, 1, 2), (1, 2, 0)]
    assert "2 claims waiting for a check" in texts(response)
    assert "Upload a corrected text" not in texts(response)  # a reader


def test_the_history_shows_only_a_job_the_user_may_follow(world, owner):
    job = Job.objects.create(requested_by=owner, kind="reanchor_revision", label="Re-anchor")
    url = reverse("claims:document-revisions", args=[world["new"].pk]) + f"?job={job.public_id}"
    assert client_for(owner).get(url).context["job"] == job
    assert client_for(make_user("annotator")).get(url).context["job"] is None
    assert client_for(owner).get(url.replace(str(job.public_id), "nonsense")).status_code == 200


def test_an_older_revision_says_so_and_links_the_current_text(world, owner):
    response = client_for(owner).get(world["old"].get_absolute_url())
    page = texts(response)
    assert "You are reading revision 1 of 2" in page
    assert f'href="{world["new"].get_absolute_url()}"' in response.content.decode()
    assert '"canAnnotate": false' in response.content.decode()  # new claims go on the current


def test_the_current_revision_links_its_history_upload_and_orphan_queue(world, owner):
    response = client_for(owner).get(world["new"].get_absolute_url())
    page = texts(response)
    assert "You are reading" not in page
    assert "Revision 2 of 2 (current)" in page
    assert "2 claims waiting for a check" in page
    content = response.content.decode()
    assert reverse("claims:document-orphans", args=[world["new"].pk]) in content
    assert revise_url(world["new"]) in content
    assert '"canAnnotate": true' in content


def test_a_first_text_without_revisions_shows_only_its_history_link(owner):
    document = make_document("A text nobody corrected.")
    page = texts(client_for(owner).get(document.get_absolute_url()))
    assert "Revision history" in page
    assert "Revision 1 of" not in page and "waiting for a check" not in page


# --- The orphan queue -----------------------------------------------------------------------


def test_the_queue_shows_each_waiting_claim_with_its_old_quote_and_places(world, owner):
    response = client_for(owner).get(reverse("claims:orphans"))
    assert response.status_code == 200
    page = texts(response)
    assert "2 claims waiting" in page
    assert "Every accused confessed." in page and "needs a check · score 0.62" in page
    assert "The trial opened in August 1936." in page and "orphaned" in page
    content = response.content.decode()
    assert "<mark>All the accused confessed</mark>" in content  # the old quote in context
    assert "<mark>Every one of the accused confessed</mark>" in content  # the proposal
    assert "<mark>began in August 1936</mark>" in content  # the orphan's candidate
    # Accept the proposal; accept the other candidate of the first, the candidate of the
    # second; keep either.
    assert content.count(">Accept</button>") == 3
    assert content.count(">Keep on the old revision</button>") == 2
    assert "Critics doubted" not in page  # carried over: not waiting


def test_the_queue_page_reads_each_text_once_however_many_claims_wait(world, owner):
    """The page's queries do not grow with its claims: the texts they share are read once."""
    client = client_for(owner)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse("claims:orphans")).status_code == 200
        return len(captured)

    before = queries()
    for quote in ("The trial of the sixteen", "were obtained under pressure"):
        claim = make_claim(world["old"], user=owner, quote=quote, statement=quote + ".")
        Claim.objects.filter(pk=claim.pk).update(
            anchor_state=AnchorState.ORPHANED, anchor_target=world["new"], anchor_score=0.0,
            anchor_candidates=[[*span(NEW, quote), 0.4]],
        )  # fmt: skip
    assert queries() == before


def test_readers_see_the_queue_without_its_buttons(world):
    response = client_for(make_user("reviewer")).get(reverse("claims:orphans"))
    assert response.status_code == 200
    assert "Every accused confessed." in texts(response)
    assert ">Accept</button>" not in response.content.decode()


def test_a_documents_queue_holds_only_its_claims(world, owner):
    elsewhere = make_document("Another text, with a claim.")
    make_claim(elsewhere, user=owner, quote="a claim")
    url = reverse("claims:document-orphans", args=[world["new"].pk])
    response = client_for(owner).get(url)
    assert {item["claim"].pk for item in response.context["items"]} == {
        world["confessed"].pk, world["opened"].pk,
    }  # fmt: skip
    empty = client_for(owner).get(reverse("claims:document-orphans", args=[elsewhere.pk]))
    assert "No claim is waiting for a check" in texts(empty)


# --- Settling a claim -----------------------------------------------------------------------


def post(client, name: str, claim: Claim, **data):
    url = reverse(f"claims:{name}", args=[claim.public_id])
    return client.post(url, {"version": claim.version, **data}, follow=True)


def test_accepting_the_proposal_moves_the_claim_to_the_new_revision(world, owner):
    claim = waiting(world, "confessed")
    response = post(client_for(owner), "orphan-accept", claim, next=reverse("claims:orphans"))
    assert response.redirect_chain[-1][0] == reverse("claims:orphans")
    claim.refresh_from_db()
    assert (claim.document_id, claim.start, claim.end) == (world["new"].pk, *world["proposal"])
    assert claim.quote == "Every one of the accused confessed"
    assert claim.anchor_state == AnchorState.MOVED and claim.anchor_target_id is None
    assert any("now points into revision 2" in text for text in messages_of(response))
    assert "1 claim waiting" in texts(response)


def test_placing_a_claim_on_a_chosen_passage(world, owner):
    claim = waiting(world, "opened")
    start, end = world["began"]
    response = post(client_for(owner), "orphan-place", claim, start=start, end=end,
                    quote="began in August 1936")  # fmt: skip
    claim.refresh_from_db()
    assert (claim.document_id, claim.quote) == (world["new"].pk, "began in August 1936")
    assert claim.anchor_state == AnchorState.MOVED and claim.anchor_method == "person"
    assert any("now points into revision 2" in text for text in messages_of(response))


def test_a_chosen_passage_across_lines_arrives_with_the_texts_line_ends(world, owner):
    """Browsers send a form's line ends as CR LF; the stored texts have LF."""
    claim = waiting(world, "opened")
    quote = "confessed.\n\nCritics"
    start, end = span(NEW, quote)
    post(client_for(owner), "orphan-place", claim, start=start, end=end,
         quote=quote.replace("\n", "\r\n"))  # fmt: skip
    claim.refresh_from_db()
    assert (claim.document_id, claim.quote) == (world["new"].pk, quote)


def test_a_passage_whose_quote_does_not_match_is_refused(world, owner):
    claim = waiting(world, "opened")
    start, end = world["began"]
    response = post(client_for(owner), "orphan-place", claim, start=start, end=end,
                    quote="opened in August 1936")  # fmt: skip
    assert messages_of(response)
    assert Claim.objects.get(pk=claim.pk).document_id == world["old"].pk
    response = post(client_for(owner), "orphan-place", claim, start="x", end=end, quote="y")
    assert messages_of(response)
    assert Claim.objects.get(pk=claim.pk).anchor_state == AnchorState.ORPHANED


def test_keeping_a_claim_on_its_old_revision_takes_it_out_of_the_queue(world, owner):
    claim = waiting(world, "opened")
    response = post(client_for(owner), "orphan-keep", claim)
    claim.refresh_from_db()
    assert claim.anchor_kept and claim.document_id == world["old"].pk
    assert any("stays on revision 1" in text for text in messages_of(response))
    assert "1 claim waiting" in texts(response)


def test_an_orphan_has_no_proposal_to_accept(world, owner):
    claim = waiting(world, "opened")
    response = post(client_for(owner), "orphan-accept", claim)
    assert ERROR_NO_PROPOSAL in messages_of(response)
    assert Claim.objects.get(pk=claim.pk).anchor_state == AnchorState.ORPHANED


def test_a_stale_page_is_refused_and_changes_nothing(world, owner):
    claim = waiting(world, "confessed")
    post(client_for(owner), "orphan-keep", claim)
    response = post(client_for(owner), "orphan-accept", claim)  # the version shown before
    assert messages_of(response)
    claim.refresh_from_db()
    assert claim.anchor_kept and claim.document_id == world["old"].pk


def test_a_settled_claim_is_no_longer_waiting(world, owner):
    claim = waiting(world, "confessed")
    post(client_for(owner), "orphan-accept", claim)
    claim.refresh_from_db()
    response = post(client_for(owner), "orphan-keep", claim)
    assert ERROR_NOT_WAITING in messages_of(response)
    assert not Claim.objects.get(pk=claim.pk).anchor_kept


@pytest.mark.parametrize("action", ["orphan-accept", "orphan-place", "orphan-keep"])
@pytest.mark.parametrize("role", [None, "reviewer", "annotator"])
def test_only_the_claims_annotator_or_an_editor_settles_it(world, action, role):
    claim = waiting(world, "confessed")
    start, end = world["other"]
    response = post(client_for(make_user(role)), action, claim, start=start, end=end,
                    quote="the accused confessed")  # fmt: skip
    assert response.status_code == 403
    unchanged = Claim.objects.get(pk=claim.pk)
    assert (unchanged.anchor_state, unchanged.document_id, unchanged.version) == (
        AnchorState.NEEDS_CHECK, world["old"].pk, claim.version,
    )  # fmt: skip


def test_an_editor_settles_anyones_claim(world):
    claim = waiting(world, "confessed")
    post(client_for(make_user("editor")), "orphan-accept", claim)
    assert Claim.objects.get(pk=claim.pk).document_id == world["new"].pk


@pytest.mark.parametrize("action", ["orphan-accept", "orphan-place", "orphan-keep"])
def test_the_actions_take_only_post(world, owner, action):
    url = reverse(f"claims:{action}", args=[world["confessed"].public_id])
    assert client_for(owner).get(url).status_code == 405
    assert Client().post(url)["Location"].startswith(reverse("login"))


@pytest.mark.parametrize(
    "next_url",
    ["https://evil.example/orphans/", "//evil.example/orphans/", "/claims/", "", "orphans/"],
)
def test_the_actions_go_back_only_to_an_orphan_queue(world, owner, next_url):
    response = client_for(owner).post(
        reverse("claims:orphan-keep", args=[world["opened"].public_id]),
        {"version": world["opened"].version, "next": next_url},
    )
    assert response["Location"] == reverse("claims:orphans")


def test_the_actions_go_back_to_the_queue_page_they_came_from(world, owner):
    back = reverse("claims:document-orphans", args=[world["new"].pk]) + "?page=1"
    response = client_for(owner).post(
        reverse("claims:orphan-keep", args=[world["opened"].public_id]),
        {"version": world["opened"].version, "next": back},
    )
    assert response["Location"] == back


def test_an_unknown_claim_is_not_found(world, owner):
    url = reverse("claims:orphan-keep", args=["00000000-0000-0000-0000-000000000001"])
    assert client_for(owner).post(url, {"version": 1}).status_code == 404


# --- The page that places one claim ---------------------------------------------------------


def test_the_pick_page_shows_the_new_text_and_the_places_found(world, owner):
    claim = waiting(world, "confessed")
    response = client_for(owner).get(reverse("claims:orphan", args=[claim.public_id]))
    assert response.status_code == 200
    content = response.content.decode()
    assert 'id="document-text"' in content and "Every one of the accused confessed" in content
    config = response.context["pick_config"]
    assert config["focus"] == list(world["proposal"])
    assert config["candidates"] == [list(world["proposal"]), list(world["other"])]
    assert "Use the selected passage" in content
    assert reverse("claims:orphan-place", args=[claim.public_id]) in content


def test_the_pick_page_shows_readers_no_form(world):
    claim = waiting(world, "confessed")
    response = client_for(make_user()).get(reverse("claims:orphan", args=[claim.public_id]))
    assert response.status_code == 200
    assert "Use the selected passage" not in response.content.decode()


def test_the_pick_page_of_a_settled_claim_goes_back_to_the_queue(world, owner):
    claim = waiting(world, "confessed")
    post(client_for(owner), "orphan-keep", claim)
    response = client_for(owner).get(reverse("claims:orphan", args=[claim.public_id]), follow=True)
    assert response.redirect_chain[-1][0] == reverse("claims:orphans")
    assert ERROR_NOT_WAITING_HERE in messages_of(response)
