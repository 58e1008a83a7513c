"""Line ends survive the admin's export and import byte for byte, in every format: a text
holding CRLF, a lone CR and LF exports, and the unchanged file imports back as skipped,
with the stored text unchanged (not "updated" to LF line ends)."""

import pytest

from claims.models import Claim, ClaimLink, Evidence, Review
from corpus.models import Source
from tests.admin_io import assert_imports_back_unchanged
from tests.factories import make_claim, make_evidence, make_link, make_review, make_user

pytestmark = pytest.mark.django_db

TEXT = "A Windows line\r\nan old Mac line\ra Unix line\nand a\ttab\r\n\r\nend"


@pytest.fixture
def texts_with_line_ends():
    """Line ends wherever people write: a statement, a link's rationale, evidence, a
    review's note, a source's notes (a browser's text box sends CRLF)."""
    author = make_user("annotator")
    claim, other = make_claim(user=author, statement=TEXT), make_claim(user=author)
    link = make_link(claim, other, user=author, rationale=TEXT)
    make_evidence(claim, kind="quote", quote=TEXT, citation=TEXT, user=author)
    make_review(link, "needs_evidence", note=TEXT)
    Source.objects.update(notes=TEXT)


@pytest.mark.parametrize("name", ["csv", "xlsx", "json"])
def test_an_unchanged_export_imports_back_as_skipped_with_its_line_ends(
    client, texts_with_line_ends, name
):
    assert_imports_back_unchanged(client, name)
    stored = [
        ClaimLink.objects.get().rationale,
        *Evidence.objects.values_list("quote", "citation").get(),
        Review.objects.get().note,
        *Source.objects.values_list("notes", flat=True),
        Claim.objects.get(statement__contains="\r").statement,
    ]
    assert stored == [TEXT] * len(stored)
