"""Playwright in Debian's headless Chromium, against the live test server."""

import os

import pytest
from playwright.sync_api import Page, expect, sync_playwright

from tests.factories import PASSWORD

# Playwright's sync API runs an event loop in this thread; the Django ORM calls the tests
# make between browser steps are synchronous and safe here.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/browser/" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser():
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900})
    context.set_default_timeout(10_000)
    page = context.new_page()
    yield page
    context.close()


def sign_in(page: Page, username: str, password: str = PASSWORD) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_text(f"Signed in as {username}")).to_be_visible()


_TEXT_POINT = """([needle, edge, scroll]) => {
  const container = document.getElementById("document-text");
  const walker = document.createTreeWalker(container, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const at = node.data.indexOf(needle);
    if (at < 0) continue;
    const range = new Range();
    if (scroll) {
      // The needle a third of the way down: away from the edges, where a drag autoscrolls.
      range.setStart(node, at);
      range.setEnd(node, at + 1);
      window.scrollBy(0, range.getBoundingClientRect().top - window.innerHeight / 3);
    }
    const index = edge === "start" ? at : at + needle.length;
    // The whole first or last character (two UTF-16 units for an astral one).
    const width = edge === "start" ? (node.data.codePointAt(at) > 0xffff ? 2 : 1)
                                   : (node.data.charCodeAt(index - 1) >= 0xdc00 ? 2 : 1);
    if (edge === "start") range.setStart(node, index), range.setEnd(node, index + width);
    else range.setStart(node, index - width), range.setEnd(node, index);
    const rects = range.getClientRects();
    const rect = edge === "start" ? rects[0] : rects[rects.length - 1];
    return { x: edge === "start" ? rect.left + 1 : rect.right - 1, y: rect.top + rect.height / 2 };
  }
  return null;
}"""


def select_with_mouse(page: Page, start_text: str, end_text: str | None = None) -> None:
    """Drag the mouse from the first character of ``start_text`` to the last character of
    ``end_text`` (or of ``start_text``), as a person selects a passage."""
    start = page.evaluate(_TEXT_POINT, [start_text, "start", True])
    end = page.evaluate(_TEXT_POINT, [end_text or start_text, "end", False])
    assert start and end, f"text not on the page: {start_text!r} / {end_text!r}"
    page.mouse.move(start["x"], start["y"])
    page.mouse.down()
    page.mouse.move(end["x"], end["y"], steps=8)
    page.mouse.up()


PAINTED_TEXTS = """() => {
  const out = {};
  for (const [name, highlight] of CSS.highlights) {
    out[name] = [...highlight].map((range) => range.toString());
  }
  return out;
}"""


def painted(page: Page) -> dict[str, list[str]]:
    """The text of every painted highlight range, by highlight name."""
    return page.evaluate(PAINTED_TEXTS)


def open_document(page: Page, document) -> None:
    page.goto(document.get_absolute_url())
    expect(page.locator("#document-text[data-ready=true]")).to_be_attached()


_TEXT_CENTRE = """(needle) => {
  const container = document.getElementById("document-text");
  const walker = document.createTreeWalker(container, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const at = node.data.indexOf(needle);
    if (at < 0) continue;
    node.parentElement.scrollIntoView({ block: "center" });
    const range = new Range();
    range.setStart(node, at);
    range.setEnd(node, at + needle.length);
    const rect = range.getClientRects()[0];
    return { x: rect.left + rect.width / 2, y: rect.top + rect.height / 2 };
  }
  return null;
}"""


def click_text(page: Page, needle: str) -> None:
    """Click the middle of ``needle`` in the document text (a highlight, say)."""
    point = page.evaluate(_TEXT_CENTRE, needle)
    assert point, f"text not on the page: {needle!r}"
    page.mouse.click(point["x"], point["y"])
