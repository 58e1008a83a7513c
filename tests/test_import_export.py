"""The admin's import and export (django-import-export): a lossless round trip in every
format, spreadsheet safety, all-or-nothing imports with row errors, natural keys resolved
in bulk, permissions and history."""

import csv
import io
import json
import zipfile

import openpyxl
import openpyxl.xml
import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from import_export.formats.base_formats import JSON, XLSX

from claims.models import Claim, ClaimLink, Evidence, Review, Topic
from claims.resources import ClaimResource, EvidenceResource, LinkResource, ReviewResource
from claims.services import claim_update
from corpus.models import Document, Source
from corpus.resources import DocumentResource, SourceResource
from corpus.seeds import load_seeds
from crosscheck.admin_import_export import LongCellCSV as CSV
from crosscheck.resources import ERROR_AUTHOR_INACTIVE, ERROR_AUTHOR_ROLE
from crosscheck.spreadsheet import FORMULA_TRIGGERS, neutralise
from tests.factories import (
    add_role,
    make_claim,
    make_document,
    make_evidence,
    make_link,
    make_review,
    make_user,
)

pytestmark = pytest.mark.django_db

FORMATS = {"csv": CSV, "xlsx": XLSX, "json": JSON}
# Import order: what a row names must exist before it.
RESOURCES = [
    (Source, SourceResource),
    (Document, DocumentResource),
    (Claim, ClaimResource),
    (ClaimLink, LinkResource),
    (Evidence, EvidenceResource),
    (Review, ReviewResource),
]
DANGEROUS = [
    '=HYPERLINK("http://x","y")',
    "+cmd|' /C calc'!A0",
    "@SUM(1)",
    "\tled by a tab",
    "-2+3",
    "'quoted already",
]


def export_bytes(resource_class, file_format, queryset=None, **kwargs):
    dataset = resource_class(**kwargs).export(queryset=queryset)
    data = file_format().export_data(dataset)
    return data if isinstance(data, bytes) else data.encode("utf-8")


def import_bytes(resource_class, file_format, data, *, user, keep=True, dry_run=False):
    fmt = file_format()
    payload = data if fmt.is_binary() else data.decode("utf-8")
    dataset = fmt.create_dataset(payload)
    resource = resource_class(user=user, keep_provenance=keep)
    return resource.import_data(dataset, dry_run=dry_run, raise_errors=False, user=user)


def with_cell(data: bytes, column: str, value: str) -> bytes:
    """A CSV export with ``column`` of every row set to ``value``."""
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8"))))
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows({**row, column: value} for row in rows)
    return out.getvalue().encode("utf-8")


def errors_of(result) -> list[str]:
    messages = [str(error.error) for error in result.base_errors]
    for row in result.invalid_rows:
        messages.append(f"row {row.number}: {row.error_dict}")
    for number, errors in result.row_errors():
        messages.extend(f"row {number}: {error.error!r}" for error in errors)
    return messages


def snapshot() -> dict:
    """Everything the corpus holds, by natural keys, for a field-by-field comparison."""
    return {
        "sources": sorted(
            Source.objects.values_list(
                "slug",
                "name",
                "kind",
                "author",
                "publisher",
                "date",
                "url",
                "notes",
                "created_at",
            )
        ),  # fmt: skip
        "documents": sorted(
            Document.objects.values_list(
                "checksum",
                "source__slug",
                "title",
                "text",
                "language",
                "original_filename",
                "original_format",
                "imported_by__username",
                "imported_at",
            )
        ),  # fmt: skip
        "claims": sorted(
            (
                str(claim.public_id),
                claim.document.checksum,
                claim.start,
                claim.end,
                claim.quote,
                claim.prefix,
                claim.suffix,
                claim.statement,
                claim.search_text,
                tuple(sorted(topic.name for topic in claim.topics.all())),
                claim.created_by.username,
                claim.created_at,
            )
            for claim in Claim.objects.select_related("document", "created_by")
        ),  # fmt: skip
        "links": sorted(
            (
                str(link.public_id),
                frozenset({str(link.left.public_id), str(link.right.public_id)}),
                link.relation,
                link.rationale,
                link.review_state,
                link.created_by.username,
                link.created_at,
            )
            for link in ClaimLink.objects.select_related("left", "right", "created_by")
        ),  # fmt: skip
        "evidence": sorted(
            Evidence.objects.values_list(
                "public_id",
                "claim__public_id",
                "link__public_id",
                "kind",
                "bearing",
                "citation",
                "url",
                "quote",
                "document__checksum",
                "start",
                "end",
                "prefix",
                "suffix",
                "created_by__username",
                "created_at",
            ),
            key=str,
        ),  # fmt: skip
        "reviews": sorted(
            Review.objects.values_list(
                "public_id",
                "link__public_id",
                "reviewer__username",
                "verdict",
                "note",
                "is_current",
                "created_at",
                "replaced_at",
            ),
            key=str,
        ),  # fmt: skip
    }


def empty_corpus() -> None:
    Review.objects.all().delete()
    Evidence.objects.all().delete()
    ClaimLink.objects.all().delete()
    Claim.objects.all().delete()
    Topic.objects.all().delete()
    Document.objects.all().delete()
    Source.objects.all().delete()


@pytest.fixture
def corpus():
    """The seed corpus with claims on several documents (one with dangerous text), links,
    evidence of every kind, and reviews, some replaced by a later verdict."""
    load_seeds()
    annotator, other = make_user("annotator"), make_user("annotator")
    reviewer, second = make_user("reviewer"), make_user("reviewer")
    documents = list(Document.objects.order_by("pk"))
    claims = []
    for number, document in enumerate(documents):
        words = document.text[200:400].split()
        quote = " ".join(words[2:6])
        claims.append(
            make_claim(
                document, user=annotator if number % 2 else other, quote=quote,
                statement=DANGEROUS[number % len(DANGEROUS)] + f" claim {number}",
                topics=["Kirov", "Trials"] if number % 2 else ["=SUM(A1)"],
            )
        )  # fmt: skip
    links = [
        make_link(claims[0], claims[1], user=annotator, rationale="@they disagree"),
        make_link(claims[2], claims[3], user=other, relation="corroborates"),
        make_link(claims[1], claims[4], user=other, relation="qualifies"),
    ]
    make_evidence(claims[0], user=annotator, citation="-A. Author, p. 1")
    make_evidence(link=links[0], kind="url", url="https://example.com/a?b=c", user=annotator)
    make_evidence(claims[2], kind="quote", quote="=a quote", citation="From a book", user=other)
    passage = documents[4].text[100:180].strip()
    start = documents[4].text.index(passage)
    make_evidence(
        link=links[1], kind="passage", document=documents[4], start=start,
        end=start + len(passage), quote=passage, bearing="refutes", user=other,
    )  # fmt: skip
    make_review(links[0], "needs_evidence", user=reviewer, note="+more please")
    make_review(links[0], "confirmed", user=reviewer)
    make_review(links[0], "rejected", user=second)
    make_review(links[1], "confirmed", user=reviewer)
    make_review(links[2], "needs_evidence", user=second)
    claim_update(
        claim=claims[0], statement="@edited " + claims[0].statement, topics=["Kirov"],
        version=claims[0].version, user=other,
    )  # fmt: skip
    return documents


@pytest.mark.parametrize("name", FORMATS)
def test_round_trip_into_an_empty_database_gives_identical_data(corpus, name):
    editor = make_user("editor")
    before = snapshot()
    assert before["reviews"] and before["evidence"] and before["links"]
    files = [(resource, export_bytes(resource, FORMATS[name])) for _, resource in RESOURCES]

    empty_corpus()
    for resource, data in files:
        result = import_bytes(resource, FORMATS[name], data, user=editor)
        assert not errors_of(result), errors_of(result)

    assert snapshot() == before
    # Importing the same files again changes nothing: every row is skipped.
    for resource, data in files:
        result = import_bytes(resource, FORMATS[name], data, user=editor)
        assert not errors_of(result)
        assert result.totals["skip"] == len(result.rows) and result.totals["new"] == 0
    assert snapshot() == before


@pytest.mark.parametrize("name", ["csv", "xlsx"])
def test_dangerous_cells_are_neutralised_and_come_back_unchanged(name):
    author = make_user("annotator")
    # A tab 32 characters before "bravo": the prefix of that claim starts with it.
    document = make_document("x" * 10 + "\t" + "y" * 30 + " bravo charlie delta echo foxtrot golf")
    claims = [
        make_claim(document, user=author, quote=word, statement=statement)
        for word, statement in zip(document.text.split()[2:], DANGEROUS, strict=True)
    ]
    assert claims[0].prefix.startswith("\t")
    data = export_bytes(ClaimResource, FORMATS[name])
    if name == "csv":
        rows = list(csv.DictReader(io.StringIO(data.decode("utf-8"))))
        cells = [cell for row in rows for cell in row.values() if cell]
    else:
        sheet = openpyxl.load_workbook(io.BytesIO(data)).active
        header = [cell.value for cell in sheet[1]]
        rows = [
            dict(zip(header, values, strict=True))
            for values in sheet.iter_rows(2, values_only=True)
        ]
        cells = [cell for row in rows for cell in row.values() if isinstance(cell, str)]
        assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)
    # Statements are stored stripped, so the tab-led one lost its tab; the prefix kept one.
    stored = [claim.statement for claim in claims]
    assert sorted(row["statement"] for row in rows) == sorted(neutralise(s) for s in stored)
    assert neutralise(claims[0].prefix) in [row["prefix"] for row in rows]
    assert not [cell for cell in cells if cell[:1] in FORMULA_TRIGGERS]

    Claim.objects.all().delete()
    result = import_bytes(ClaimResource, FORMATS[name], data, user=make_user("editor"))
    assert not errors_of(result)
    assert sorted(Claim.objects.values_list("statement", flat=True)) == sorted(
        claim.statement for claim in claims
    )


def test_a_bad_row_among_a_thousand_imports_nothing_and_is_reported():
    author = make_user("annotator")
    text = " ".join(f"word{number}" for number in range(1000))
    document = make_document(text)
    rows = ["public_id,document,start,end,quote,statement,topics,created_by,created_at"]
    position = 0
    for number in range(1000):
        quote = f"word{number}"
        start = text.index(quote, position)
        position = start + len(quote)
        if number == 637:
            quote = "not the text"
        rows.append(
            f"{_uuid(number)},{document.checksum},{start},{position},{quote},"
            f"Statement {number},,{author.username},"
        )
    data = "\n".join(rows).encode("utf-8")

    result = import_bytes(ClaimResource, CSV, data, user=make_user("editor"))

    assert Claim.objects.count() == 0
    assert [row.number for row in result.invalid_rows] == [638]
    message = str(result.invalid_rows[0].error_dict)
    assert "does not match the document" in message and "not the text" in message


def _uuid(number: int) -> str:
    return f"00000000-0000-4000-8000-{number:012d}"


def test_natural_keys_are_resolved_without_a_query_per_row():
    author = make_user("annotator")

    def claims_file(count: int) -> bytes:
        document = make_document(" ".join(f"w{n}" for n in range(count)))
        rows = ["public_id,document,start,end,quote,statement,created_by"]
        position = 0
        for number in range(count):
            start = document.text.index(f"w{number}", position)
            position = start + len(f"w{number}")
            rows.append(
                f"{_uuid(count * 1000 + number)},{document.checksum},{start},{position},"
                f"w{number},S{number},{author.username}"
            )
        return "\n".join(rows).encode()

    def lookups(data: bytes) -> int:
        with CaptureQueriesContext(connection) as queries:
            result = import_bytes(ClaimResource, CSV, data, user=make_user("editor"))
        assert not errors_of(result)
        tables = ('"corpus_document"', '"auth_user"')
        return sum(
            1
            for q in queries
            if q["sql"].startswith("SELECT") and any(t in q["sql"] for t in tables)
        )

    assert lookups(claims_file(5)) == lookups(claims_file(40))


def test_authors_and_dates_are_the_importers_unless_kept(corpus):
    editor = make_user("editor")
    data = export_bytes(ClaimResource, CSV)
    originals = dict(Claim.objects.values_list("public_id", "created_by__username"))
    Evidence.objects.all().delete()
    ClaimLink.objects.all().delete()
    Claim.objects.all().delete()

    result = import_bytes(ClaimResource, CSV, data, user=editor, keep=False)

    assert not errors_of(result)
    assert set(Claim.objects.values_list("created_by", flat=True)) == {editor.pk}
    assert set(Claim.objects.values_list("public_id", flat=True)) == set(originals)


def test_reviews_are_imported_only_with_their_reviewers(corpus):
    data = export_bytes(ReviewResource, CSV)
    Review.objects.all().delete()

    result = import_bytes(ReviewResource, CSV, data, user=make_user("editor"), keep=False)

    assert Review.objects.count() == 0
    assert "Keep the authors" in " ".join(errors_of(result))


def test_review_state_is_not_read_from_the_file_but_follows_the_reviews(corpus):
    editor = make_user("editor")
    link = ClaimLink.objects.get(review_state="confirmed")
    data = export_bytes(LinkResource, CSV).decode().replace(",confirmed,", ",rejected,")

    result = import_bytes(LinkResource, CSV, data.encode(), user=editor)

    assert not errors_of(result)
    link.refresh_from_db()
    assert link.review_state == "confirmed"


def test_an_existing_claims_passage_cannot_be_changed_by_an_import(corpus):
    claim = Claim.objects.order_by("pk").first()
    data = export_bytes(ClaimResource, CSV, Claim.objects.filter(pk=claim.pk))
    moved = with_cell(data, "start", str(claim.start + 1))

    result = import_bytes(ClaimResource, CSV, moved, user=make_user("editor"))

    assert "cannot be changed by an import" in " ".join(errors_of(result))
    assert Claim.objects.get(pk=claim.pk).start == claim.start


def test_an_import_changes_a_statement_records_history_and_stales_open_edits(corpus):
    editor = make_user("editor")
    claim = Claim.objects.order_by("pk").first()
    data = export_bytes(ClaimResource, CSV, Claim.objects.filter(pk=claim.pk))
    edited = with_cell(data, "statement", "A statement changed by import")

    result = import_bytes(ClaimResource, CSV, edited, user=editor)

    assert not errors_of(result) and result.totals["update"] == 1
    claim_after = Claim.objects.get(pk=claim.pk)
    assert claim_after.statement == "A statement changed by import"
    assert claim_after.version == claim.version + 1
    latest = claim_after.history.latest()
    assert latest.history_user == editor and latest.history_change_reason == "import"


def test_a_document_whose_text_was_changed_is_refused(corpus):
    document = max(Document.objects.all(), key=lambda document: len(document.text))
    data = export_bytes(DocumentResource, JSON, Document.objects.filter(pk=document.pk))
    rows = json.loads(data)
    # What a spreadsheet that lost the continuation columns gives back.
    rows = [{k: v for k, v in row.items() if not k.startswith("text_")} for row in rows]
    assert len(document.text) > len(rows[0]["text"])
    Claim.objects.all().delete()
    Evidence.objects.all().delete()
    Document.objects.filter(pk=document.pk).delete()

    result = import_bytes(
        DocumentResource, JSON, json.dumps(rows).encode(), user=make_user("editor")
    )

    assert "does not match its checksum" in " ".join(errors_of(result))
    assert not Document.objects.filter(checksum=document.checksum).exists()


def test_evidence_with_a_script_address_is_refused():
    link = make_link()
    rows = [
        "public_id,claim,link,kind,bearing,url,created_by",
        f"{_uuid(1)},,{link.public_id},url,supports,javascript:alert(1),{link.created_by}",
    ]
    result = import_bytes(EvidenceResource, CSV, "\n".join(rows).encode(), user=make_user("editor"))
    assert "Only web addresses starting with http" in " ".join(errors_of(result))
    assert Evidence.objects.count() == 0


# --- Through the admin ------------------------------------------------------------------


def test_openpyxl_parses_xml_with_defusedxml():
    assert openpyxl.xml.DEFUSEDXML is True


def _import_url(model) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_import")


def _export_url(model) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_export")


@pytest.mark.parametrize("model", [model for model, _ in RESOURCES])
def test_import_and_export_need_their_own_permissions(client, model):
    # A staff user in no role, and an editor whose import and export rights were taken away.
    outsider = make_user(None, is_staff=True)
    client.force_login(outsider)
    assert client.get(_import_url(model)).status_code == 403
    assert client.get(_export_url(model)).status_code == 403

    editor = make_user("editor")
    restricted = get_user_model().objects.get(pk=editor.pk)
    restricted.user_permissions.clear()
    from django.contrib.auth.models import Group, Permission

    group = Group.objects.create(name=f"editor-no-io-{model._meta.model_name}")
    group.permissions.set(
        Permission.objects.filter(group__name="editor").exclude(codename__startswith="import_")
        .exclude(codename__startswith="export_")
    )  # fmt: skip
    restricted.groups.clear()
    restricted.groups.add(group)
    add_role(restricted, "reviewer")  # still not an editor: the admin refuses
    client.force_login(restricted)
    assert client.get(_import_url(model)).status_code == 403

    client.force_login(make_user("editor"))
    assert client.get(_import_url(model)).status_code == 200
    assert client.get(_export_url(model)).status_code == 200


def test_an_editor_imports_through_the_preview_and_history_records_it(client):
    editor = make_user("editor")
    author = make_user("annotator")
    document = make_document("The minister resigned on Tuesday.")
    rows = [
        "public_id,document,start,end,quote,statement,topics,created_by",
        f"{_uuid(7)},{document.checksum},4,12,minister,The minister left,Politics,{author}",
    ]
    upload = io.BytesIO("\n".join(rows).encode())
    upload.name = "claims.csv"
    client.force_login(editor)

    preview = client.post(
        _import_url(Claim), {"import_file": upload, "format": "0", "resource": "0"}
    )

    assert preview.status_code == 200
    assert Claim.objects.count() == 0  # the preview stores nothing
    confirm = preview.context["confirm_form"]
    assert confirm is not None and preview.context["result"].totals["new"] == 1
    done = client.post(
        reverse("admin:claims_claim_process_import"),
        {**confirm.initial, "keep_provenance": ""},
    )
    assert done.status_code == 302
    claim = Claim.objects.get()
    assert claim.created_by == editor and [t.name for t in claim.topics.all()] == ["Politics"]
    record = claim.history.earliest()
    assert record.history_type == "+" and record.history_user == editor
    assert record.history_change_reason == "import"
    assert {r.history_user for r in claim.history.all()} == {editor}


def test_an_oversized_or_exploding_workbook_is_refused_before_it_is_read(client, settings):
    client.force_login(make_user("editor"))
    settings.CROSSCHECK_MAX_IMPORT_BYTES = 10_000
    big = io.BytesIO(b"public_id\n" + b"x" * 20_000)
    big.name = "big.csv"
    response = client.post(_import_url(Claim), {"import_file": big, "format": "0"})
    assert "imports take at most" in response.content.decode()

    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", b"0" * 5_000_000)
    bomb.seek(0)
    bomb.name = "bomb.xlsx"
    response = client.post(_import_url(Claim), {"import_file": bomb, "format": "1"})
    assert "unpacks to" in response.content.decode()
    assert Claim.objects.count() == 0


def test_admin_export_queries_do_not_grow_with_the_rows(client):
    author = make_user("annotator")
    document = make_document(" ".join(f"w{n}" for n in range(400)))

    def add_claims(count: int) -> None:
        offset = Claim.objects.count()
        for number in range(offset, offset + count):
            start = document.text.index(f"w{number} ")
            make_claim(
                document, user=author, start=start, end=start + len(f"w{number}"),
                topics=["A", "B"],
            )  # fmt: skip

    client.force_login(make_user("editor"))

    def export_queries() -> int:
        columns = {f"claimresource_{name}": "on" for name in ClaimResource().get_export_order()}
        with CaptureQueriesContext(connection) as queries:
            response = client.post(_export_url(Claim), {"format": "0", "resource": "0", **columns})
        assert response.status_code == 200
        assert response["Content-Disposition"].startswith('attachment; filename="crosscheck-claims')
        rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8"))))
        assert len(rows) == Claim.objects.count()
        assert {row["topics"] for row in rows} == {"A; B"}
        return len(queries)

    add_claims(3)
    few = export_queries()
    add_claims(120)
    assert export_queries() == few


# --- Whom an import may credit -------------------------------------------------------------

# Each model's author column and the role its author needs (as a permission: any account
# that holds it may be credited, whatever its groups are called).
CREDITED = [
    (Claim, ClaimResource, "created_by", "annotator", "claims.add_claim"),
    (ClaimLink, LinkResource, "created_by", "annotator", "claims.add_claim"),
    (Evidence, EvidenceResource, "created_by", "annotator", "claims.add_claim"),
    (Review, ReviewResource, "reviewer", "reviewer", "claims.add_review"),
    (Document, DocumentResource, "imported_by", "annotator", "corpus.add_document"),
]


def _emptied(model) -> None:
    """Delete every object of ``model``, and first what depends on it."""
    order = [Review, Evidence, ClaimLink, Claim, Document]
    for each in order[: order.index(model) + 1]:
        each.objects.all().delete()


@pytest.mark.parametrize(
    ("model", "resource", "column", "role", "permission"),
    CREDITED,
    ids=[model.__name__ for model, *_ in CREDITED],
)
def test_kept_authors_must_hold_the_role_of_what_they_are_credited_with(
    corpus, model, resource, column, role, permission
):
    editor = make_user("editor")
    data = export_bytes(resource, CSV, model.objects.order_by("pk")[:1])
    _emptied(model)
    other_role = "annotator" if role == "reviewer" else "reviewer"
    outsider = make_user(other_role, username="outsider")

    result = import_bytes(resource, CSV, with_cell(data, column, "outsider"), user=editor)

    assert model.objects.count() == 0
    things = model._meta.verbose_name_plural
    message = ERROR_AUTHOR_ROLE.format(user="outsider", things=things, role=role)
    errors = errors_of(result)
    assert errors and all(message in error for error in errors), errors

    # Holding the permission is what counts, not a group's name.
    outsider.user_permissions.add(_permission(permission))
    result = import_bytes(resource, CSV, with_cell(data, column, "outsider"), user=editor)
    assert not errors_of(result)
    assert set(model.objects.values_list(f"{column}__username", flat=True)) == {"outsider"}


def test_a_deactivated_account_is_not_credited_with_new_work(corpus):
    editor = make_user("editor")
    data = export_bytes(ClaimResource, CSV)
    _emptied(Claim)
    make_user("annotator", username="leaver", is_active=False)

    result = import_bytes(ClaimResource, CSV, with_cell(data, "created_by", "leaver"), user=editor)

    assert Claim.objects.count() == 0
    message = ERROR_AUTHOR_INACTIVE.format(user="leaver", things="claims")
    assert all(message in error for error in errors_of(result)), errors_of(result)


def _permission(dotted: str):
    from django.contrib.auth.models import Permission

    app_label, codename = dotted.split(".")
    return Permission.objects.get(content_type__app_label=app_label, codename=codename)
