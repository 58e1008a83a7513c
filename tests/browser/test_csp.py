"""The Content-Security-Policy holds on every page: headless Chromium reports no violation
(console error or ``securitypolicyviolation`` event) on the app's pages or the admin's."""

import pytest
from django.contrib import admin
from django.urls import NoReverseMatch, reverse
from playwright.sync_api import Page, expect

from claims.reviewing import review_submit
from tests.browser.conftest import open_document, sign_in
from tests.factories import (
    PASSWORD,
    make_claim,
    make_document,
    make_evidence,
    make_link,
    make_user,
)

pytestmark = pytest.mark.django_db(transaction=True)

# Runs in every page before its own scripts; the page's CSP does not apply to it.
WATCH = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push(
    `${event.effectiveDirective} blocked ${event.blockedURI || "inline"}: ${event.sample}`
  );
});
"""
# Violation events are queued as tasks: let one task pass before reading them.
VIOLATIONS = """() => new Promise((resolve) => {
  setTimeout(() => resolve(window.__cspViolations), 0);
})"""


class CspWatch:
    def __init__(self, page: Page) -> None:
        self.page = page
        self.console: list[str] = []
        self.events: list[str] = []
        self.errors: list[str] = []
        page.context.add_init_script(WATCH)
        page.on("console", self._on_console)
        page.on("pageerror", lambda error: self.errors.append(f"{page.url}: {error}"))

    def _on_console(self, message) -> None:
        if "Content Security Policy" in message.text or "Content-Security-Policy" in message.text:
            self.console.append(f"{self.page.url}: {message.text}")

    def settle(self) -> None:
        """Collect the events of the page now shown."""
        self.events += [f"{self.page.url}: {item}" for item in self.page.evaluate(VIOLATIONS)]

    def visit(self, url: str) -> None:
        response = self.page.goto(url)
        assert response is not None and response.status < 400, (url, response and response.status)
        assert "default-src 'self'" in response.headers["content-security-policy"], url
        self.settle()

    def assert_clean(self) -> None:
        assert self.console == [], "\n".join(self.console)
        assert self.events == [], "\n".join(self.events)
        assert self.errors == [], "\n".join(self.errors)


@pytest.fixture
def watch(page) -> CspWatch:
    return CspWatch(page)


@pytest.fixture
def corpus():
    """A document with claims, a link between two documents with evidence and a review."""
    annotator = make_user("annotator", username="ann")
    document = make_document(
        "The Kirov trial\n\nIn December 1934 a group of 13 were shot for the murder.\n\n"
        "Trotsky was exiled to Alma Ata in 1928."
    )
    other = make_document("Another account\n\nFifteen were found guilty and executed.")
    claim = make_claim(document, user=annotator, quote="13 were shot", topics=["Kirov"])
    make_claim(document, user=annotator, quote="exiled to Alma Ata in 1928")
    other_claim = make_claim(other, user=annotator, quote="Fifteen were found guilty")
    link = make_link(claim, other_claim, user=annotator)
    make_evidence(claim, user=annotator, kind="url", url="https://example.org/kirov")
    make_evidence(link=link, user=annotator)
    review_submit(link=link, verdict="confirmed", note="", user=make_user("reviewer"))
    return {"document": document, "claim": claim, "link": link, "source": document.source}


def test_the_watch_catches_an_inline_script_and_a_style_attribute(page, live_server, watch):
    """The policy blocks them, and this test's watch sees it: a clean run below means
    something. (Eval cannot be tried from here: Playwright's own evaluation may use it.)"""
    watch.visit("/accounts/login/")
    ran = page.evaluate(
        """() => {
          const script = document.createElement("script");
          script.textContent = "window.__inlineRan = true";
          document.body.append(script);
          document.body.setAttribute("style", "color: red");
          return { inline: window.__inlineRan === true,
                   colour: getComputedStyle(document.body).color };
        }"""
    )
    assert ran["inline"] is False
    assert ran["colour"] != "rgb(255, 0, 0)"
    watch.settle()
    directives = " ".join(watch.events)
    assert "script-src-elem" in directives
    assert "style-src-attr" in directives
    assert len(watch.console) == 2  # "… violates the following Content Security Policy …"


def test_the_apps_pages_keep_the_policy(page, live_server, watch, corpus, settings):
    settings.AXES_ENABLED = True  # the real sign-in, through the throttle
    make_user("editor", username="ed")
    watch.visit("/accounts/login/")
    sign_in(page, "ed")
    watch.settle()

    open_document(page, corpus["document"])  # the annotation page: its scripts have run
    watch.settle()
    page.get_by_role("link", name="Claims").first.click()
    expect(page.get_by_role("heading", name="Claims", level=1)).to_be_visible()
    for url in [
        "/corpus/",
        "/corpus/sources/",
        "/claims/",
        corpus["link"].get_absolute_url(),
        corpus["link"].get_absolute_url() + "?queue=1",
        "/review/",
        "/review/dashboard/",
        "/timeline/",
        "/compare/",
        "/compare/topics/Kirov/",
        "/export/",
        "/corpus/documents/upload/",
    ]:
        watch.visit(url)
    page.goto("/no/such/page/")  # the 404 page
    watch.settle()
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("heading", name="Sign in to Crosscheck")).to_be_visible()
    watch.settle()
    watch.assert_clean()


def test_the_annotation_page_works_under_the_policy(page, live_server, watch, corpus):
    """Its scripts load as modules, read their settings from json_script, load their claims
    and paint highlights."""
    make_user("editor", username="ed")
    sign_in(page, "ed")
    open_document(page, corpus["document"])
    painted = page.evaluate("() => [...CSS.highlights.keys()].length")
    assert painted > 0
    watch.settle()
    watch.assert_clean()


def _admin_url(name: str, *args) -> str | None:
    try:
        return reverse(f"admin:{name}", args=args)
    except NoReverseMatch:
        return None


def test_the_admin_keeps_the_policy(page, live_server, watch, corpus):
    make_user("editor", username="ed")
    watch.visit("/admin/login/")
    page.get_by_label("Username").fill("ed")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Curate the corpus")).to_be_visible()
    watch.settle()

    source, claim, link = corpus["source"], corpus["claim"], corpus["link"]
    document = corpus["document"]
    for url in [
        "/admin/",
        _admin_url("corpus_source_changelist"),
        _admin_url("corpus_source_change", source.pk),
        _admin_url("corpus_source_history", source.pk),
        _admin_url("corpus_source_delete", source.pk),
        _admin_url("corpus_document_changelist"),
        _admin_url("corpus_document_change", document.pk),
        _admin_url("claims_claim_changelist") + "?q=shot",
        _admin_url("claims_claim_change", claim.pk),
        _admin_url("claims_claim_history", claim.pk),
        _admin_url("claims_claim_delete", claim.pk),
        _admin_url("claims_claimlink_changelist"),
        _admin_url("claims_claimlink_change", link.pk),
        _admin_url("claims_claimlink_delete", link.pk),
        _admin_url("claims_evidence_changelist"),
        _admin_url("claims_review_changelist"),
        _admin_url("claims_topic_changelist"),
        _admin_url("auth_user_changelist"),
        _admin_url("auth_user_add"),
    ]:
        assert url, "an admin page is missing"
        watch.visit(url)

    # A changelist action's confirmation page (delete selected).
    page.goto(_admin_url("claims_topic_changelist"))
    page.get_by_role("checkbox").nth(1).check()
    page.get_by_role("combobox", name="Action").select_option("delete_selected")
    page.get_by_role("button", name="Go").click()
    expect(page.get_by_role("heading", name="Delete multiple objects")).to_be_visible()
    watch.settle()
    watch.assert_clean()


def _import_export_urls() -> list[tuple[str, str]]:
    """The django-import-export pages of every admin model that has them."""
    urls = []
    for model in admin.site._registry:
        prefix = f"{model._meta.app_label}_{model._meta.model_name}"
        for kind in ("import", "export"):
            url = _admin_url(f"{prefix}_{kind}")
            if url:
                urls.append((kind, url))
    return urls


def test_the_admins_import_and_export_pages_keep_the_policy(page, live_server, watch, corpus):
    urls = _import_export_urls()
    assert len(urls) == 12  # six models, each with an import and an export page
    make_user("editor", username="ed")
    sign_in(page, "ed")
    toggled = 0
    for kind, url in urls:
        watch.visit(url)
        toggle = page.locator("input.select-toggle")
        if kind == "export" and toggle.count():
            # django-import-export's "Select all" runs an inline handler the policy allows
            # by its hash: unticking it unticks every field.
            fields = page.locator('.selectable-field-export-row input[type="checkbox"]:visible')
            toggle.uncheck()
            assert fields.count() > 0
            for index in range(fields.count()):
                expect(fields.nth(index)).not_to_be_checked()
            watch.settle()
            toggled += 1
    watch.assert_clean()
    # Without a "Select all" anywhere, its hash in CONTENT_SECURITY_POLICY can go.
    assert toggled > 0
