"""Control characters. Nobody can type them into a claim, link, evidence or review: they
show nothing, and an XLSX cell has no place for them ("Export failed due to
IllegalCharacterError"). What is stored with them all the same exports in every format and
imports back unchanged: a document's form feeds (uploads keep them, and claims quote them),
and text written before they were refused."""

import csv
import io

import openpyxl
import pytest
from django.core.management import call_command
from django.urls import reverse

from claims.errors import ERROR_CONTROL_CHARACTER, ClaimError
from claims.models import Claim, ClaimLink, Evidence, Review, Topic, topic_key
from claims.reviewing import review_submit
from claims.services import claim_create, claim_update, evidence_add, link_create
from corpus.models import Document, Source
from tests.admin_io import admin_export, assert_imports_back_unchanged
from tests.factories import make_claim, make_document, make_link, make_review, make_user

pytestmark = pytest.mark.django_db

CONTROLS = ["\x01", "\x08", "\x0b", "\x0c", "\x1b", "\x1f", "\x7f", "\x85", "\x9f", "\ufffe"]
# Text stored before control characters were refused, with what XLSX cannot hold, the
# escapes XLSX uses for them (_xHHHH_) written literally, and every kind of line end.
LEGACY = (
    "Legacy \x01 bell\x07 vt\x0b ff\x0c esc\x1b us\x1f del\x7f nel\x85 \x9f nonchar\ufffe\uffff "
    "literal _x0041_, _x005F_x0041_, _x00\x01 and _x0041\x02; crlf\r\ncr\rlf\n\ttab end"
)
# A text as uploaded (form feeds between pages, as pdftotext writes them, a vertical tab and
# an escape), long enough to fill more than two spreadsheet cells.
PAGE = "The committee heard the witnesses again - and again.\n" * 8
UPLOADED = "\x0c".join(f"Page {number}.\n{PAGE}" for number in range(180)) + "\x0bEnd\x1b."


def code(character: str) -> str:
    return f"U+{ord(character):04X}"


@pytest.fixture
def author():
    return make_user("annotator")


WRITES = {
    "statement": lambda author, text: claim_create(
        document=make_document("Words to quote here."), start=0, end=5, quote="Words",
        statement=f"Before {text} after", user=author,
    ),
    "edited statement": lambda author, text: claim_update(
        claim=make_claim(user=author), statement=f"Before {text} after", topics=[], version=1,
        user=author,
    ),
    "topics": lambda author, text: claim_create(
        document=make_document("Words to quote here."), start=0, end=5, quote="Words",
        statement="A statement.", topics=[f"Topic{text}"], user=author,
    ),
    "rationale": lambda author, text: link_create(
        claim=make_claim(), other=make_claim(), relation="contradicts",
        rationale=f"Because {text} so", user=author,
    ),
    "citation": lambda author, text: evidence_add(
        claim=make_claim(), kind="citation", bearing="supports", citation=f"A book{text}, p. 1",
        user=author,
    ),
    "quote": lambda author, text: evidence_add(
        claim=make_claim(), kind="quote", bearing="supports", quote=f"Said {text} aloud",
        user=author,
    ),
    "note": lambda author, text: review_submit(
        link=make_link(), verdict="confirmed", note=f"Seen {text} twice",
        user=make_user("reviewer"),
    ),
}  # fmt: skip
FIELDS = {"edited statement": "statement"}


@pytest.mark.parametrize("field", WRITES)
@pytest.mark.parametrize("character", CONTROLS, ids=code)
def test_a_control_character_is_refused_with_a_message_naming_it(author, field, character):
    with pytest.raises(ClaimError) as refusal:
        WRITES[field](author, character)
    assert refusal.value.message == ERROR_CONTROL_CHARACTER.format(code=code(character))
    assert refusal.value.field == FIELDS.get(field, field)


def test_the_annotation_page_is_told_why_a_statement_was_refused(author, client):
    document = make_document("Words to quote here.")
    client.force_login(author)
    response = client.post(
        reverse("claims:api-document-claims", args=[document.pk]),
        {"start": 0, "end": 5, "quote": "Words", "statement": "Bell \x01 here"},
        content_type="application/json",
    )
    assert response.status_code == 400
    message = ERROR_CONTROL_CHARACTER.format(code="U+0001")
    assert response.json() == {"error": message, "fields": {"statement": [message]}}
    assert not Claim.objects.exists()


def test_tabs_and_line_ends_are_kept(author):
    """Text boxes take several lines (a statement's too, though it says one thing)."""
    text = "One\r\nTwo\rThree\n\tFour"
    claim = WRITES["statement"](author, text)
    assert Claim.objects.get(pk=claim.pk).statement == f"Before {text} after"
    link = WRITES["rationale"](author, text)
    evidence = WRITES["quote"](author, text)
    review = WRITES["note"](author, text)
    assert ClaimLink.objects.get(pk=link.pk).rationale == f"Because {text} so"
    assert Evidence.objects.get(pk=evidence.pk).quote == f"Said {text} aloud"
    assert Review.objects.get(pk=review.pk).note == f"Seen {text} twice"


@pytest.fixture
def stored_with_controls(author):
    """Every kind of object, with control characters stored: an uploaded document's form
    feeds (and a claim and a cited passage quoting them), and text written directly."""
    document = make_document(UPLOADED)
    page_break = UPLOADED.index("\x0cPage 100")
    claim = make_claim(document, user=author, start=page_break - 10, end=page_break + 9,
                       topics=["Pages"])  # fmt: skip
    other = make_claim(user=author, topics=["Other"])
    link = make_link(claim, other, user=author)
    WRITES["citation"](author, "")
    evidence_add(
        link=link, kind="passage", document=document, start=page_break - 5,
        end=page_break + 7, quote=UPLOADED[page_break - 5 : page_break + 7], bearing="refutes",
        user=author,
    )  # fmt: skip
    make_review(link, "confirmed", note="Fine.")
    Source.objects.update(name=LEGACY, notes=LEGACY, publisher=LEGACY)
    Document.objects.update(title=LEGACY)
    Claim.objects.filter(pk=other.pk).update(statement=LEGACY)
    topic = LEGACY[:50].strip()
    Topic.objects.filter(name="Other").update(name=topic, key=topic_key(topic))
    ClaimLink.objects.update(rationale=LEGACY)
    Evidence.objects.filter(kind="citation").update(citation=LEGACY)
    Review.objects.update(note=LEGACY)
    return document


@pytest.mark.parametrize("name", ["csv", "xlsx", "json"])
def test_stored_control_characters_export_and_import_back_unchanged(
    client, stored_with_controls, name
):
    assert_imports_back_unchanged(client, name)


def test_the_xlsx_file_writes_control_characters_as_spreadsheets_read_them(
    client, stored_with_controls
):
    """As _xHHHH_ (the Office Open XML escape): the workbook opens, and the cells keep
    within a spreadsheet's 32,767 characters."""
    client.force_login(make_user("editor"))
    sheet = openpyxl.load_workbook(io.BytesIO(admin_export(client, Claim, "xlsx"))).active
    header = [cell.value for cell in sheet[1]]
    statements = [row[header.index("statement")] for row in sheet.iter_rows(2, values_only=True)]
    assert any(s.startswith("Legacy _x0001_ bell_x0007_") for s in statements), statements
    assert any("literal _x005F_x0041_, _x005F_x005F_x005F_x0041_," in s for s in statements)
    assert any("crlf_x000D_\ncr_x000D_lf\n\ttab end" in s for s in statements)

    document = openpyxl.load_workbook(io.BytesIO(admin_export(client, Document, "xlsx"))).active
    cells = [cell for row in document.iter_rows(2, values_only=True) for cell in row]
    texts = [cell for cell in cells if isinstance(cell, str) and "_x000C_" in cell]
    assert len(texts) >= 3 and all(len(cell) <= 32_767 for cell in texts)


@pytest.mark.parametrize("dataset", ["claims", "pairs", "evidence"])
def test_the_export_page_and_command_write_stored_control_characters_as_they_are(
    client, stored_with_controls, tmp_path, dataset
):
    client.force_login(make_user("reviewer"))
    response = client.get("/export/download/", {"dataset": dataset})
    assert response.status_code == 200
    page = b"".join(response.streaming_content)
    path = tmp_path / "export.csv"
    call_command("export_annotations", dataset=dataset, output=str(path))
    assert path.read_bytes() == page
    cells = {cell for row in csv.reader(io.StringIO(page.decode(), newline="")) for cell in row}
    expected = {
        "claims": [LEGACY, Claim.objects.get(quote__contains="\x0c").quote],
        "pairs": [LEGACY],
        "evidence": [LEGACY, Evidence.objects.get(kind="passage").quote],
    }[dataset]
    assert set(expected) <= cells
