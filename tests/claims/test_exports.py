"""The CSV export of the annotated corpus (``claims.exports``): the columns and exact cells
of each dataset (claims, claim pairs, evidence) for a known corpus full of commas, quotes,
line breaks, non-ASCII text and would-be formulas, byte for byte what the csv module
writes; a claim's topics (none, one, several) as one cell; spreadsheet neutralisation and
its inverse; RFC 4180 framing read back by the csv module and by pandas; a query count
that does not grow with the rows, filtered or not; and streaming in batches."""

import csv
import inspect
import io
import re

import pandas as pd
import pytest
from django.db import connection
from django.http import QueryDict
from django.test.utils import CaptureQueriesContext

from claims import exports
from claims.exports import CLAIMS, DATASETS, EVIDENCE, PAIRS, csv_chunks, filtered
from claims.models import Topic
from claims.services import claim_date_set
from crosscheck.spreadsheet import FORMULA_TRIGGERS, neutralise, restore
from tests.factories import (
    make_claim,
    make_document,
    make_evidence,
    make_link,
    make_review,
    make_source,
    make_user,
)

pytestmark = pytest.mark.django_db

CLAIMS_HEADER = [
    "claim_id", "source", "source_kind", "document", "document_checksum", "document_revision",
    "anchor_state", "start", "end", "quote", "statement", "topics", "annotator", "created",
    "updated", "links", "evidence",
    "event_date", "event_date_approximate",
]  # fmt: skip
PAIRS_HEADER = [
    "pair_id",
    "left_claim_id", "left_source", "left_document", "left_quote", "left_statement",
    "right_claim_id", "right_source", "right_document", "right_quote", "right_statement",
    "relation", "direction", "rationale", "proposer", "state",
    "reviews_confirmed", "reviews_rejected", "reviews_needs_evidence", "evidence", "created",
]  # fmt: skip
EVIDENCE_HEADER = [
    "evidence_id", "attached_to", "claim_id", "pair_id", "kind", "bearing", "citation", "url",
    "quote", "passage_document", "passage_document_checksum", "passage_document_revision",
    "passage_start", "passage_end", "added_by", "created",
]  # fmt: skip
HEADERS = {"claims": CLAIMS_HEADER, "pairs": PAIRS_HEADER, "evidence": EVIDENCE_HEADER}
NUMERIC_COLUMNS = {
    "claims": {"document_revision", "start", "end", "links", "evidence"},
    "pairs": {"reviews_confirmed", "reviews_rejected", "reviews_needs_evidence", "evidence"},
    "evidence": {"passage_document_revision", "passage_start", "passage_end"},
}

# Stored text is normalised to \n line ends; a statement or rationale is stored as typed
# (stripped of surrounding white space), so it may also hold \r\n.
DOC_A_TEXT = (
    'Москва, "the capital", grew 😀 fast.\nSecond line, with commas.\n\n'
    "The minister said taxes fell by 5%."
)
DOC_A_TITLE = '=1+1 "Ledger", issue 5'
DOC_B_TEXT = "Taxes rose, the opposition says.\n@SUM(A1) is not a sentence."
DOC_B_TITLE = "Taxes rose, the opposition says."
QUOTE_1 = 'Москва, "the capital", grew 😀 fast.\nSecond line, with commas.'
STATEMENT_1 = '=HYPERLINK("http://x"), said "Москва" 😀\nline two\r\nline three'
QUOTE_2 = "The minister said taxes fell by 5%."
STATEMENT_2 = "+1 for the minister"
QUOTE_3 = "Taxes rose"
STATEMENT_3 = "-2 percent, not a cut"
RATIONALE_1 = '@SUM(A1), "quoted"\nsecond line'
RATIONALE_2 = "Both mention taxes."
CITATION_1 = '=cmd|"/c calc"!A1, p. 3'
URL_2 = "https://example.com/a?b=1,2"
PASSAGE_3 = "taxes fell by 5%"
QUOTE_4 = 'He said, "Москва 😀"\nagain'
# Leading tab and carriage return do not survive the services' stripping; source names are
# stored as given, so they carry those two triggers.
SOURCE_A = "\rCR Ledger"
SOURCE_B = "\tTab Gazette"


def iso(value) -> str:
    return value.isoformat()


@pytest.fixture
def corpus():
    """Two sources, two documents, three claims, two pairs, four evidence items, reviews."""
    alice = make_user("annotator", username="alice")
    bob = make_user("annotator", username="bob")
    rita, rob, ray = (make_user("reviewer", username=name) for name in ("rita", "rob", "ray"))
    doc_a = make_document(
        DOC_A_TEXT, source=make_source(name=SOURCE_A, kind="news"), title=DOC_A_TITLE
    )
    doc_b = make_document(DOC_B_TEXT, source=make_source(name=SOURCE_B, kind="book"))
    c1 = make_claim(
        doc_a, user=alice, quote=QUOTE_1, statement=STATEMENT_1,
        topics=["Москва", "economy", "-2"],
    )  # fmt: skip
    c2 = make_claim(doc_a, user=bob, quote=QUOTE_2, statement=STATEMENT_2)
    c3 = make_claim(doc_b, user=alice, quote=QUOTE_3, statement=STATEMENT_3, topics=["economy"])
    l1 = make_link(c3, c1, user=alice, relation="contradicts", rationale=RATIONALE_1)
    l2 = make_link(c2, c3, user=bob, relation="corroborates", rationale=RATIONALE_2)
    e1 = make_evidence(c1, user=alice, kind="citation", citation=CITATION_1)
    e2 = make_evidence(
        link=l1, user=bob, kind="url", url=URL_2, citation="-Report title", bearing="refutes"
    )
    start = DOC_A_TEXT.index(PASSAGE_3)
    e3 = make_evidence(
        c3, user=alice, kind="passage", document=doc_a, start=start,
        end=start + len(PASSAGE_3), quote=PASSAGE_3,
    )  # fmt: skip
    e4 = make_evidence(c1, user=bob, kind="quote", quote=QUOTE_4, citation="+Interview")
    make_review(l1, "confirmed", user=rita)
    make_review(l1, "rejected", user=rita)  # replaces her first verdict
    make_review(l1, "confirmed", user=rob)
    make_review(l1, "needs_evidence", user=ray)
    c1.refresh_from_db()
    claim_date_set(claim=c1, date={"year": 1929, "month": 2, "day": 9, "approximate": True},
                   version=c1.version, user=alice)  # fmt: skip
    c3.refresh_from_db()
    claim_date_set(claim=c3, date={"year": 1928, "month": 12}, version=c3.version, user=alice)
    objects = {
        "doc_a": doc_a, "doc_b": doc_b, "c1": c1, "c2": c2, "c3": c3, "l1": l1, "l2": l2,
        "e1": e1, "e2": e2, "e3": e3, "e4": e4,
    }  # fmt: skip
    for obj in objects.values():
        obj.refresh_from_db()
    return objects


def export_text(dataset, query: str = "", **options) -> str:
    filterset = filtered(dataset, QueryDict(query))
    assert filterset.is_valid(), filterset.errors
    return "".join(csv_chunks(dataset, filterset.qs, **options))


def read_rows(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text, newline="")))


def exported(dataset, query: str = "") -> list[dict[str, str]]:
    header, *rows = read_rows(export_text(dataset, query))
    return [dict(zip(header, row, strict=True)) for row in rows]


def expected_claims(c) -> list[list[str]]:
    doc_a, doc_b, c1, c2, c3 = c["doc_a"], c["doc_b"], c["c1"], c["c2"], c["c3"]
    start_2 = DOC_A_TEXT.index(QUOTE_2)
    return [
        [
            str(c1.public_id), "'\rCR Ledger", "news", "'" + DOC_A_TITLE, doc_a.checksum,
            "1", "exact",
            "0", str(len(QUOTE_1)), QUOTE_1, "'" + STATEMENT_1, "'-2; economy; Москва",
            "alice", iso(c1.created_at), iso(c1.updated_at), "1", "2", "1929-02-09", "true",
        ],
        [
            str(c2.public_id), "'\rCR Ledger", "news", "'" + DOC_A_TITLE, doc_a.checksum,
            "1", "exact",
            str(start_2), str(start_2 + len(QUOTE_2)), QUOTE_2, "'" + STATEMENT_2, "",
            "bob", iso(c2.created_at), iso(c2.updated_at), "1", "0", "", "",
        ],
        [
            str(c3.public_id), "'\tTab Gazette", "book", DOC_B_TITLE, doc_b.checksum,
            "1", "exact",
            "0", str(len(QUOTE_3)), QUOTE_3, "'" + STATEMENT_3, "economy",
            "alice", iso(c3.created_at), iso(c3.updated_at), "2", "1", "1928-12", "false",
        ],
    ]  # fmt: skip


def expected_pairs(c) -> list[list[str]]:
    c1, c2, c3, l1, l2 = c["c1"], c["c2"], c["c3"], c["l1"], c["l2"]
    side_1 = [str(c1.public_id), "'\rCR Ledger", "'" + DOC_A_TITLE, QUOTE_1, "'" + STATEMENT_1]
    side_2 = [str(c2.public_id), "'\rCR Ledger", "'" + DOC_A_TITLE, QUOTE_2, "'" + STATEMENT_2]
    side_3 = [str(c3.public_id), "'\tTab Gazette", DOC_B_TITLE, QUOTE_3, "'" + STATEMENT_3]
    return [
        [
            str(l1.public_id), *side_1, *side_3, "contradicts", "none", "'" + RATIONALE_1, "alice",
            "needs_evidence", "1", "1", "1", "1", iso(l1.created_at),
        ],
        [
            str(l2.public_id), *side_2, *side_3, "corroborates", "none", RATIONALE_2, "bob",
            "pending", "0", "0", "0", "0", iso(l2.created_at),
        ],
    ]  # fmt: skip


def expected_evidence(c) -> list[list[str]]:
    c1, c3, l1, doc_a = c["c1"], c["c3"], c["l1"], c["doc_a"]
    e1, e2, e3, e4 = c["e1"], c["e2"], c["e3"], c["e4"]
    start = DOC_A_TEXT.index(PASSAGE_3)
    return [
        [
            str(e1.public_id), "claim", str(c1.public_id), "", "citation", "supports",
            "'" + CITATION_1, "", "", "", "", "", "", "", "alice", iso(e1.created_at),
        ],
        [
            str(e2.public_id), "pair", "", str(l1.public_id), "url", "refutes",
            "'-Report title", URL_2, "", "", "", "", "", "", "bob", iso(e2.created_at),
        ],
        [
            str(e3.public_id), "claim", str(c3.public_id), "", "passage", "supports",
            "", "", PASSAGE_3, "'" + DOC_A_TITLE, doc_a.checksum, "1", str(start),
            str(start + len(PASSAGE_3)), "alice", iso(e3.created_at),
        ],
        [
            str(e4.public_id), "claim", str(c1.public_id), "", "quote", "supports",
            "'+Interview", "", QUOTE_4, "", "", "", "", "", "bob", iso(e4.created_at),
        ],
    ]  # fmt: skip


EXPECTED = {"claims": expected_claims, "pairs": expected_pairs, "evidence": expected_evidence}
ALL_DATASETS = pytest.mark.parametrize("name", ["claims", "pairs", "evidence"])


# --- Columns and cells -------------------------------------------------------------------


def test_there_are_three_datasets_with_their_filtersets():
    assert list(DATASETS) == ["claims", "pairs", "evidence"]
    assert (CLAIMS.label, PAIRS.label, EVIDENCE.label) == ("Claims", "Claim pairs", "Evidence")


@ALL_DATASETS
def test_each_dataset_has_its_exact_header(name):
    assert DATASETS[name].header == HEADERS[name]
    assert export_text(DATASETS[name]) == ",".join(HEADERS[name]) + "\r\n"


@ALL_DATASETS
def test_each_dataset_exports_the_exact_cells_of_a_known_corpus(corpus, name):
    header, *rows = read_rows(export_text(DATASETS[name]))
    assert header == HEADERS[name]
    assert rows == EXPECTED[name](corpus)


def csv_module_text(rows: list[list[str]]) -> str:
    """What the csv module writes for these rows, with CRLF record ends."""
    text = io.StringIO()
    csv.writer(text, lineterminator="\r\n").writerows(rows)
    return text.getvalue()


@ALL_DATASETS
def test_each_dataset_is_byte_for_byte_what_the_csv_module_writes(corpus, name):
    """The database writes the records itself: the same bytes as the csv module's quoting."""
    expected = csv_module_text([HEADERS[name], *EXPECTED[name](corpus)])
    assert export_text(DATASETS[name]) == expected


TOPICS_OF_MANY = ["Zeta", "alpha", "Ärger", "Москва", "b, c", 'say "hi"', "10", "9", "-2"]


def test_topic_cells_for_no_one_and_several_topics(annotator):
    """Joined in code point order (Python's ``sorted``, whatever the database's collation),
    then neutralised and quoted as one cell."""
    document = make_document("none one several formula")
    for word, names in zip(
        document.text.split(), [[], ["economy"], TOPICS_OF_MANY, ["=x", "y"]], strict=True
    ):
        make_claim(document, user=annotator, quote=word, topics=names)
    joined = "; ".join(sorted(TOPICS_OF_MANY))
    assert joined == '-2; 10; 9; Zeta; alpha; b, c; say "hi"; Ärger; Москва'
    expected = ["", "economy", "'" + joined, "'=x; y"]
    rows = exported(CLAIMS)
    assert [row["topics"] for row in rows] == expected
    text = export_text(CLAIMS)
    assert '"\'-2; 10; 9; Zeta; alpha; b, c; say ""hi""; Ärger; Москва"' in text
    header, *records = read_rows(text)
    assert text == csv_module_text([header, *records])


def test_a_claims_topics_are_aggregated_by_one_subquery(corpus):
    """The topics cell reads the aggregated names several times (to neutralise and quote
    them): the aggregate is inside the one subquery, not the subquery repeated."""
    with CaptureQueriesContext(connection) as queries:
        export_text(CLAIMS)
    (export,) = [q["sql"] for q in queries.captured_queries if "claims_claim_topics" in q["sql"]]
    assert export.count("claims_claim_topics") == 1


def test_a_claims_topics_are_joined_in_name_order(corpus):
    names = sorted(corpus["c1"].topics.values_list("name", flat=True))
    assert names == ["-2", "economy", "Москва"]
    assert exported(CLAIMS)[0]["topics"] == "'-2; economy; Москва"


def test_claims_filtered_by_a_topic_keep_all_their_topics(corpus):
    economy = Topic.objects.get(name="economy")
    rows = exported(CLAIMS, f"topic={economy.pk}")
    assert [row["claim_id"] for row in rows] == [
        str(corpus["c1"].public_id),
        str(corpus["c3"].public_id),
    ]
    assert [row["topics"] for row in rows] == ["'-2; economy; Москва", "economy"]


def test_topics_go_to_their_own_claims_when_some_claims_have_none():
    chosen, other = make_user("annotator"), make_user("annotator")
    document = make_document("one two three four five six")
    topics = [["b", "a"], ["z"], [], ["y"], ["c"], []]
    for index, (word, names) in enumerate(zip(document.text.split(), topics, strict=True)):
        make_claim(document, user=(chosen, other)[index % 2], quote=word, topics=names)
    rows = exported(CLAIMS, f"annotator={chosen.pk}")
    assert [row["quote"] for row in rows] == ["one", "three", "five"]
    assert [row["topics"] for row in rows] == ["a; b", "", "c"]


def test_pair_review_counts_are_the_current_verdicts_only(corpus):
    row = exported(PAIRS)[0]
    counts = [row[f"reviews_{verdict}"] for verdict in ("confirmed", "rejected", "needs_evidence")]
    assert counts == ["1", "1", "1"], "rita's replaced 'confirmed' is history, not counted"
    assert corpus["l1"].reviews.count() == 4


def test_evidence_of_a_passage_names_its_document_and_span(corpus):
    row = exported(EVIDENCE)[2]
    start = int(row["passage_start"])
    assert DOC_A_TEXT[start : int(row["passage_end"])] == row["quote"] == PASSAGE_3
    assert restore(row["passage_document"]) == corpus["doc_a"].title
    assert row["passage_document_checksum"] == corpus["doc_a"].checksum


# --- Spreadsheet safety ------------------------------------------------------------------


@ALL_DATASETS
def test_no_text_cell_starts_with_a_formula_trigger_and_numbers_are_plain(corpus, name):
    header, *rows = read_rows(export_text(DATASETS[name]))
    numeric = NUMERIC_COLUMNS[name]
    neutralised = 0
    for row in rows:
        for column, cell in zip(header, row, strict=True):
            if column in numeric:
                assert re.fullmatch(r"[0-9]*", cell), (column, cell)
            else:
                assert not cell.startswith(FORMULA_TRIGGERS), (column, cell)
                neutralised += restore(cell) != cell
    assert neutralised > 0, "the corpus has cells to neutralise"


@pytest.mark.parametrize(
    ("text", "written"),
    [
        ("=1+1", "'=1+1"),
        ('=HYPERLINK("http://x")', '\'=HYPERLINK("http://x")'),
        ("+1", "'+1"),
        ("-2", "'-2"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tTab", "'\tTab"),
        ("\rCR", "'\rCR"),
        ("plain text", "plain text"),
        ("1+1=2", "1+1=2"),
        ("", ""),
        (" =1", " =1"),
        ("Москва 😀", "Москва 😀"),
    ],
)
def test_neutralise_puts_an_apostrophe_before_a_leading_trigger_only(text, written):
    assert neutralise(text) == written


ROUND_TRIP = [
    "=1+1", "+1", "-2", "@SUM(A1)", "\tTab", "\rCR", "plain", "", "-", "=", "Москва 😀",
    "'", "'quoted'", "it's", "''=1", "'=1+1", "'+1", "'-2", "'@SUM(A1)", "'\tTab", "'\rCR",
]  # fmt: skip


def test_restore_undoes_neutralise_for_a_table_of_values_even_with_a_leading_apostrophe():
    assert [text for text in ROUND_TRIP if restore(neutralise(text)) != text] == []


def test_restoring_an_exported_statement_gives_the_stored_statement(annotator):
    written = "'=SUM(A1) is how the sheet put it"
    claim = make_claim(user=annotator, statement=written)
    assert claim.statement == written
    assert restore(exported(CLAIMS)[0]["statement"]) == written


# --- RFC 4180 and reading back -----------------------------------------------------------

QUOTED_FIELD = re.compile(r'"(?:[^"]|"")*"')


@ALL_DATASETS
def test_records_end_with_crlf_and_line_breaks_only_occur_inside_quotes(corpus, name):
    text = export_text(DATASETS[name])
    assert text.endswith("\r\n")
    outside_quotes = QUOTED_FIELD.sub("", text)
    records = 1 + len(EXPECTED[name](corpus))
    assert outside_quotes.count("\r\n") == records
    assert "\n" not in outside_quotes.replace("\r\n", "")
    assert "\r" not in outside_quotes.replace("\r\n", "")


def test_quotes_inside_cells_are_doubled_and_such_cells_quoted(corpus):
    claims = export_text(CLAIMS)
    assert '"\'=HYPERLINK(""http://x""), said ""Москва"" 😀\nline two\r\nline three"' in claims
    assert '"\'=1+1 ""Ledger"", issue 5"' in claims
    pairs = export_text(PAIRS)
    assert '"\'@SUM(A1), ""quoted""\nsecond line"' in pairs
    evidence = export_text(EVIDENCE)
    assert '"\'=cmd|""/c calc""!A1, p. 3"' in evidence
    assert f'"{URL_2}"' in evidence, "a comma makes the cell quoted"


@ALL_DATASETS
def test_the_csv_module_and_pandas_read_back_the_same_cells(corpus, name):
    text = export_text(DATASETS[name])
    by_csv = read_rows(text)
    frame = pd.read_csv(io.StringIO(text, newline=""), dtype=str, keep_default_na=False)
    assert [list(frame.columns), *frame.to_numpy().tolist()] == by_csv
    assert by_csv == [HEADERS[name], *EXPECTED[name](corpus)]


@ALL_DATASETS
def test_the_excel_variant_is_the_same_text_after_a_byte_order_mark(corpus, name):
    plain = export_text(DATASETS[name])
    excel = export_text(DATASETS[name], excel=True)
    assert excel == "\ufeff" + plain
    assert excel.encode("utf-8")[:3] == b"\xef\xbb\xbf"


# --- Queries and streaming ---------------------------------------------------------------


def make_corpus(size: int, tag: str) -> None:
    """``size`` claims alternating over two documents, each with two topics and evidence;
    consecutive claims linked, each link with evidence and a review."""
    user = make_user("annotator")
    reviewer = make_user("reviewer")
    words = " ".join(f"w{i}" for i in range(size))
    documents = [make_document(f"{tag} {side}\n\n{words}") for side in ("A", "B")]
    claims = [
        make_claim(
            documents[i % 2], user=user, quote=f"w{i}", statement=f"Claim {i}",
            topics=[f"t{i % 3}", "shared"],
        )
        for i in range(size)
    ]  # fmt: skip
    for claim in claims:
        make_evidence(claim, user=user)
    for left, right in zip(claims[::2], claims[1::2], strict=False):
        link = make_link(left, right, user=user)
        make_evidence(link=link, user=user, kind="url")
        make_review(link, "confirmed", user=reviewer)


def queries_and_rows(dataset, query: str = "") -> tuple[int, int]:
    """The queries and rows of an export as the page and the command run it (the
    filterset's ``qs_gathered``)."""
    filterset = filtered(dataset, QueryDict(query))
    assert filterset.is_valid()
    queryset = filterset.qs_gathered()
    with CaptureQueriesContext(connection) as queries:
        text = "".join(csv_chunks(dataset, queryset))
    return len(queries), len(read_rows(text)) - 1


@ALL_DATASETS
def test_the_query_count_does_not_grow_with_the_rows(name):
    dataset = DATASETS[name]
    make_corpus(3, "small")
    small, small_rows = queries_and_rows(dataset)
    make_corpus(37, "large")
    large, large_rows = queries_and_rows(dataset)
    assert (small_rows, large_rows) == {
        "claims": (3, 40), "pairs": (1, 19), "evidence": (4, 59)
    }[name]  # fmt: skip
    assert small == large <= 2


FILTERED = {
    "claims": ("topic={shared}&q=claim", (3, 40)),
    "pairs": ("topic={shared}&relation=contradicts", (1, 19)),
    "evidence": ("kind=url&attached_to=pair", (1, 19)),
}


@ALL_DATASETS
def test_the_query_count_does_not_grow_with_the_rows_when_filtered(name):
    query, rows = FILTERED[name]
    make_corpus(3, "small")
    query = query.format(shared=Topic.objects.get(name="shared").pk)
    small = queries_and_rows(DATASETS[name], query)
    make_corpus(37, "large")
    large = queries_and_rows(DATASETS[name], query)
    assert (small[1], large[1]) == rows
    assert small[0] == large[0]


def test_csv_chunks_is_a_lazy_generator_that_runs_no_query_before_the_rows(corpus):
    chunks = csv_chunks(CLAIMS, filtered(CLAIMS, QueryDict()).qs)
    assert inspect.isgenerator(chunks)
    with CaptureQueriesContext(connection) as queries:
        header = next(chunks)
    assert header == ",".join(CLAIMS_HEADER) + "\r\n"
    assert len(queries) == 0


def test_more_rows_than_a_batch_stream_as_several_chunks(monkeypatch, annotator):
    document = make_document("one two three four five")
    for word in document.text.split():
        make_claim(document, user=annotator, quote=word)
    whole = export_text(CLAIMS)
    monkeypatch.setattr(exports, "BATCH_ROWS", 2)
    chunks = list(csv_chunks(CLAIMS, filtered(CLAIMS, QueryDict()).qs))
    assert len(chunks) == 4, "the header, then rows 2 + 2 + 1"
    assert [len(read_rows(chunk)) for chunk in chunks] == [1, 2, 2, 1]
    assert "".join(chunks) == whole
