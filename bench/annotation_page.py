"""Benchmark: the annotation page of the largest seed (390 KB) with many claims.

Measures the server (median and 95th percentile time, SQL queries) and headless Chromium
(time from navigation start until the page is ready with every highlight registered, the
time the painting code itself took, and the next frame after it).

    .venv/bin/python bench/annotation_page.py [--claims 2000] [--runs 20]

Uses a throwaway SQLite database in a temporary folder unless DATABASE_URL is set (then
that database is migrated and written to: use a scratch one).
"""

import argparse
import os
import random
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path
from socketserver import ThreadingMixIn
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("SECRET_KEY", "benchmark-only-key-" + "x" * 40)
os.environ.setdefault("HTTPS", "0")
os.environ.setdefault("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "crosscheck.settings")
if "DATABASE_URL" not in os.environ:
    os.environ["DATABASE_URL"] = f"sqlite:///{tempfile.mkdtemp()}/bench.sqlite3"

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.staticfiles.handlers import StaticFilesHandler  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.core.wsgi import get_wsgi_application  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from claims.anchoring import anchor  # noqa: E402
from claims.models import Claim  # noqa: E402
from corpus.models import Document  # noqa: E402
from corpus.seeds import load_seeds  # noqa: E402
from tests.factories import make_user  # noqa: E402

CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]  # fmt: skip


def make_claims(document: Document, count: int, seed: int = 1) -> None:
    """``count`` claims of sentence-like length at random places, many overlapping."""
    rng = random.Random(seed)
    text = document.text
    users = [make_user("annotator", username=f"bench-annotator-{i}") for i in range(5)]
    claims, seen = [], set()
    while len(claims) < count:
        start = rng.randrange(0, len(text) - 400)
        end = start + rng.randint(20, 300)
        user = rng.choice(users)
        try:
            anchored = anchor(text, start, end, text[start:end])
        except ValueError:
            continue
        key = (anchored["start"], anchored["end"], user.pk)
        if key in seen:
            continue
        seen.add(key)
        claims.append(Claim(document=document, statement=f"Bench claim {len(claims)}",
                            created_by=user, **anchored))  # fmt: skip
    Claim.objects.bulk_create(claims, batch_size=500)


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


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--claims", type=int, default=2000)
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()

    call_command("migrate", verbosity=0)
    load_seeds()
    document = Document.objects.get(source__slug="myth-busting-blog")
    Claim.objects.filter(document=document).delete()
    make_claims(document, args.claims)
    reader = make_user("reviewer", username=f"bench-reader-{time.time_ns()}")

    client = Client()
    client.force_login(reader)
    url = document.get_absolute_url()
    timings, queries = [], []
    for _ in range(args.runs):
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            response = client.get(url)
            timings.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200
        queries.append(len(captured))
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
    print(f"| server time (ms), {args.runs} requests | {statistics.median(timings):.0f} | "
          f"{percentile(timings, 0.95):.0f} |")  # fmt: skip
    print(f"| SQL queries per request | {statistics.median(queries):.0f} | {max(queries)} |")
    print(f"| browser: navigation start → highlights registered (ms) | "
          f"{statistics.median(ready):.0f} | {percentile(ready, 0.95):.0f} |")  # fmt: skip
    print(f"| browser: painting code alone (ms) | {statistics.median(paint):.1f} | "
          f"{percentile(paint, 0.95):.1f} |")  # fmt: skip
    print(f"| browser: navigation start → first frame with highlights (ms) | "
          f"{statistics.median(frame):.0f} | {percentile(frame, 0.95):.0f} |")  # fmt: skip


if __name__ == "__main__":
    main()
