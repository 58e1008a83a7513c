"""``manage.py export_annotations``: the same bytes as the Export page for the same dataset,
filters and Excel option, to a file or to standard output; refused filters (invalid, or
not of the chosen dataset) are command errors that write nothing."""

import io
from datetime import UTC, datetime

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from claims.models import ClaimLink, Topic
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

DOWNLOAD_URL = "/export/download/"
CHOICE_ERROR = "Select a valid choice. That choice is not one of the available choices."


@pytest.fixture
def corpus():
    ann = make_user("annotator", username="ann")
    ben = make_user("annotator", username="ben")
    news = make_source(name="=News, One", kind="news")
    blog = make_source(name="Blog Two", kind="blog")
    d1 = make_document("Москва grew 😀 fast.\nTaxes fell.", source=news)
    d2 = make_document('Taxes rose, "they" said.', source=blog)
    a = make_claim(d1, user=ann, quote="Москва grew 😀", statement='+1, "yes"\nsure',
                   topics=["economy", "Москва"])  # fmt: skip
    b = make_claim(d2, user=ben, quote="Taxes rose", statement="-2", topics=["economy"])
    c = make_claim(d1, user=ben, quote="Taxes fell", statement="@SUM(A1)")
    l1 = make_link(a, b, user=ann, relation="contradicts", rationale="=1+1")
    l2 = make_link(c, b, user=ben, relation="corroborates", rationale="Both say so.")
    ClaimLink.objects.filter(pk=l1.pk).update(created_at=datetime(2024, 5, 1, tzinfo=UTC))
    make_review(l2, "confirmed")
    make_evidence(a, user=ann, kind="citation", citation="=cmd, p. 1")
    make_evidence(link=l1, user=ben, kind="url", bearing="refutes")
    make_evidence(c, user=ben, kind="passage", document=d2, start=0, end=5, quote="Taxes")
    return {
        "ann": ann, "ben": ben, "news": news, "blog": blog, "d1": d1,
        "economy": Topic.objects.get(name="economy"),
    }  # fmt: skip


def page_bytes(client, query: dict) -> bytes:
    response = client.get(DOWNLOAD_URL, query)
    assert response.status_code == 200
    return b"".join(response.streaming_content)


def resolve(corpus, filters: dict) -> dict:
    return {
        key: str(corpus[value].pk) if value in corpus else value for key, value in filters.items()
    }


def argv(query: dict) -> list[str]:
    """The command line for a query string: ``excel=1`` becomes ``--excel``."""
    args = []
    for key, value in query.items():
        if key == "excel":
            args.append("--excel")
        else:
            args += [f"--{key.replace('_', '-')}", value]
    return args


CASES = [
    {"dataset": "claims"},
    {"dataset": "claims", "excel": "1"},
    {"dataset": "claims", "source": "news"},
    {"dataset": "claims", "document": "d1", "annotator": "ben"},
    {"dataset": "claims", "topic": "economy", "q": "GREW"},
    {"dataset": "claims", "q": "taxes", "excel": "1"},
    {"dataset": "pairs"},
    {"dataset": "pairs", "excel": "1"},
    {"dataset": "pairs", "relation": "corroborates"},
    {"dataset": "pairs", "state": "confirmed", "source": "blog"},
    {"dataset": "pairs", "topic": "economy", "annotator": "ann"},
    {"dataset": "pairs", "proposed_after": "2024-01-01", "proposed_before": "2024-05-01"},
    {"dataset": "evidence"},
    {"dataset": "evidence", "excel": "1"},
    {"dataset": "evidence", "kind": "passage"},
    {"dataset": "evidence", "bearing": "refutes", "attached_to": "pair"},
    {"dataset": "evidence", "source": "news", "added_by": "ben"},
]


def case_id(case: dict) -> str:
    return "&".join(f"{key}={value}" for key, value in case.items())


@pytest.mark.parametrize("case", CASES, ids=case_id)
def test_the_command_writes_the_same_bytes_as_the_page(annotator_client, corpus, tmp_path, case):
    query = resolve(corpus, case)
    path = tmp_path / "export.csv"
    call_command("export_annotations", *argv(query), "--output", str(path))
    data = path.read_bytes()
    assert data == page_bytes(annotator_client, query)
    unfiltered = page_bytes(annotator_client, {"dataset": query["dataset"]})
    if set(query) - {"dataset", "excel"}:
        assert data != unfiltered, "the filters leave out some rows"
    assert data.count(b"\r\n") > 1, "some rows are left"


def test_the_command_takes_options_as_keyword_arguments(annotator_client, corpus, tmp_path):
    path = tmp_path / "pairs.csv"
    call_command(
        "export_annotations", dataset="pairs", output=str(path), excel=True,
        source=str(corpus["blog"].pk), proposed_before="2024-05-01",
    )  # fmt: skip
    query = {"dataset": "pairs", "excel": "1", "source": str(corpus["blog"].pk),
             "proposed_before": "2024-05-01"}  # fmt: skip
    data = path.read_bytes()
    assert data == page_bytes(annotator_client, query)
    assert data.startswith(b"\xef\xbb\xbfpair_id,")
    assert data.count(b"\r\n") == 2, "the header and the one pair proposed by then"


def test_the_command_takes_argv_strings(annotator_client, corpus, tmp_path):
    path = tmp_path / "claims.csv"
    news = str(corpus["news"].pk)
    call_command(
        "export_annotations", "--dataset", "claims", "--output", str(path), "--source", news
    )
    assert path.read_bytes() == page_bytes(annotator_client, {"dataset": "claims", "source": news})


@pytest.mark.parametrize("dataset", ["claims", "pairs", "evidence"])
@pytest.mark.parametrize("excel", [False, True])
def test_output_dash_writes_to_standard_output(annotator_client, corpus, dataset, excel):
    stdout = io.StringIO()
    call_command("export_annotations", dataset=dataset, output="-", excel=excel, stdout=stdout)
    query = {"dataset": dataset} | ({"excel": "1"} if excel else {})
    assert stdout.getvalue() == page_bytes(annotator_client, query).decode("utf-8")


def test_output_dash_writes_to_the_process_standard_output(annotator_client, corpus, capsys):
    call_command("export_annotations", "--dataset", "evidence", "--output", "-")
    captured = capsys.readouterr()
    assert captured.out == page_bytes(annotator_client, {"dataset": "evidence"}).decode()
    assert captured.err == ""


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--dataset", "claims", "--source", "999999"], f"Invalid filter: source: {CHOICE_ERROR}"),
        (["--dataset", "claims", "--document", "abc"], f"Invalid filter: document: {CHOICE_ERROR}"),
        (
            ["--dataset", "pairs", "--relation", "agrees"],
            "Invalid filter: relation: Select a valid choice. agrees is not one of the available "
            "choices.",
        ),
        (
            ["--dataset", "pairs", "--proposed-after", "tuesday"],
            "Invalid filter: proposed: Enter a valid date.",
        ),
        (
            ["--dataset", "evidence", "--kind", "rumour"],
            "Invalid filter: kind: Select a valid choice. rumour is not one of the available "
            "choices.",
        ),
    ],
)
def test_an_invalid_filter_is_a_command_error_and_writes_nothing(corpus, tmp_path, args, message):
    path = tmp_path / "export.csv"
    with pytest.raises(CommandError) as raised:
        call_command("export_annotations", *args, "--output", str(path))
    assert str(raised.value) == message
    assert not path.exists()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["--dataset", "claims", "--relation", "contradicts"],
            "--relation does not filter claims.",
        ),
        (["--dataset", "claims", "--kind", "url"], "--kind does not filter claims."),
        (["--dataset", "pairs", "--q", "taxes"], "--q does not filter pairs."),
        (["--dataset", "pairs", "--attached-to", "claim"], "--attached-to does not filter pairs."),
        (
            ["--dataset", "evidence", "--proposed-after", "2024-01-01"],
            "--proposed-after does not filter evidence.",
        ),
        (["--dataset", "evidence", "--topic", "1"], "--topic does not filter evidence."),
    ],
)
def test_a_filter_of_another_dataset_is_a_command_error(corpus, tmp_path, args, message):
    path = tmp_path / "export.csv"
    with pytest.raises(CommandError) as raised:
        call_command("export_annotations", *args, "--output", str(path))
    assert str(raised.value) == message
    assert not path.exists()


def test_an_unknown_dataset_is_a_command_error(tmp_path):
    with pytest.raises(CommandError, match="invalid choice: 'reviews'"):
        call_command("export_annotations", "--dataset", "reviews", "--output", str(tmp_path / "x"))


def test_the_dataset_and_the_output_are_required(tmp_path):
    with pytest.raises(CommandError, match="--output"):
        call_command("export_annotations", "--dataset", "claims")
    with pytest.raises(CommandError, match="--dataset"):
        call_command("export_annotations", "--output", str(tmp_path / "x"))
