"""The Export page's W3C Web Annotations section, in Chromium: a person finds it by its
heading and downloads the file with its link."""

import json

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import sign_in
from tests.factories import make_claim, make_user

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_export_page_downloads_the_annotations(page, tmp_path):
    user = make_user("annotator")
    claim = make_claim(user=user, statement="Kirov was shot.")
    sign_in(page, user.username)
    page.goto("/export/")
    section = page.get_by_role("region", name="W3C Web Annotations (JSON-LD)")
    expect(section).to_be_visible()
    expect(section.get_by_role("button", name="Prepare a file")).to_be_visible()
    section.scroll_into_view_if_needed()
    page.screenshot(path="/tmp/h21a/export-page.png", full_page=True)
    with page.expect_download() as download:
        section.get_by_role("link", name="Download W3C Web Annotations (JSON-LD)").click()
    assert download.value.suggested_filename.startswith("crosscheck-annotations-")
    path = tmp_path / "annotations.jsonld"
    download.value.save_as(path)
    collection = json.loads(path.read_text(encoding="utf-8"))
    assert collection["type"] == "AnnotationCollection" and collection["total"] == 1
    annotation = collection["first"]["items"][0]
    assert annotation["id"].endswith(f"/annotations/claims/{claim.public_id}")
    assert annotation["body"][0]["value"] == "Kirov was shot."
