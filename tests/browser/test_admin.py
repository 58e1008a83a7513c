"""The editors' admin in a real browser: find a claim, correct its statement, read the
change in its history."""

import pytest
from playwright.sync_api import expect

from claims.models import Claim
from corpus.demo import demo_accounts_create
from tests.browser.conftest import sign_in
from tests.factories import PASSWORD, make_claim, make_document, make_user

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_editor_finds_a_claim_edits_its_statement_and_sees_it_in_the_history(page):
    demo_accounts_create(PASSWORD)
    author = make_user("annotator", username="ann")
    document = make_document("Kirov was shot in the Smolny on 1 December 1934.")
    claim = make_claim(
        document, user=author, quote="Kirov was shot", statement="Kirov was shot by Nikolaev"
    )
    make_claim(document, user=author, quote="the Smolny", statement="It happened in the Smolny")

    sign_in(page, "editor")
    page.goto("/admin/claims/claim/")
    page.locator("#searchbar").fill("Nikolaev")
    page.locator("#searchbar").press("Enter")
    rows = page.locator("#result_list tbody tr")
    expect(rows).to_have_count(1)
    rows.first.get_by_role("link", name="Kirov was shot").click()

    page.get_by_label("Statement").fill("Kirov was shot by Leonid Nikolaev")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator(".messagelist")).to_contain_text("was changed successfully")

    page.goto(f"/admin/claims/claim/{claim.pk}/change/")
    page.get_by_role("link", name="History").click()
    history = page.locator("#change-history")
    expect(history).to_contain_text("Statement")
    expect(history).to_contain_text("Kirov was shot by Nikolaev")
    expect(history).to_contain_text("Kirov was shot by Leonid Nikolaev")
    expect(history).to_contain_text("editor")
    page.screenshot(path="/tmp/admin-history.png", full_page=True)

    claim.refresh_from_db()
    assert claim.statement == "Kirov was shot by Leonid Nikolaev" and claim.version == 2


def test_the_editor_imports_claims_after_a_preview(page, tmp_path):
    demo_accounts_create(PASSWORD)
    author = make_user("annotator", username="ann")
    document = make_document("The minister resigned on Tuesday after the vote.")
    existing = make_claim(document, user=author, quote="minister", statement="A minister")
    rows = [
        "public_id,document,start,end,quote,statement,topics",
        f"{existing.public_id},{document.checksum},4,12,minister,A minister,",
        f"00000000-0000-4000-8000-000000000001,{document.checksum},25,32,Tuesday,"
        "'=It was a Tuesday,Dates",
    ]
    upload = tmp_path / "claims.csv"
    upload.write_text("\n".join(rows), encoding="utf-8")

    sign_in(page, "editor")
    page.goto("/admin/claims/claim/")
    page.get_by_role("link", name="Import").click()
    page.get_by_label("File to import").set_input_files(upload)
    page.get_by_label("Format").select_option(label="csv")
    page.get_by_role("button", name="Submit").click()

    preview = page.locator("table.import-preview")
    expect(preview).to_contain_text("New")
    expect(preview).to_contain_text("Skipped")
    page.screenshot(path="/tmp/admin-import-preview.png", full_page=True)
    assert Claim.objects.count() == 1
    page.get_by_role("button", name="Confirm import").click()
    expect(page.locator(".messagelist")).to_contain_text("1 new")
    imported = Claim.objects.get(start=25)
    assert imported.statement == "=It was a Tuesday"
    assert imported.created_by.username == "editor"
