"""Benchmark: the annotation page of the largest seed (390 KB) with many claims.

Measures the server (median and 95th percentile time, SQL queries) and headless Chromium
(time from navigation start until the page is ready with every highlight registered, the
time the painting code itself took, and the next frame after it).

    .venv/bin/python bench/annotation_page.py [--claims 2000] [--runs 20]

Uses a throwaway SQLite database in a temporary folder unless DATABASE_URL is set (then
that database is migrated and written to: use a scratch one).
"""

import argparse
import threading
from socketserver import ThreadingMixIn
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from django.conf import settings
from django.contrib.staticfiles.handlers import StaticFilesHandler
from django.core.wsgi import get_wsgi_application

from common import (
    Claim,
    Document,
    analyze,
    connection,
    make_claims,
    median,
    percentile,
    prepare,
    signed_in_client,
    time_requests,
)

CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]  # fmt: skip


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, *args):
        pass


class _ThreadingServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True


def serve() -> tuple[str, _ThreadingServer]:
    application = StaticFilesHandler(get_wsgi_application())
    server = make_server("127.0.0.1", 0, application, _ThreadingServer, _QuietHandler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return f"http://127.0.0.1:{server.server_port}", server


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--claims", type=int, default=2000)
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()

    prepare()
    document = Document.objects.get(source__slug="myth-busting-blog")
    Claim.objects.filter(document=document).delete()
    make_claims(document, args.claims)
    analyze()
    client = signed_in_client()
    url = document.get_absolute_url()
    timings, queries, response = time_requests(client, url, args.runs)
    page_bytes = len(response.content)

    from playwright.sync_api import sync_playwright

    base, server = serve()
    ready, paint, frame = [], [], []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS
        )
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        context.add_cookies([{"name": settings.SESSION_COOKIE_NAME,
                              "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                              "url": base}])  # fmt: skip
        page = context.new_page()
        for _ in range(max(3, args.runs // 4)):
            page.goto(base + url)
            page.wait_for_selector("#document-text[data-ready=true]", state="attached")
            result = page.evaluate(
                """async () => {
                  const text = document.getElementById("document-text");
                  const frame = () => new Promise((done) => requestAnimationFrame(done));
                  await frame();
                  await frame();
                  return [Number(text.dataset.readyMs), Number(text.dataset.paintMs),
                          performance.now(), Number(text.dataset.painted)];
                }"""
            )
            assert result[3] == args.claims, result
            ready.append(result[0])
            paint.append(result[1])
            frame.append(result[2])
        browser.close()
    server.shutdown()

    print(f"Annotation page, {len(document.text):,} characters, {args.claims:,} claims "
          f"({connection.vendor}), page {page_bytes / 1024:.0f} KiB")  # fmt: skip
    print("| measure | median | p95 |")
    print("| --- | --- | --- |")
    print(f"| server time (ms), {args.runs} requests | {median(timings):.0f} | "
          f"{percentile(timings, 0.95):.0f} |")  # fmt: skip
    print(f"| SQL queries per request | {median(queries):.0f} | {max(queries)} |")
    print(f"| browser: navigation start → highlights registered (ms) | "
          f"{median(ready):.0f} | {percentile(ready, 0.95):.0f} |")  # fmt: skip
    print(f"| browser: painting code alone (ms) | {median(paint):.1f} | "
          f"{percentile(paint, 0.95):.1f} |")  # fmt: skip
    print(f"| browser: navigation start → first frame with highlights (ms) | "
          f"{median(frame):.0f} | {percentile(frame, 0.95):.0f} |")  # fmt: skip


if __name__ == "__main__":
    main()
