"""Load test: Crosscheck under gunicorn on PostgreSQL with simulated users.

Creates and migrates a scratch PostgreSQL database (``crosscheck_load`` unless
DATABASE_URL is set), fills it with the corpus of bench/generate.py (reused when there),
starts ``gunicorn crosscheck.wsgi`` with 2 workers and production settings (DEBUG=0, a
SECRET_KEY, HTTPS=0, ALLOWED_HOSTS=127.0.0.1), and lets ``--users`` simulated people,
each signed in through /accounts/login/ with its CSRF token, work at once for
``--duration`` seconds, without pauses:

- annotating: open a document's page and load its claims (GET /api/documents/<id>/claims/,
  as the page does), then create three claims through the same endpoint (POST);
- reviewing: open the review queue, open its first pair, give a verdict (the pair page's
  form, POST /links/<uuid>/review/);
- exporting: download one source's claims, pairs or evidence as CSV (/export/download/).

It prints the throughput, the median and 95th percentile latency and the errors of each
action (errors must be zero), then checks in the database that every write the load test
saw succeed is stored: every claim by its id, every verdict as the reviewer's current
review of that pair. Exits non-zero when anything failed.

    .venv/bin/python bench/load.py [--users 8] [--duration 60] [--scale 1.0] [--seed 1]
"""

import os

# The load test runs on PostgreSQL; common (imported below) sets Django up on DATABASE_URL.
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/crosscheck_load")

import argparse  # noqa: E402
import http.client  # noqa: E402
import json  # noqa: E402
import random  # noqa: E402
import re  # noqa: E402
import socket  # noqa: E402
import subprocess  # noqa: E402
import threading  # noqa: E402
import time  # noqa: E402
from collections import defaultdict  # noqa: E402
from dataclasses import dataclass, field  # noqa: E402
from http.cookies import SimpleCookie  # noqa: E402
from urllib.parse import urlencode  # noqa: E402

import generate  # noqa: E402
import psycopg  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.contrib.auth.hashers import make_password  # noqa: E402
from django.utils import timezone  # noqa: E402
from psycopg import sql  # noqa: E402

from common import (  # noqa: E402
    ROOT,
    Claim,
    Document,
    Review,
    Verdict,
    claim_span,
    connection,
    median,
    percentile,
)

# isort: split
from django.contrib.auth.models import Group  # noqa: E402 — needs Django set up

SERVER_ENV = {
    "DEBUG": "0",
    "SECRET_KEY": "load-test-only-key-" + "y" * 40,
    "HTTPS": "0",
    "ALLOWED_HOSTS": "127.0.0.1",
}
_CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
_QUEUE_PAIR = re.compile(r'href="(/links/[0-9a-f-]{36}/\?[^"]*queue=1[^"]*)"')
_VERDICT_FORM = re.compile(r'<form method="post" action="([^"]+)"[^>]*id="verdict-form"')


def create_database() -> None:
    """Create the scratch database named by DATABASE_URL when it does not exist yet."""
    settings = connection.settings_dict
    with psycopg.connect(
        host=settings["HOST"] or "127.0.0.1", port=settings["PORT"] or 5432,
        user=settings["USER"], password=settings["PASSWORD"] or None, dbname="postgres",
        autocommit=True,
    ) as admin:  # fmt: skip
        exists = admin.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [settings["NAME"]]
        ).fetchone()
        if not exists:
            admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(settings["NAME"])))


def load_users(count: int) -> list[str]:
    """``load-user-N``: annotators and reviewers with ``generate.BENCH_PASSWORD``."""
    User = get_user_model()
    password = make_password(generate.BENCH_PASSWORD)
    groups = list(Group.objects.filter(name__in=["annotator", "reviewer"]))
    names = [f"load-user-{number}" for number in range(1, count + 1)]
    for name in names:
        user, _ = User.objects.update_or_create(username=name, defaults={"password": password})
        user.groups.set(groups)
    return names


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_server(port: int, workers: int) -> subprocess.Popen:
    """gunicorn with production settings; returns once it answers."""
    env = os.environ | SERVER_ENV
    server = subprocess.Popen(
        [str(ROOT / ".venv/bin/gunicorn"), "crosscheck.wsgi", "--workers", str(workers),
         "--bind", f"127.0.0.1:{port}", "--log-level", "warning"],
        cwd=ROOT, env=env,
    )  # fmt: skip
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            connection_ = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            connection_.request("GET", "/accounts/login/")
            if connection_.getresponse().status == 200:
                return server
        except OSError:
            time.sleep(0.2)
    server.terminate()
    raise SystemExit("gunicorn did not answer within 60 s")


class Browser:
    """One person's HTTP session: cookies (session and CSRF) over http.client, no
    redirects followed, every request timed under an action name."""

    def __init__(self, port: int, results: "Results") -> None:
        self.http = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        self.cookies: dict[str, str] = {}
        self.results = results

    def request(self, action: str, method: str, path: str, *, body: bytes | None = None,
                headers: dict | None = None, expect: int = 200) -> bytes | None:  # fmt: skip
        """The response body, or None after recording an error for ``action``."""
        headers = dict(headers or {})
        headers["Cookie"] = "; ".join(f"{name}={value}" for name, value in self.cookies.items())
        started = time.perf_counter()
        try:
            self.http.request(method, path, body=body, headers=headers)
            response = self.http.getresponse()
            data = response.read()
        except (OSError, http.client.HTTPException) as error:
            self.http.close()
            self.results.error(action, f"{method} {path}: {error!r}")
            return None
        elapsed = (time.perf_counter() - started) * 1000
        for header in response.headers.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(header).items():
                self.cookies[name] = morsel.value
        if response.status != expect:
            self.results.error(action, f"{method} {path}: {response.status} {data[:200]!r}")
            return None
        self.results.timing(action, elapsed)
        return data

    def form_post(self, action: str, path: str, fields: dict, expect: int = 302) -> bytes | None:
        return self.request(
            action, "POST", path, body=urlencode(fields).encode(), expect=expect,
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        )  # fmt: skip

    def sign_in(self, username: str) -> None:
        page = self.request("sign in", "GET", "/accounts/login/")
        token = _CSRF_INPUT.search(page.decode()).group(1)
        fields = {"username": username, "password": generate.BENCH_PASSWORD,
                  "csrfmiddlewaretoken": token, "next": "/"}  # fmt: skip
        if self.form_post("sign in", "/accounts/login/", fields) is None:
            raise SystemExit(f"{username} could not sign in")


@dataclass
class Results:
    """Timings, errors and the writes that succeeded, shared by the simulated users."""

    timings: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    claims: list[str] = field(default_factory=list)  # public ids answered with 201
    verdicts: list[tuple[str, str, str]] = field(default_factory=list)  # (user, pair, verdict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def timing(self, action: str, milliseconds: float) -> None:
        with self.lock:
            self.timings[action].append(milliseconds)

    def error(self, action: str, message: str) -> None:
        with self.lock:
            self.errors[action].append(message)


class Person:
    """A simulated user who annotates, reviews and exports in turn, as fast as answered."""

    def __init__(self, username: str, port: int, results: Results, documents, sources) -> None:
        self.username = username
        self.browser = Browser(port, results)
        self.results = results
        self.documents = documents  # [(id, text)]
        self.sources = sources
        self.rng = random.Random()  # each run does new work: no seed
        # The service refuses a second claim of the same user on a span: skip those the
        # user has (from earlier runs too).
        self.spans = set(
            Claim.objects.filter(created_by__username=username).values_list(
                "document_id", "start", "end"
            )
        )

    def run(self, until: float) -> None:
        self.browser.sign_in(self.username)
        actions = [self.annotate, self.review, self.export]
        while time.monotonic() < until:
            self.rng.choices(actions, [45, 40, 15])[0]()

    def annotate(self) -> None:
        document_id, text = self.rng.choice(self.documents)
        if (
            self.browser.request("open document", "GET", f"/corpus/documents/{document_id}/")
            is None
        ):
            return
        # The page loads its claims from their endpoint, as the browser does.
        claims_url = f"/api/documents/{document_id}/claims/"
        if self.browser.request("load its claims", "GET", claims_url) is None:
            return
        for _ in range(3):
            span = claim_span(text, self.rng)
            if span is None or (document_id, span["start"], span["end"]) in self.spans:
                continue
            self.spans.add((document_id, span["start"], span["end"]))
            statement = f"Load test: {span['quote'][:80]}"
            payload = {"start": span["start"], "end": span["end"], "quote": span["quote"],
                       "statement": statement, "topics": ["load test"]}  # fmt: skip
            data = self.browser.request(
                "create claim", "POST", f"/api/documents/{document_id}/claims/",
                body=json.dumps(payload).encode(), expect=201,
                headers={"Content-Type": "application/json", "Accept": "application/json",
                         "X-CSRFToken": self.browser.cookies.get("csrftoken", "")},
            )  # fmt: skip
            if data is not None:
                with self.results.lock:
                    self.results.claims.append(json.loads(data)["claim"]["id"])

    def review(self) -> None:
        queue = self.browser.request("open review queue", "GET", "/review/")
        pair = queue and _QUEUE_PAIR.search(queue.decode())
        if not pair:
            return
        page = self.browser.request("open pair", "GET", pair.group(1).replace("&amp;", "&"))
        form = page and _VERDICT_FORM.search(page.decode())
        if not form:
            return
        verdict = self.rng.choices(Verdict.values, [55, 30, 15])[0]
        fields = {"csrfmiddlewaretoken": _CSRF_INPUT.search(page.decode()).group(1),
                  "verdict": verdict, "note": "Load test verdict."}  # fmt: skip
        path = form.group(1).replace("&amp;", "&")
        if self.browser.form_post("give verdict", path, fields) is not None:
            with self.results.lock:
                self.results.verdicts.append((self.username, path.split("/")[2], verdict))

    def export(self) -> None:
        dataset = self.rng.choice(["claims", "pairs", "evidence"])
        query = urlencode({"dataset": dataset, "source": self.rng.choice(self.sources)})
        data = self.browser.request(f"export {dataset}", "GET", f"/export/download/?{query}")
        if data is not None and not data.startswith(b"\xef\xbb\xbf") and b"," not in data[:200]:
            self.results.error(f"export {dataset}", f"not a CSV: {data[:100]!r}")


def verify(results: Results, since) -> list[str]:
    """What the database lacks of the writes reported as successful (empty when all is
    stored), and nothing written that was not reported."""
    problems = []
    stored = set(
        str(public_id)
        for public_id in Claim.objects.filter(public_id__in=results.claims).values_list(
            "public_id", flat=True
        )
    )
    missing = [claim for claim in results.claims if claim not in stored]
    if missing:
        problems.append(f"{len(missing)} claims answered 201 but not stored: {missing[:5]}")
    by_load = Claim.objects.filter(created_by__username__startswith="load-user-",
                                   created_at__gte=since).count()  # fmt: skip
    if by_load != len(results.claims):
        problems.append(f"{by_load} claims stored by the load users, {len(results.claims)} seen")
    current = set(
        Review.objects.current()
        .filter(reviewer__username__startswith="load-user-", created_at__gte=since)
        .values_list("reviewer__username", "link__public_id", "verdict")
    )
    current = {(user, str(pair), verdict) for user, pair, verdict in current}
    lost = [verdict for verdict in results.verdicts if verdict not in current]
    if lost:
        problems.append(f"{len(lost)} verdicts answered but not current reviews: {lost[:5]}")
    if len(current) != len(results.verdicts):
        problems.append(f"{len(current)} current reviews stored, {len(results.verdicts)} seen")
    return problems


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=8)
    parser.add_argument("--duration", type=float, default=60, help="seconds")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    generate.add_options(parser)
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        raise SystemExit("The load test runs on PostgreSQL: set DATABASE_URL=postgres://…")

    create_database()
    generate.ensure_from(args)
    usernames = load_users(args.users)
    documents = list(Document.objects.order_by("pk").values_list("pk", "text"))
    sources = sorted({source for source in Document.objects.values_list("source_id", flat=True)})
    port = free_port()
    server = start_server(port, args.workers)
    results = Results()
    since = timezone.now()
    try:
        until = time.monotonic() + args.duration
        people = [Person(name, port, results, documents, sources) for name in usernames]
        threads = [threading.Thread(target=person.run, args=(until,)) for person in people]
        started = time.monotonic()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        elapsed = time.monotonic() - started
    finally:
        server.terminate()
        server.wait(timeout=30)

    print(f"Load test: {args.users} users, {elapsed:.0f} s, gunicorn {args.workers} workers, "
          f"PostgreSQL ({connection.settings_dict['NAME']})")  # fmt: skip
    print("| action | requests | per second | p50 ms | p95 ms | errors |")
    print("| --- | ---: | ---: | ---: | ---: | ---: |")
    actions = sorted(set(results.timings) | set(results.errors))
    for action in actions:
        timings = results.timings[action] or [0.0]
        print(f"| {action} | {len(results.timings[action])} | "
              f"{len(results.timings[action]) / elapsed:.1f} | {median(timings):.0f} | "
              f"{percentile(timings, 0.95):.0f} | {len(results.errors[action])} |")  # fmt: skip
    total = sum(len(timings) for timings in results.timings.values())
    errors = sum(len(messages) for messages in results.errors.values())
    print(f"| all | {total} | {total / elapsed:.1f} | | | {errors} |")
    for action, messages in results.errors.items():
        for message in messages[:3]:
            print(f"error in {action}: {message}")
    problems = verify(results, since)
    verdict = "all found in the database." if not problems else "PROBLEMS:"
    print(f"Stored: {len(results.claims)} claims and {len(results.verdicts)} verdicts reported "
          f"as saved; {verdict}")  # fmt: skip
    for problem in problems:
        print(f"  {problem}")
    if errors or problems:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
