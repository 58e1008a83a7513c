"""axe-core (from npm, for the tests only: ``make axe`` installs the version
tests/browser/package-lock.json pins into .venv/axe) in the browser tests: the
accessibility rules a page breaks, in the state it is in.

The script goes in as an init script (the DevTools protocol's, which the pages' Content
Security Policy does not stop), so call ``watch_accessibility`` before opening the page.
Besides axe's default rules it runs ``label-content-name-mismatch`` (experimental, so off by
default): a control's accessible name must contain its visible label, so "Link to claim…"
is announced as such."""

import os
from pathlib import Path

from playwright.sync_api import Page

ROOT = Path(__file__).resolve().parents[2]
AXE = Path(os.environ.get("AXE_PATH", ROOT / ".venv/axe/node_modules/axe-core/axe.min.js"))
IMPACTS = ("serious", "critical")

_RUN = """async () => {
  const results = await axe.run(document, {
    rules: { "label-content-name-mismatch": { enabled: true } },
    resultTypes: ["violations"],
  });
  return results.violations.map((violation) => ({
    id: violation.id,
    impact: violation.impact,
    help: violation.help,
    nodes: violation.nodes.map((node) => node.target.join(" ")),
  }));
}"""


def watch_accessibility(page: Page) -> None:
    """Load axe-core into every page this page's context opens from now on."""
    assert AXE.exists(), f"axe-core is not installed at {AXE}: run `make axe`"
    page.context.add_init_script(path=str(AXE))


def violations(page: Page) -> list[dict]:
    """The serious and critical violations of the page as it is now (and every
    ``label-content-name-mismatch``), each with the elements at fault."""
    found = page.evaluate(_RUN)
    return [
        violation
        for violation in found
        if violation["impact"] in IMPACTS or violation["id"] == "label-content-name-mismatch"
    ]


def assert_accessible(page: Page) -> None:
    """Fail with the violations (``violations``) of the page as it is now, if any."""
    found = violations(page)
    assert not found, found
