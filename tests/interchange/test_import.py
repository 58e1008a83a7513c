"""Import of W3C Web Annotations and Hypothesis exports onto a document: the plan (what
each annotation becomes, and why), the all-or-nothing import, and idempotency."""

import json
import threading
import time
from datetime import timedelta
from pathlib import Path

import pytest
from django.db import connection
from django.utils import timezone

from claims.models import Claim, ClaimLink
from corpus.models import Document
from corpus.seeds import SEEDS_DIR, load_seeds
from interchange import importing
from interchange.importing import (
    CREATE,
    EXISTS,
    HYPOTHESIS,
    REANCHOR,
    REFUSE,
    W3C,
    ImportDoneBefore,
    ImportFileError,
    ImportPermissionDenied,
    import_apply,
    import_plan,
    upload_create,
)
from interchange.models import ImportedAnnotation, ImportUpload
from jobs.models import Job
from tests.factories import make_claim, make_document, make_user

pytestmark = pytest.mark.django_db

SAMPLE = Path(__file__).parent / "data" / "hypothesis_export.json"
TEXT = (
    "The first trial opened in August 1936. Sixteen defendants were tried.\n\n"
    "The second trial opened in January 1937. Seventeen defendants were tried.\n"
)


def load_seed(folder: Path, *names: str) -> list[Document]:
    """The seed documents whose file names start with ``names``, loaded as
    ``manage.py load_seeds`` loads them (from a copy of the manifest naming only them)."""
    manifest = json.loads((SEEDS_DIR / "manifest.json").read_text(encoding="utf-8"))
    chosen = [e for e in manifest["documents"] if e["file"].startswith(names)]
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "manifest.json").write_text(json.dumps({**manifest, "documents": chosen}))
    for entry in chosen:
        (folder / entry["file"]).write_bytes((SEEDS_DIR / entry["file"]).read_bytes())
    load_seeds(folder)
    return [Document.objects.get(title=entry["title"]) for entry in chosen]


@pytest.fixture
def kirov(tmp_path) -> Document:
    return load_seed(tmp_path / "seeds", "003_")[0]


def _import(document, value, user) -> importing.Outcome:
    data = value if isinstance(value, bytes) else json.dumps(value).encode()
    upload = upload_create(document=document, data=data, filename="a.json", user=user)
    return import_apply(upload=upload, user=user)


def _w3c(quote, statement="It says so.", *, start=None, end=None, prefix="", suffix="",
         id="https://elsewhere.example/annotations/1", tags=()):  # fmt: skip
    selectors = [{"type": "TextQuoteSelector", "exact": quote, "prefix": prefix, "suffix": suffix}]
    if start is not None:
        selectors.insert(0, {"type": "TextPositionSelector", "start": start, "end": end})
    bodies = [{"type": "TextualBody", "purpose": "describing", "value": statement}]
    bodies += [{"type": "TextualBody", "purpose": "tagging", "value": tag} for tag in tags]
    annotation = {
        "@context": "http://www.w3.org/ns/anno.jsonld",
        "type": "Annotation",
        "motivation": "describing",
        "body": bodies,
        "target": {"source": "https://elsewhere.example/doc", "selector": selectors},
    }
    if id:
        annotation["id"] = id
    return annotation


# --- the Hypothesis export ---------------------------------------------------------------


def test_a_hypothesis_export_previews_what_each_annotation_becomes(kirov, annotator):
    plan = import_plan(document=kirov, data=SAMPLE.read_bytes(), user=annotator)
    assert plan.kind == HYPOTHESIS
    actions = [(row.number, row.action) for row in plan.rows]
    assert actions == [
        (1, CREATE), (2, REANCHOR), (3, REANCHOR), (4, REFUSE),
        (5, REFUSE), (6, REFUSE), (7, REANCHOR), (8, REFUSE),
    ]  # fmt: skip
    reasons = {row.number: row.reason for row in plan.rows}
    assert reasons[1] == importing.REASON_AT_POSITION
    assert reasons[2].startswith("Its quote is found at 1651–1702, not at 1865–1916")
    assert reasons[3].startswith("A quote differing only slightly is found at 756–811")
    assert reasons[4] == importing.REASON_NOT_FOUND.format(
        quote="Kirov was shot by a jealous husband acting alone"
    )
    assert reasons[5] == importing.REASON_NO_STATEMENT
    assert reasons[6] == importing.REASON_PAGE_NOTE
    assert reasons[8] == importing.REASON_REPLY
    assert plan.counts == {"create": 1, "re-anchored": 3, "already imported": 0, "refused": 4}
    assert Claim.objects.count() == 0  # a preview changes nothing


def test_a_hypothesis_export_imports_onto_the_matching_seed_document(kirov, annotator):
    outcome = _import(kirov, SAMPLE.read_bytes(), annotator)
    assert (outcome.claims, outcome.links, outcome.refused) == (4, 0, 4)
    claims = {c.start: c for c in Claim.objects.filter(document=kirov).prefetch_related("topics")}
    assert sorted(claims) == [756, 1216, 1651, 20273]
    first = claims[1216]
    assert first.quote == (
        "His assassin, Nicolaiev, was an obscure employee of the Soviet apparatus."
    )
    assert first.statement.startswith("The assassin, Nicolaiev")
    assert sorted(t.name for t in first.topics.all()) == ["Kirov assassination", "Nikolayev"]
    assert claims[756].quote == "Stalin’s successors repudiated twenty years of his rule"
    for claim in claims.values():  # each anchored where its quote is, by the services' rules
        assert kirov.text[claim.start : claim.end] == claim.quote
        assert claim.created_by == annotator
    keys = set(ImportedAnnotation.objects.values_list("key", flat=True))
    assert keys == {"Qm9vS2lyb3YtMDAwMDAx", "Qm9vS2lyb3YtMDAwMDAy", "Qm9vS2lyb3YtMDAwMDAz",
                    "Qm9vS2lyb3YtMDAwMDA3"}  # fmt: skip
    assert not ImportUpload.objects.pending().exists()  # the confirmed upload is a receipt


def test_a_second_import_of_the_same_file_creates_nothing_new(kirov, annotator, editor):
    _import(kirov, SAMPLE.read_bytes(), annotator)
    before = list(Claim.objects.order_by("pk").values_list("pk", "start", "end", "statement"))
    plan = import_plan(document=kirov, data=SAMPLE.read_bytes(), user=editor)
    assert plan.counts == {"create": 0, "re-anchored": 0, "already imported": 4, "refused": 4}
    assert {row.reason for row in plan.rows if row.action == EXISTS} == {importing.REASON_IMPORTED}
    outcome = _import(kirov, SAMPLE.read_bytes(), editor)
    assert (outcome.claims, outcome.existing) == (0, 4)
    assert list(Claim.objects.order_by("pk").values_list("pk", "start", "end", "statement")) == (
        before
    )


def test_a_deleted_imported_claim_is_not_brought_back(kirov, annotator):
    _import(kirov, SAMPLE.read_bytes(), annotator)
    Claim.objects.filter(start=1216).delete()
    plan = import_plan(document=kirov, data=SAMPLE.read_bytes(), user=annotator)
    assert plan.rows[0].action == EXISTS
    assert ImportedAnnotation.objects.get(key="Qm9vS2lyb3YtMDAwMDAx").claim is None


# --- W3C shapes --------------------------------------------------------------------------


@pytest.mark.parametrize("shape", ["one", "list", "page", "collection"])
def test_every_w3c_shape_is_read(shape, annotator):
    document = make_document(TEXT)
    items = [_w3c("Sixteen defendants were tried.", id=f"urn:x:{n}") for n in (1, 2)]
    items[1] = _w3c("Seventeen defendants were tried.", id="urn:x:2")
    value = {
        "one": items[0],
        "list": items,
        "page": {"type": "AnnotationPage", "items": items},
        "collection": {
            "type": ["BasicContainer", "AnnotationCollection"],
            "first": {
                "type": "AnnotationPage",
                "items": items[:1],
                "next": {"type": "AnnotationPage", "items": items[1:]},
            },
        },  # fmt: skip
    }[shape]
    plan = import_plan(document=document, data=json.dumps(value).encode(), user=annotator)
    assert plan.kind == W3C
    expected = 1 if shape == "one" else 2
    assert [row.action for row in plan.rows] == [REANCHOR] * expected
    assert plan.rows[0].reason == importing.REASON_FOUND_NO_POSITION.format(start=39, end=69)


def test_w3c_statement_and_topics_come_from_describing_and_tagging_bodies(annotator):
    document = make_document(TEXT)
    value = _w3c("Sixteen defendants were tried.", "Sixteen were tried in 1936.", start=39,
                 end=69, tags=["Trials", "Numbers"])  # fmt: skip
    _import(document, value, annotator)
    claim = Claim.objects.get()
    assert (claim.start, claim.end, claim.statement) == (39, 69, "Sixteen were tried in 1936.")
    assert sorted(claim.topics.values_list("name", flat=True)) == ["Numbers", "Trials"]


def test_an_annotation_without_id_is_recognised_by_its_content(annotator):
    document = make_document(TEXT)
    value = [_w3c("Sixteen defendants were tried.", id=None)]
    _import(document, value, annotator)
    key = ImportedAnnotation.objects.get().key
    assert key.startswith("sha256:") and len(key) == 71
    plan = import_plan(document=document, data=json.dumps(value).encode(), user=annotator)
    assert [row.action for row in plan.rows] == [EXISTS]


def test_a_repeated_quote_is_placed_by_its_context_never_by_picking_the_first(annotator):
    text = (
        "Kirov was shot in Leningrad by Nikolayev.\n\n"
        "Later, in Moscow, the same story: shot in Leningrad.\n"
    )
    document = make_document(text)
    second = text.index("shot in Leningrad", 20)
    with_context = _w3c("shot in Leningrad", prefix="the same story: ", suffix=".\n",
                        id="urn:x:1")  # fmt: skip
    without = _w3c("shot in Leningrad", id="urn:x:2")
    plan = import_plan(document=document, data=json.dumps([with_context, without]).encode(),
                       user=annotator)  # fmt: skip
    assert (plan.rows[0].action, plan.rows[0].start) == (REANCHOR, second)
    assert plan.rows[1].action == REFUSE


def test_an_approximate_match_is_refused_with_its_place(annotator):
    document = make_document(TEXT)
    value = _w3c("The second trial began in Jan 1937.", start=71, end=106)
    row = import_plan(document=document, data=json.dumps(value).encode(), user=annotator).rows[0]
    assert (row.action, row.start) == (REFUSE, None)
    assert row.reason == importing.REASON_NEEDS_CHECK.format(
        start=71, end=111, found="The second trial opened in January 1937."
    )


def test_a_quote_with_a_one_letter_fix_is_re_anchored_on_the_document_s_words(annotator):
    document = make_document(TEXT)
    value = _w3c("The sceond trial opened in January 1937.", start=71, end=111)
    row = import_plan(document=document, data=json.dumps(value).encode(), user=annotator).rows[0]
    assert (row.action, row.start, row.end) == (REANCHOR, 71, 111)
    assert row.quote == "The second trial opened in January 1937."


def test_two_annotations_on_one_passage_make_one_claim(annotator):
    document = make_document(TEXT)
    value = [_w3c("Sixteen defendants were tried.", "One.", id="urn:x:1"),
             _w3c("Sixteen defendants were tried.", "Two.", id="urn:x:2")]  # fmt: skip
    plan = import_plan(document=document, data=json.dumps(value).encode(), user=annotator)
    assert [row.action for row in plan.rows] == [REANCHOR, REFUSE]
    assert plan.rows[1].reason == importing.REASON_SAME_PASSAGE.format(number=1)


def test_a_passage_already_claimed_with_the_same_statement_is_not_claimed_again(annotator):
    document = make_document(TEXT)
    make_claim(document, quote="Sixteen defendants were tried.", statement="It says so.")
    value = _w3c("Sixteen defendants were tried.", "It says so.")
    row = import_plan(document=document, data=json.dumps(value).encode(), user=annotator).rows[0]
    assert (row.action, row.reason) == (EXISTS, importing.REASON_CLAIM_EXISTS)


def test_a_statement_too_long_is_refused_with_the_services_message(annotator):
    document = make_document(TEXT)
    value = _w3c("Sixteen defendants were tried.", "x" * 1001)
    row = import_plan(document=document, data=json.dumps(value).encode(), user=annotator).rows[0]
    assert row.action == REFUSE and "at most 1000 characters" in row.reason


# --- links -------------------------------------------------------------------------------


def _linking(first: str, second: str, relation="contradicts", id="urn:x:link"):
    return {
        "type": "Annotation",
        "id": id,
        "motivation": "linking",
        "body": [{"type": "TextualBody", "purpose": "classifying", "value": relation},
                 {"type": "TextualBody", "purpose": "describing", "value": "They differ."}],
        "target": [first, second],
    }  # fmt: skip


def test_a_linking_annotation_links_claims_of_two_imported_documents(annotator):
    one, two = make_document(TEXT), make_document("In 1936 fifteen defendants were tried.\n")
    link = _linking("urn:a:1", "urn:b:1")
    first = _import(one, [_w3c("Sixteen defendants were tried.", id="urn:a:1"), link], annotator)
    assert (first.claims, first.links, first.refused) == (1, 0, 1)
    plan = import_plan(document=one, data=json.dumps([link]).encode(), user=annotator)
    assert plan.rows[0].reason == importing.REASON_LINK_MISSING
    second = _import(two, [_w3c("fifteen defendants were tried", id="urn:b:1"), link], annotator)
    assert (second.claims, second.links) == (1, 1)
    made = ClaimLink.objects.get()
    assert (made.relation, made.rationale) == ("contradicts", "They differ.")
    again = import_plan(document=one, data=json.dumps([link]).encode(), user=annotator)
    assert (again.rows[0].action, again.rows[0].reason) == (EXISTS, importing.REASON_IMPORTED)
    # The same two claims linked by another file's annotation: linked already.
    other = import_plan(
        document=one,
        data=json.dumps([_linking("urn:a:1", "urn:b:1", id="urn:y")]).encode(),
        user=annotator,
    )
    assert (other.rows[0].action, other.rows[0].reason) == (EXISTS, importing.REASON_LINK_EXISTS)


def test_a_link_between_two_claims_of_one_document_is_refused(annotator):
    document = make_document(TEXT)
    value = [_w3c("Sixteen defendants were tried.", id="urn:a:1"),
             _w3c("Seventeen defendants were tried.", id="urn:a:2"),
             _linking("urn:a:1", "urn:a:2")]  # fmt: skip
    row = import_plan(document=document, data=json.dumps(value).encode(), user=annotator).rows[2]
    assert (row.action, row.reason) == (REFUSE, importing.REASON_LINK_SAME_DOCUMENT)


# --- bad files, permissions, all or nothing ------------------------------------------------


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", importing.ERROR_EMPTY),
        (b"\xff\xfe{\x00", importing.ERROR_NOT_UTF8),
        (b'{"annotations": [', "The file is not valid JSON: Expecting value at line 1, column 18."),
        (b'{"name": "a list of things"}', importing.ERROR_NO_ANNOTATIONS),
        (b"[]", importing.ERROR_NO_ANNOTATIONS),
        (b"[" * 100_000, importing.ERROR_TOO_DEEP),
        (b'{"type": "AnnotationCollection", "first": "https://x.example/page1"}',
         importing.ERROR_PAGES_NOT_EMBEDDED.format(address="https://x.example/page1")),
    ],
)  # fmt: skip
def test_a_file_that_cannot_be_read_is_refused_and_nothing_is_kept(data, message, annotator):
    document = make_document(TEXT)
    with pytest.raises(ImportFileError) as refused:
        upload_create(document=document, data=data, filename="a.json", user=annotator)
    assert refused.value.message == message
    assert not ImportUpload.objects.exists()


def test_a_file_over_the_limits_is_refused(annotator, settings, monkeypatch):
    document = make_document(TEXT)
    settings.CROSSCHECK_MAX_IMPORT_BYTES = 100
    with pytest.raises(ImportFileError, match="at most 100\xa0bytes can be imported"):
        import_plan(document=document, data=b"[" + b" " * 100 + b"]", user=annotator)
    settings.CROSSCHECK_MAX_IMPORT_BYTES = 10_000
    monkeypatch.setattr(importing, "MAX_ANNOTATIONS", 2)
    with pytest.raises(ImportFileError, match="The file holds 3 annotations; at most 2"):
        import_plan(document=document, data=b"[{}, {}, {}]", user=annotator)


def test_only_annotators_and_editors_may_import(reviewer):
    document = make_document(TEXT)
    with pytest.raises(ImportPermissionDenied):
        upload_create(document=document, data=SAMPLE.read_bytes(), filename="a", user=reviewer)


def test_a_refusal_while_importing_leaves_nothing(annotator, monkeypatch):
    document = make_document(TEXT)
    value = [_w3c("Sixteen defendants were tried.", id="urn:x:1"),
             _w3c("Seventeen defendants were tried.", id="urn:x:2")]  # fmt: skip
    upload = upload_create(document=document, data=json.dumps(value).encode(), filename="a",
                         user=annotator)  # fmt: skip
    # Someone else claims the second passage with the same words between preview and confirm:
    # the import plans again, and creating the second claim is refused by the services.
    real = importing._claim_create
    calls = []

    def second_refused(**kwargs):
        calls.append(kwargs)
        if len(calls) == 2:
            from claims.errors import ClaimError

            raise ClaimError("Refused now.")
        return real(**kwargs)

    monkeypatch.setattr(importing, "_claim_create", second_refused)
    with pytest.raises(ImportFileError) as refused:
        import_apply(upload=upload, user=annotator)
    assert refused.value.message == importing.ERROR_APPLY.format(number=2, message="Refused now.")
    assert not Claim.objects.exists() and not ImportedAnnotation.objects.exists()
    assert ImportUpload.objects.pending().exists()  # still there to try again


def _confirmed(annotator, job: Job | None = None, *, text: str = TEXT) -> ImportUpload:
    document = make_document(text)
    value = _w3c("Sixteen defendants were tried.")
    upload = upload_create(document=document, data=json.dumps(value).encode(), filename="a",
                         user=annotator)  # fmt: skip
    import_apply(upload=upload, user=annotator, job=job)
    return upload


def test_a_confirmed_upload_is_kept_as_its_receipt_and_cannot_be_confirmed_again(annotator):
    upload = _confirmed(annotator)
    receipt = ImportUpload.objects.get()
    assert (bytes(receipt.data), receipt.plan, receipt.import_job) == (b"", None, None)
    assert receipt.imported_at is not None
    assert receipt.imported_summary == (
        "Imported 1 claim, 0 links and 0 evidence; 0 already there, 0 refused."
    )
    with pytest.raises(ImportFileError) as refused:
        import_apply(upload=upload, user=annotator)  # a double confirm
    assert refused.value.message == importing.ERROR_UPLOAD_GONE
    assert not isinstance(refused.value, ImportDoneBefore)
    assert Claim.objects.count() == 1 and ImportedAnnotation.objects.count() == 1
    assert not ImportUpload.objects.pending().exists()


def test_the_job_that_imported_an_upload_finds_its_summary_and_another_finds_it_gone(annotator):
    job = Job.objects.create(requested_by=annotator, kind="import", label="Import")
    upload = _confirmed(annotator, job)
    with pytest.raises(ImportDoneBefore) as done:
        import_apply(upload=upload, user=annotator, job=job)  # its run after a lost worker
    assert done.value.summary == (
        "Imported 1 claim, 0 links and 0 evidence; 0 already there, 0 refused."
    )
    other = Job.objects.create(requested_by=annotator, kind="import", label="Import")
    with pytest.raises(ImportFileError) as refused:
        import_apply(upload=upload, user=annotator, job=other)  # a double confirm's job
    assert refused.value.message == importing.ERROR_UPLOAD_GONE
    assert not isinstance(refused.value, ImportDoneBefore)
    assert Claim.objects.count() == 1 and ImportedAnnotation.objects.count() == 1


def test_old_uploads_and_receipts_are_removed_at_the_next_upload(annotator):
    imported_long_ago = _confirmed(annotator)
    imported_just_now = _confirmed(annotator, text=f"{TEXT}Another copy.\n")
    left = upload_create(document=imported_long_ago.document, filename="a", user=annotator,
                         data=json.dumps(_w3c("Sixteen")).encode())  # fmt: skip
    day_ago = timezone.now() - timedelta(hours=importing.UPLOAD_KEEP_HOURS, minutes=1)
    ImportUpload.objects.filter(pk__in=[imported_long_ago.pk, imported_just_now.pk, left.pk]
                                ).update(created_at=day_ago)  # fmt: skip
    ImportUpload.objects.filter(pk=imported_long_ago.pk).update(imported_at=day_ago)
    new = upload_create(document=imported_long_ago.document, filename="b", user=annotator,
                        data=json.dumps(_w3c("Sixteen")).encode())  # fmt: skip
    # A receipt is kept a day after its import, for its job started again after a lost worker.
    assert set(ImportUpload.objects.values_list("pk", flat=True)) == {imported_just_now.pk, new.pk}


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="needs two real connections at once; SQLite's one writer puts them in a row",
)
def test_a_double_confirm_at_once_waits_for_the_first_and_imports_once(annotator, monkeypatch):
    document = make_document(TEXT)
    data = json.dumps(_w3c("Sixteen defendants were tried.")).encode()
    upload = upload_create(document=document, data=data, filename="a", user=annotator)
    real_apply, inside = importing._apply, threading.Event()

    def apply_once_the_other_waits(*args):
        inside.set()  # the first holds the lock: it imports once the second waits for it
        # pg_locks is read live (pg_stat_activity would be one snapshot per transaction).
        waiting = "SELECT count(*) FROM pg_locks WHERE NOT granted"
        deadline = time.monotonic() + 30
        with connection.cursor() as cursor:
            while time.monotonic() < deadline:
                cursor.execute(waiting)
                if cursor.fetchone()[0]:
                    return real_apply(*args)
                time.sleep(0.01)
        raise AssertionError("the second confirm did not wait for the lock")

    monkeypatch.setattr(importing, "_apply", apply_once_the_other_waits)
    outcomes: list[object] = []

    def confirm() -> None:
        try:
            outcomes.append(import_apply(upload=upload, user=annotator).claims)
        except ImportFileError as error:
            outcomes.append(error.message)
        finally:
            connection.close()

    first = threading.Thread(target=confirm)
    first.start()
    assert inside.wait(timeout=30)
    second = threading.Thread(target=confirm)
    second.start()
    first.join(timeout=30)
    second.join(timeout=30)
    assert len(outcomes) == 2 and set(outcomes) == {1, importing.ERROR_UPLOAD_GONE}
    assert Claim.objects.count() == 1 and ImportedAnnotation.objects.count() == 1


def test_only_the_uploader_confirms(annotator):
    document = make_document(TEXT)
    upload = upload_create(document=document, data=json.dumps(_w3c("Sixteen")).encode(),
                         filename="a", user=annotator)  # fmt: skip
    with pytest.raises(ImportPermissionDenied):
        import_apply(upload=upload, user=make_user("annotator"))
    assert not Claim.objects.exists()


# --- evidence ----------------------------------------------------------------------------


def _evidence(target: str, body, id="urn:x:evidence", motivation="refuting"):
    return {"type": "Annotation", "id": id, "motivation": ["assessing", motivation],
            "body": body, "target": target}  # fmt: skip


def test_evidence_on_an_imported_claim_is_attached_to_it(annotator):
    document = make_document(TEXT)
    other = make_document("Pravda, 1937: the defendants all confessed.\n")
    source = {"id": "https://old.example/doc/9", "canonical": f"urn:sha256:{other.checksum}"}
    quote = {"type": "TextQuoteSelector", "exact": "the defendants all confessed"}
    passage = {"type": "SpecificResource", "source": source, "selector": [quote]}
    value = [
        _w3c("Sixteen defendants were tried.", id="urn:a:1"),
        _evidence("urn:a:1", {"type": "TextualBody", "value": "Conquest, 1968."}, id="urn:e:1"),
        _evidence(
            "urn:a:1",
            {"id": "https://example.org/report", "citation": "A report"},
            id="urn:e:2",
            motivation="supporting",
        ),  # fmt: skip
        _evidence("urn:a:1", passage, id="urn:e:3"),
        _evidence("urn:a:404", {"type": "TextualBody", "value": "Nowhere."}, id="urn:e:4"),
        _evidence("urn:a:1", {"id": "javascript:alert(1)"}, id="urn:e:5"),
    ]
    plan = import_plan(document=document, data=json.dumps(value).encode(), user=annotator)
    assert [row.action for row in plan.rows] == [REANCHOR, CREATE, CREATE, CREATE, REFUSE, REFUSE]
    assert plan.rows[4].reason == importing.REASON_EVIDENCE_MISSING
    assert plan.rows[5].reason.startswith("Only web addresses starting with http")
    outcome = _import(document, value, annotator)
    assert (outcome.claims, outcome.evidence, outcome.refused) == (1, 3, 2)
    claim = Claim.objects.get()
    found = {(e.kind, e.bearing, e.citation, e.url, e.quote, e.document_id)
             for e in claim.evidence.all()}  # fmt: skip
    assert found == {
        ("citation", "refutes", "Conquest, 1968.", "", "", None),
        ("url", "supports", "A report", "https://example.org/report", "", None),
        ("passage", "refutes", "", "", "the defendants all confessed", other.pk),
    }


def test_a_passage_of_a_document_not_in_this_crosscheck_is_refused(annotator):
    document = make_document(TEXT)
    passage = {"type": "SpecificResource", "source": {"canonical": "urn:sha256:" + "0" * 64},
               "selector": {"type": "TextQuoteSelector", "exact": "Anything"}}  # fmt: skip
    value = [_w3c("Sixteen defendants were tried.", id="urn:a:1"), _evidence("urn:a:1", passage)]
    row = import_plan(document=document, data=json.dumps(value).encode(), user=annotator).rows[1]
    assert (row.action, row.reason) == (REFUSE, importing.REASON_PASSAGE_DOCUMENT)


def _mixed_file(other: Document) -> list[dict]:
    """Claims found at once and only by a search, a link, evidence and a passage of another
    document found by a search."""
    source = {"canonical": f"urn:sha256:{other.checksum}"}
    quote = {"type": "TextQuoteSelector", "exact": "the defendants  all confessed"}
    passage = {"type": "SpecificResource", "source": source, "selector": quote}
    return [
        _w3c("Sixteen defendants were tried.", id="urn:a:1", start=39, end=69, tags=["1936"]),
        _w3c("defendants were tried.", id="urn:a:2", prefix="Seventeen "),
        _w3c("The  second trial opened in January 1937.", id="urn:a:3"),
        _w3c("The third trial opened", id="urn:a:4"),
        _linking("urn:a:1", "urn:b:1"),
        _evidence("urn:a:1", passage, id="urn:e:1"),
        _evidence("urn:a:2", {"type": "TextualBody", "value": "Conquest, 1968."}, id="urn:e:2"),
    ]


def test_a_kept_plan_reads_back_as_the_plan(annotator):
    document = make_document(TEXT)
    other = make_document("Pravda, 1937: the defendants all confessed.\n")
    data = json.dumps(_mixed_file(other)).encode()
    plan = import_plan(document=document, data=data, user=annotator)
    assert {row.action for row in plan.rows} == {CREATE, REANCHOR, REFUSE}
    kept = json.loads(json.dumps(importing.plan_as_json(plan)))  # as the database keeps it
    again = importing.plan_from_json(document, kept)
    assert (again.document, again.kind, again.rows) == (document, W3C, plan.rows)
    assert again.counts == plan.counts and again.to_import == plan.to_import


def test_a_plan_prepares_each_document_s_text_once(annotator, monkeypatch):
    document = make_document(TEXT)
    other = make_document("Pravda, 1937: the defendants all confessed.\n")
    prepared: list[str] = []

    class CountingLocator(importing.Locator):
        def __init__(self, text: str) -> None:
            prepared.append(text)
            super().__init__(text)

    monkeypatch.setattr(importing, "Locator", CountingLocator)
    plan = import_plan(document=document, data=json.dumps(_mixed_file(other)).encode(),
                       user=annotator)  # fmt: skip
    assert [row.action for row in plan.rows][:3] == [CREATE, REANCHOR, REANCHOR]
    assert plan.rows[5].action == CREATE and plan.rows[5].quote == "the defendants all confessed"
    assert sorted(prepared) == sorted([document.text, other.text])
    prepared.clear()
    exact = [_w3c("Sixteen defendants were tried.", id="urn:a:1", start=39, end=69)]
    import_plan(document=document, data=json.dumps(exact).encode(), user=annotator)
    assert prepared == []  # found at its position: nothing to prepare


class _Progress:
    def __init__(self) -> None:
        self.stages: list[tuple[int | None, str]] = []
        self.done = 0

    def start(self, total: int | None, label: str) -> None:
        self.stages.append((total, label))
        self.done = 0

    def advance(self, steps: int = 1) -> None:
        self.done += steps


def test_a_plan_reports_each_annotation_checked(annotator):
    document = make_document(TEXT)
    other = make_document("Pravda, 1937: the defendants all confessed.\n")
    value = _mixed_file(other)
    progress = _Progress()
    import_plan(document=document, data=json.dumps([*value, value[0]]).encode(), user=annotator,
                progress=progress)  # fmt: skip
    assert progress.stages == [(7, "Checking 7 annotations against the text")]
    assert progress.done == 7  # the repeat of the first is not checked again
