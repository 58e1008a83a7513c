"""Benchmark: the timeline (/timeline/) on the corpus of bench/generate.py.

At scale 1 (100× the seeds) about 2,000 of the 100,000 claims carry an event date
(``generate.dates_generate``). Measures the server (median and 95th percentile time, SQL
queries) for the whole timeline, one topic, a year zoomed into, and the SVG download; then
headless Chromium, after one uncounted load: navigation start until the first frame after
the page's load event (the figure and its tables painted).

    .venv/bin/python bench/timeline.py [--scale 1.0] [--runs 20]

The corpus is generated first if needed (SQLite in the benchmarks' temporary folder, or
DATABASE_URL: use a scratch database).
"""

import argparse
import os
from pathlib import Path
from urllib.parse import urlencode

import generate
from annotation_page import CHROMIUM_ARGS, serve
from django.conf import settings
from django.test import Client
from django.urls import reverse

from common import Claim, Row, connection, markdown_table, measure, signed_in_client

# isort: split
# The app's modules need Django set up, which importing common does.
from claims.models import Topic

SHOTS = Path("/tmp/shots/timeline")
FIRST_FRAME = """async () => {
  const frame = () => new Promise((done) => requestAnimationFrame(done));
  await frame();
  await frame();
  return [performance.now(), document.querySelectorAll("svg.timeline-figure a").length];
}"""


def browser_rows(client: Client, url: str, runs: int) -> Row:
    from playwright.sync_api import sync_playwright

    base, server = serve()
    frames, marks = [], 0
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS
        )
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        context.add_cookies([{"name": settings.SESSION_COOKIE_NAME,
                              "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                              "url": base}])  # fmt: skip
        page = context.new_page()
        page.goto(base + url)  # uncounted: fills the browser's caches
        for _ in range(max(3, runs // 4)):
            page.goto(base + url, wait_until="load")
            now, marks = page.evaluate(FIRST_FRAME)
            frames.append(now)
        SHOTS.mkdir(parents=True, exist_ok=True)  # to look at: is it readable?
        page.screenshot(path=SHOTS / f"bench-{connection.vendor}.png")
        browser.close()
    server.shutdown()
    return Row("timeline: browser, navigation → first frame after load", frames, [],
               note=f"{marks:,} links in the figure", target=False)  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20)
    generate.add_options(parser)
    args = parser.parse_args()
    generate.ensure_from(args)
    dated = Claim.objects.filter(event_year__isnull=False).count()
    client = signed_in_client("reviewer")
    url = reverse("comparison:timeline")
    topic = Topic.objects.order_by("name").first()
    note = f"{dated:,} dated claims of {Claim.objects.count():,}"
    rows = [
        measure(client, "timeline: whole", url, args.runs, note),
        measure(client, "timeline: one topic", f"{url}?topic={topic.pk}", args.runs, topic.name),
        measure(
            client,
            "timeline: 1934, by months",
            url + "?" + urlencode({"start": "1934", "end": "1934"}),
            args.runs,
        ),  # fmt: skip
        measure(client, "timeline: SVG download", reverse("comparison:timeline-svg"), args.runs),
        browser_rows(client, url, args.runs),
    ]
    # Wall times depend on what else runs: the CPU column and the load average say how much.
    load = ", ".join(f"{n:.1f}" for n in os.getloadavg())
    print(f"\n{connection.vendor}, scale {args.scale:g}, load average {load}:\n")
    print(markdown_table(rows))


if __name__ == "__main__":
    main()
