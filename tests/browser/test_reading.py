"""Reading documents in a real browser: sign in, open the largest seed, read its end."""

import pytest
from playwright.sync_api import expect

from corpus.models import Document
from corpus.seeds import load_seeds
from tests.browser.conftest import sign_in
from tests.factories import make_user

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_reader_signs_in_opens_the_largest_seed_and_finds_its_last_sentence(page):
    load_seeds()
    make_user("reviewer", username="reader")
    sign_in(page, "reader")

    page.get_by_role("link", name="Documents").click()
    page.get_by_label("Title contains").fill("Myth-Busting")
    page.get_by_role("button", name="Filter").click()
    page.get_by_role("link", name="Category Archives: Myth-Busting").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Category Archives: Myth-Busting")
    last_sentence = (
        "Two qualities are called for in an officer — courage and professional competence."
    )
    assert last_sentence in Document.objects.get(source__slug="myth-busting-blog").text[-400:]
    ending = page.get_by_text(last_sentence, exact=False)
    ending.scroll_into_view_if_needed()
    expect(ending).to_be_visible()
    expect(ending).to_be_in_viewport()


def test_signing_out_returns_to_sign_in_and_pages_need_sign_in_again(page):
    make_user("annotator", username="ann")
    sign_in(page, "ann")
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("heading", name="Sign in to Crosscheck")).to_be_visible()
    page.goto("/corpus/")
    expect(page).to_have_url("/accounts/login/?next=/corpus/")


def test_a_wrong_password_is_explained(page):
    make_user("annotator", username="ann")
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill("ann")
    page.get_by_label("Password").fill("not-the-password")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_contain_text(
        "Please enter a correct username and password"
    )
