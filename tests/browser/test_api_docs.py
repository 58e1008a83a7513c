"""The JSON API's docs page (/api/docs/) works under the app's Content-Security-Policy:
Swagger UI loads from the app's own static files, shows every operation of the schema,
and "Try it out" sends a write with the page's CSRF token, as the signed-in user."""

import pytest
from playwright.sync_api import Page, expect

from claims.models import Evidence
from crosscheck.api import openapi_schema
from tests.browser.conftest import sign_in
from tests.browser.test_csp import CspWatch
from tests.factories import make_claim, make_evidence, make_user

pytestmark = pytest.mark.django_db(transaction=True)


def _operation(page: Page, method: str, path: str):
    return page.locator(f".opblock-{method.lower()}").filter(
        has=page.locator(".opblock-summary-path", has_text=path)
    )


def test_the_docs_page_shows_the_api_and_sends_writes_with_the_csrf_token(page, live_server):
    watch = CspWatch(page)
    annotator = make_user("annotator", username="ann")
    evidence = make_evidence(make_claim(user=annotator), user=annotator, bearing="supports")
    sign_in(page, "ann")

    watch.visit("/api/docs/")
    expect(page.get_by_role("heading", name="JSON API", exact=True)).to_be_visible()
    expect(page.get_by_role("heading", name="Crosscheck JSON API")).to_be_visible()
    expect(_operation(page, "PATCH", "/api/evidence/{public_id}/")).to_be_visible()
    operations = sum(len(methods) for methods in openapi_schema()["paths"].values())
    expect(page.locator(".opblock")).to_have_count(operations)

    operation = _operation(page, "PATCH", "/api/evidence/{public_id}/")
    operation.locator(".opblock-summary").click()
    operation.get_by_role("button", name="Try it out").click()
    operation.get_by_placeholder("public_id").fill(str(evidence.public_id))
    operation.locator("textarea.body-param__text").fill('{"bearing": "refutes", "version": 1}')
    operation.get_by_role("button", name="Execute").click()

    expect(
        operation.locator(".live-responses-table .response-col_status:not(.col_header)")
    ).to_have_text("200")
    expect(operation.locator(".live-responses-table")).to_contain_text('"bearing": "refutes"')
    evidence.refresh_from_db()
    assert (evidence.bearing, evidence.version) == ("refutes", 2)
    assert Evidence.objects.count() == 1
    watch.settle()
    watch.assert_clean()
