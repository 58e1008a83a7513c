"""Benchmark: the annotation page of the largest document with many claims.

Measures the server (median and 95th percentile time, SQL queries, for the page and for
the claims it loads from their endpoint) and headless Chromium, after one uncounted load
(time from navigation start until the page is ready with every highlight registered, the
time the painting code itself took, and the next frame after it).

    .venv/bin/python bench/annotation_page.py [--claims 2000] [--runs 20]
    .venv/bin/python bench/annotation_page.py --generated [--scale 1.0] [--runs 20]

By default the largest seed (390 KB) gets ``--claims`` generated claims, in a throwaway
SQLite database unless DATABASE_URL is set (then that database is migrated and written
to: use a scratch one). With ``--generated`` it measures the largest document of the
corpus of bench/generate.py (2,000 claims), generating that corpus first if needed.
"""

import argparse
import threading
from socketserver import ThreadingMixIn
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

import generate
from django.conf import settings
from django.contrib.staticfiles.handlers import StaticFilesHandler
from django.core.wsgi import get_wsgi_application
from django.db.models.functions import Length
from django.test import Client
from django.urls import reverse

from common import (
    Claim,
    Document,
    Row,
    analyze,
    connection,
    make_claims,
    markdown_table,
    measure,
    prepare,
    signed_in_client,
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


def largest_document() -> Document:
    """The longest document (its length counted by the database, texts left unloaded)."""
    return Document.objects.order_by(Length("text").desc(), "pk").first()


def measure_page(client: Client, document: Document, runs: int) -> list[Row]:
    """The page's server row, then three browser rows (``runs`` / 4 page loads, at least
    three) from headless Chromium signed in with ``client``'s session."""
    claims = Claim.objects.filter(document=document).count()
    url = document.get_absolute_url()
    server = measure(client, "annotation page: server", url, runs)
    server.note = f"{len(document.text):,} characters, {claims:,} claims"
    # The page preloads its claims from their endpoint: the second request of every view.
    claims_url = reverse("claims:api-document-claims", args=[document.pk])
    claims_row = measure(client, "annotation page: its claims (JSON)", claims_url, runs)
    claims_row.note = f"{claims:,} claims"

    from playwright.sync_api import sync_playwright

    base, server_thread = serve()
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
        # One load first, not counted: the browser's first page compiles the scripts and
        # fills its caches, as a reader's first page of a session does once.
        page.goto(base + url)
        page.wait_for_selector("#document-text[data-ready=true]", state="attached")
        for _ in range(max(3, runs // 4)):
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
            assert result[3] == claims, result
            ready.append(result[0])
            paint.append(result[1])
            frame.append(result[2])
        browser.close()
    server_thread.shutdown()
    return [
        server,
        claims_row,
        Row("annotation page: browser, navigation → highlights registered", ready, [],
            target=False),
        Row("annotation page: browser, painting code alone", paint, [], target=False),
        Row("annotation page: browser, navigation → first frame with highlights", frame, [],
            target=False),
    ]  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--claims", type=int, default=2000)
    parser.add_argument("--runs", type=int, default=20)
    generate.add_options(parser, optional=True)
    args = parser.parse_args()

    if args.generated:
        generate.ensure_from(args)
        client = signed_in_client(username="gen-annotator-01")
        document = largest_document()
    else:
        prepare()
        document = Document.objects.get(source__slug="myth-busting-blog")
        Claim.objects.filter(document=document).delete()
        make_claims(document, args.claims)
        analyze()
        client = signed_in_client()
    print(f"Annotation page ({connection.vendor})")
    print(markdown_table(measure_page(client, document, args.runs)))


if __name__ == "__main__":
    main()
