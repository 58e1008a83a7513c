"""Revisions and re-anchoring (``claims.revisions``): uploading a corrected text, carrying
claims and passage evidence over, the orphan queue and its three ways out, payloads."""

import csv
import io
import re

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from claims.errors import ClaimConflict, ClaimError, ClaimGone, ClaimPermissionDenied
from claims.exports import DATASETS, csv_chunks
from claims.models import AnchorState, Claim, Evidence
from claims.revisions import (
    ERROR_NO_PROPOSAL,
    ERROR_NOT_A_REVISION,
    ERROR_NOT_REVISER,
    ERROR_NOT_WAITING,
    ERROR_TARGET_NOT_CURRENT,
    orphan_accept,
    orphan_keep,
    orphan_queue,
    orphan_reanchor,
    orphan_view,
    revision_reanchor,
    revision_upload,
)
from claims.services import (
    ERROR_DUPLICATE_SPAN,
    ERROR_OLD_REVISION,
    claim_update,
    evidence_add,
)
from corpus.models import Document
from corpus.services import document_revise
from jobs.models import Job, JobState
from tests.factories import make_claim, make_document, make_link, make_user

pytestmark = pytest.mark.django_db
IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}

OLD = (
    "Preface.\n\nThe trial opened in August 1936 in Moscow. Sixteen were accused of the "
    "murder of Kirov and of plotting against the leaders. Zinoviev and Kamenev confessed to "
    "everything. The verdict was read at night. The defendants were shot the next day.\n\n"
    "Notes follow."
)
NEW = (
    "Preface, revised.\n\nThe trial opened in August 1936 in Moscow. Sixteen were acused of "
    "the murder of Kirov and of plotting against the leaders. Zinoviev, alone, confessed "
    "after weeks of questioning. The sentence was read at dawn.\n\nNotes follow."
)
EXACT_QUOTE = "The trial opened in August 1936"
MOVED_QUOTE = "Sixteen were accused of the murder of Kirov"
CHECK_QUOTE = "Zinoviev and Kamenev confessed to everything"
ORPHAN_QUOTE = "The defendants were shot the next day."


@pytest.fixture
def immediate_tasks(settings):
    settings.TASKS = IMMEDIATE


@pytest.fixture
def old(annotator):
    document = make_document(OLD, title="Trial")
    return {
        "document": document,
        "exact": make_claim(document, user=annotator, quote=EXACT_QUOTE),
        "moved": make_claim(document, user=annotator, quote=MOVED_QUOTE),
        "check": make_claim(document, user=annotator, quote=CHECK_QUOTE),
        "orphan": make_claim(document, user=annotator, quote=ORPHAN_QUOTE),
    }


def upload(document, user, text=NEW):
    return revision_upload(document=document, data=text.encode(), filename="trial.txt", user=user)


@pytest.fixture
def revised(old, annotator, immediate_tasks, django_capture_on_commit_callbacks):
    """The corrected text uploaded and its re-anchoring job run."""
    with django_capture_on_commit_callbacks(execute=True):
        new, job = upload(old["document"], annotator)
    job.refresh_from_db()
    assert job.state == JobState.DONE, job.error
    fresh = {key: Claim.objects.get(pk=c.pk) for key, c in old.items() if key != "document"}
    return {"old": old["document"], "new": new, "job": job, **fresh}


# --- Uploading ---------------------------------------------------------------------------


def test_only_annotators_and_editors_may_upload_a_revision(old, reviewer):
    with pytest.raises(ClaimPermissionDenied, match=re.escape(ERROR_NOT_REVISER)):
        upload(old["document"], reviewer)
    assert Document.objects.count() == 1


def test_a_bad_file_or_an_identical_text_is_refused_on_the_file_field(old, annotator):
    for text in (OLD, ""):
        with pytest.raises(ClaimError) as refused:
            upload(old["document"], annotator, text=text)
        assert refused.value.field == "file" and refused.value.status == 400
    assert Document.objects.count() == 1 and not Job.objects.exists()


def test_a_revision_of_a_replaced_text_is_a_conflict(old, annotator):
    upload(old["document"], annotator)
    with pytest.raises(ClaimConflict) as refused:
        upload(old["document"], annotator, text=NEW + "\nMore.")
    assert refused.value.status == 409 and refused.value.field == "document"
    assert Document.objects.count() == 2


def test_the_upload_starts_a_job_that_reports_what_it_did(revised, annotator):
    job = revised["job"]
    assert job.requested_by == annotator
    assert "revision 2" in job.label
    assert job.summary == (
        "4 claims onto revision 2: 1 exact, 1 moved, 1 to check, 1 orphaned; "
        "0 of 0 evidence passages carried over."
    )


# --- Re-anchoring ------------------------------------------------------------------------


def test_exact_and_moved_claims_go_to_the_new_text_with_their_new_quote(revised):
    new = revised["new"]
    for key, quote in (("exact", EXACT_QUOTE), ("moved", MOVED_QUOTE.replace("accused", "acused"))):
        claim = revised[key]
        assert claim.document_id == new.pk
        assert claim.anchor_state == key
        assert NEW[claim.start : claim.end] == claim.quote == quote
        assert claim.prefix == NEW[max(0, claim.start - 32) : claim.start]
        assert claim.anchor_target is None and claim.version == 2
    assert revised["moved"].anchor_score < 1 and revised["moved"].anchor_method == "fuzzy"
    assert "acused" in revised["moved"].search_text


def test_claims_needing_a_check_or_orphaned_stay_on_the_old_text(revised):
    check, orphan = revised["check"], revised["orphan"]
    assert (check.document_id, check.anchor_state) == (revised["old"].pk, "needs_check")
    assert check.anchor_target_id == revised["new"].pk
    assert NEW[check.anchor_start : check.anchor_end] == "Zinoviev, alone, confessed"
    assert OLD[check.start : check.end] == check.quote == CHECK_QUOTE  # its anchor unchanged
    assert (orphan.document_id, orphan.anchor_state) == (revised["old"].pk, "orphaned")
    assert (orphan.anchor_start, orphan.anchor_end, orphan.anchor_score) == (None, None, 0)


def test_the_history_keeps_the_old_anchor_the_new_one_and_the_score(revised):
    moved = revised["moved"]
    before, after = moved.history.order_by("history_date", "history_id")
    assert (before.document_id, before.start, before.anchor_state) == (
        revised["old"].pk, OLD.index(MOVED_QUOTE), "exact",
    )  # fmt: skip
    assert (after.document_id, after.start, after.anchor_state) == (
        revised["new"].pk, moved.start, "moved",
    )  # fmt: skip
    assert after.anchor_score == moved.anchor_score
    assert after.history_change_reason.startswith("Carried to revision 2: moved (fuzzy")


def test_running_the_job_again_changes_nothing(revised):
    versions = dict(Claim.objects.values_list("pk", "version"))
    outcome = revision_reanchor(revised["new"])
    assert sum(outcome.claims.values()) == 0
    assert dict(Claim.objects.values_list("pk", "version")) == versions


def test_a_first_text_has_nothing_to_carry_over(old):
    with pytest.raises(ClaimError, match=ERROR_NOT_A_REVISION.format(pk=old["document"].pk)):
        revision_reanchor(old["document"])


def test_links_and_evidence_follow_their_claims(old, annotator, immediate_tasks,
                                                django_capture_on_commit_callbacks):  # fmt: skip
    other = make_document("Elsewhere, sixteen were tried for Kirov's murder.")
    there = make_claim(other, user=annotator, quote="sixteen were tried")
    link = make_link(old["exact"], there, user=annotator)
    evidence = evidence_add(user=annotator, claim=old["orphan"], kind="citation",
                            bearing="supports", citation="Pravda, 25 August 1936")  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):
        new, _ = upload(old["document"], annotator)
    link.refresh_from_db()
    assert {link.left_id, link.right_id} == {old["exact"].pk, there.pk}
    assert Claim.objects.get(pk=old["exact"].pk).document_id == new.pk
    assert Evidence.objects.get(pk=evidence.pk).claim_id == old["orphan"].pk


def test_passage_evidence_is_carried_over_or_left_marked(
    old, annotator, immediate_tasks, django_capture_on_commit_callbacks
):
    elsewhere = make_claim(make_document("A different account."), user=annotator)
    cited = {}
    for quote in (MOVED_QUOTE, ORPHAN_QUOTE):
        start = OLD.index(quote)
        cited[quote] = evidence_add(
            user=annotator, claim=elsewhere, kind="passage", bearing="refutes",
            document=old["document"], start=start, end=start + len(quote), quote=quote,
        )  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):
        new, job = upload(old["document"], annotator)
    moved = Evidence.objects.get(pk=cited[MOVED_QUOTE].pk)
    assert (moved.document_id, moved.anchor_state) == (new.pk, "moved")
    assert NEW[moved.start : moved.end] == moved.quote
    left = Evidence.objects.get(pk=cited[ORPHAN_QUOTE].pk)
    assert (left.document_id, left.anchor_state, left.start) == (
        old["document"].pk, "orphaned", OLD.index(ORPHAN_QUOTE),
    )  # fmt: skip
    job.refresh_from_db()
    assert job.summary.endswith("1 of 2 evidence passages carried over.")


def test_a_span_the_annotator_already_holds_on_the_new_text_waits_for_a_check(old, annotator):
    new = document_revise(document=old["document"], data=NEW.encode(), filename="t.txt",
                          user=None)  # fmt: skip
    # The same annotator annotates the corrected text before the job runs.
    twin_start = NEW.index(EXACT_QUOTE)
    twin = make_claim(new, user=annotator, start=twin_start, end=twin_start + len(EXACT_QUOTE))
    revision_reanchor(new)
    exact = Claim.objects.get(pk=old["exact"].pk)
    assert (exact.document_id, exact.anchor_state) == (old["document"].pk, "needs_check")
    with pytest.raises(ClaimError, match=re.escape(ERROR_DUPLICATE_SPAN)):
        orphan_accept(claim=exact, version=exact.version, user=annotator)
    assert Claim.objects.get(pk=twin.pk).document_id == new.pk


def test_a_newer_revision_takes_over_the_claims_still_waiting(revised, annotator):
    third_text = NEW.replace(
        "Zinoviev, alone, confessed", "Zinoviev and Kamenev confessed to everything"
    )
    third = document_revise(document=revised["new"], data=third_text.encode(),
                            filename="t.txt", user=None)  # fmt: skip
    outcome = revision_reanchor(third)
    check = Claim.objects.get(pk=revised["check"].pk)
    assert (check.document_id, check.anchor_state) == (third.pk, "exact")
    assert Claim.objects.get(pk=revised["exact"].pk).document_id == third.pk
    assert Claim.objects.get(pk=revised["orphan"].pk).anchor_target_id == third.pk
    assert outcome.target == third


def test_no_new_claim_on_a_replaced_revision(revised, annotator):
    with pytest.raises(ClaimError, match=re.escape(ERROR_OLD_REVISION)) as refused:
        make_claim(
            Document.objects.get(pk=revised["old"].pk), user=annotator, quote="Notes follow."
        )
    assert refused.value.field == "document"
    make_claim(revised["new"], user=annotator, quote="Notes follow.")


# --- The orphan queue ----------------------------------------------------------------------


def test_the_queue_lists_claims_to_check_first_then_orphans(revised, django_assert_num_queries):
    with django_assert_num_queries(1):
        queue = list(orphan_queue())
    assert [c.pk for c in queue] == [revised["check"].pk, revised["orphan"].pk]
    assert queue[0].document.source.name and queue[0].anchor_target.revision == 2
    for member in (revised["old"], revised["new"]):
        assert orphan_queue(document=member).count() == 2
    assert orphan_queue(document=make_document("Unrelated.")).count() == 0


def test_the_view_shows_the_old_quote_in_context_and_the_proposal(revised):
    view = orphan_view(revised["check"])
    assert view.old.quote == CHECK_QUOTE and view.old.before.endswith("the leaders. ")
    assert view.proposal is not None and view.proposal.quote == "Zinoviev, alone, confessed"
    assert view.proposal.after.startswith(" after weeks")
    assert view.candidates == []  # the proposal is not repeated among them
    assert view.target.pk == revised["new"].pk
    with pytest.raises(ClaimError, match=re.escape(ERROR_NOT_WAITING)):
        orphan_view(revised["exact"])


def test_accepting_the_proposal_moves_the_claim(revised, annotator):
    claim = orphan_accept(claim=revised["check"], version=revised["check"].version, user=annotator)
    claim.refresh_from_db()
    assert (claim.document_id, claim.anchor_state, claim.quote) == (
        revised["new"].pk, "moved", "Zinoviev, alone, confessed",
    )  # fmt: skip
    assert claim.anchor_method == "person" and claim.anchor_target is None
    assert not orphan_queue().filter(pk=claim.pk).exists()


def test_an_orphan_has_no_proposal_to_accept(revised, annotator):
    orphan = revised["orphan"]
    with pytest.raises(ClaimError, match=re.escape(ERROR_NO_PROPOSAL)):
        orphan_accept(claim=orphan, version=orphan.version, user=annotator)


def test_picking_a_passage_moves_the_claim_there(revised, annotator):
    orphan = revised["orphan"]
    quote = "The sentence was read at dawn."
    start = NEW.index(quote)
    claim = orphan_reanchor(claim=orphan, start=start, end=start + len(quote), quote=quote,
                            version=orphan.version, user=annotator)  # fmt: skip
    claim.refresh_from_db()
    assert (claim.document_id, claim.start, claim.quote, claim.anchor_state) == (
        revised["new"].pk, start, quote, "moved",
    )  # fmt: skip


def test_a_picked_passage_must_match_the_new_text(revised, annotator):
    orphan = revised["orphan"]
    with pytest.raises(ClaimError) as refused:
        orphan_reanchor(claim=orphan, start=0, end=8, quote="Preface.", version=orphan.version,
                        user=annotator)  # fmt: skip
    assert refused.value.field == "quote"
    assert Claim.objects.get(pk=orphan.pk).document_id == revised["old"].pk


def test_keeping_a_claim_on_its_old_revision_takes_it_out_of_the_queue(revised, annotator):
    check = revised["check"]
    claim = orphan_keep(claim=check, version=check.version, user=annotator)
    claim.refresh_from_db()
    assert (claim.document_id, claim.anchor_state, claim.anchor_kept) == (
        revised["old"].pk, "orphaned", True,
    )  # fmt: skip
    assert claim.anchor_target is None and claim.anchor_start is None
    assert [c.pk for c in orphan_queue()] == [revised["orphan"].pk]
    assert sum(revision_reanchor(revised["new"]).claims.values()) == 0  # not carried again


def test_settling_is_refused_to_others_to_stale_versions_and_twice(revised, annotator):
    check = revised["check"]
    stranger = make_user("annotator")
    with pytest.raises(ClaimPermissionDenied):
        orphan_keep(claim=check, version=check.version, user=stranger)
    with pytest.raises(ClaimConflict):
        orphan_accept(claim=check, version=check.version - 1, user=annotator)
    editor = make_user("editor")
    orphan_accept(claim=check, version=check.version, user=editor)  # an editor may
    with pytest.raises(ClaimConflict):
        orphan_keep(claim=check, version=check.version, user=annotator)  # stale now
    with pytest.raises(ClaimError, match=re.escape(ERROR_NOT_WAITING)):
        orphan_keep(claim=check, version=check.version + 1, user=annotator)
    Claim.objects.filter(pk=revised["orphan"].pk).delete()
    with pytest.raises(ClaimGone):
        orphan_keep(claim=revised["orphan"], version=1, user=annotator)


def test_settling_against_a_replaced_target_is_a_conflict(revised, annotator):
    document_revise(document=revised["new"], data=(NEW + "\nAddendum.").encode(),
                    filename="t.txt", user=None)  # fmt: skip
    check = revised["check"]
    with pytest.raises(ClaimConflict, match=re.escape(ERROR_TARGET_NOT_CURRENT)):
        orphan_accept(claim=check, version=check.version, user=annotator)
    assert Claim.objects.get(pk=check.pk).anchor_state == AnchorState.NEEDS_CHECK


def test_an_edit_of_the_statement_meanwhile_is_seen_not_lost(revised, annotator):
    check = revised["check"]
    claim_update(claim=check, statement="Edited.", topics=[], version=check.version, user=annotator)
    with pytest.raises(ClaimConflict):
        orphan_accept(claim=check, version=check.version - 1, user=annotator)
    orphan_accept(claim=check, version=check.version, user=annotator)
    assert Claim.objects.get(pk=check.pk).statement == "Edited."


# --- Payloads and exports ----------------------------------------------------------------


def test_each_revision_lists_the_claims_that_live_on_it(revised, annotator_client):
    def listed(document):
        url = reverse("claims:api-document-claims", args=[document.pk])
        return {c["id"]: (c["anchor_state"], c["document"]) for c in
                annotator_client.get(url).json()["claims"]}  # fmt: skip

    new, old = revised["new"], revised["old"]
    assert listed(new) == {
        str(revised["exact"].public_id): ("exact", new.pk),
        str(revised["moved"].public_id): ("moved", new.pk),
    }
    assert listed(old) == {
        str(revised["check"].public_id): ("needs_check", old.pk),
        str(revised["orphan"].public_id): ("orphaned", old.pk),
    }


def test_the_claims_export_says_which_revision_each_claim_points_into(revised):
    text = "".join(csv_chunks(DATASETS["claims"], Claim.objects.all()))
    rows = {r["quote"]: r for r in csv.DictReader(io.StringIO(text))}
    assert (rows[EXACT_QUOTE]["document_revision"], rows[EXACT_QUOTE]["anchor_state"]) == (
        "2", "exact",
    )  # fmt: skip
    assert (rows[ORPHAN_QUOTE]["document_revision"], rows[ORPHAN_QUOTE]["anchor_state"]) == (
        "1", "orphaned",
    )  # fmt: skip


# --- The command -----------------------------------------------------------------------


def test_the_command_imports_a_revision_and_re_anchors_in_process(old, tmp_path, capsys):
    path = tmp_path / "trial.txt"
    path.write_text(NEW)
    call_command("import_revision", str(old["document"].pk), str(path))
    out = capsys.readouterr().out
    new = Document.objects.get(previous=old["document"])
    assert f"as #{new.pk}, revision 2 of “Trial”" in out
    assert "4 claims onto revision 2: 1 exact, 1 moved, 1 to check, 1 orphaned" in out
    assert Claim.objects.get(pk=old["exact"].pk).document_id == new.pk


def test_the_command_refuses_an_unknown_document_or_a_bad_file(old, tmp_path):
    path = tmp_path / "trial.txt"
    path.write_text(OLD)
    with pytest.raises(CommandError, match="No document has the id 999999"):
        call_command("import_revision", "999999", str(path))
    with pytest.raises(CommandError, match="identical to revision 1"):
        call_command("import_revision", str(old["document"].pk), str(path))
    assert Document.objects.count() == 1
