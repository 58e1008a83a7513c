"""What every benchmark shares: Django set up on a benchmark database, seeds, users,
generated claims, timing statistics and the markdown table. Import this module before
anything from the app.

The database is ``DATABASE_URL`` when set. Otherwise scripts that work on the corpus of
``bench/generate.py`` (``generate.py``, ``run_all.py``, ``inbox.py``, or any benchmark given
``--generated``) share one SQLite file in the temporary folder, so the corpus is generated
once and reused; the other scripts get a throwaway file of their own."""

import os
import random
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, field, replace
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GENERATED_SQLITE = Path(tempfile.gettempdir()) / "crosscheck-bench" / "generated.sqlite3"
sys.path.insert(0, str(ROOT))
os.environ.setdefault("SECRET_KEY", "benchmark-only-key-" + "x" * 40)
os.environ.setdefault("HTTPS", "0")
os.environ.setdefault("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "crosscheck.settings")
os.environ.setdefault("CROSSCHECK_ENV_FILE", "")  # benchmarks measure production settings
if "DATABASE_URL" not in os.environ:
    if Path(sys.argv[0]).name in {"generate.py", "run_all.py", "inbox.py"} or (
        "--generated" in sys.argv
    ):
        GENERATED_SQLITE.parent.mkdir(exist_ok=True)
        os.environ["DATABASE_URL"] = f"sqlite:///{GENERATED_SQLITE}"
    else:
        os.environ["DATABASE_URL"] = f"sqlite:///{tempfile.mkdtemp()}/bench.sqlite3"

import warnings  # noqa: E402

import django  # noqa: E402

# WhiteNoise warns that collectstatic has not run; benchmarks serve static files from the
# apps (annotation_page.py) and need no collected copy.
warnings.filterwarnings("ignore", message="No directory at")
django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from claims.anchoring import anchor  # noqa: E402
from claims.models import (  # noqa: E402, F401 — re-exported for the benchmarks
    Claim,
    ClaimLink,
    Relation,
    Review,
    ReviewState,
    Verdict,
)
from claims.services import claim_build  # noqa: E402
from corpus.models import Document  # noqa: E402
from corpus.seeds import load_seeds  # noqa: E402
from tests.factories import make_user  # noqa: E402

STATEMENT_OPENINGS = ("Says that", "Claims that", "States that", "Asserts that", "Reports that")


def prepare() -> None:
    """Migrate the benchmark database and load the seed corpus."""
    call_command("migrate", verbosity=0)
    load_seeds()


def claim_span(text: str, rng: random.Random) -> dict[str, object] | None:
    """A random passage of sentence-like length (20–300 characters) from word start to word
    end, anchored as ``claims.services.claim_create`` anchors it; None when it holds only
    white space."""
    start = rng.randrange(0, max(1, len(text) - 400))
    end = min(len(text), start + rng.randint(20, 300))
    while start > 0 and not text[start - 1].isspace():
        start -= 1
    while end < len(text) and not text[end].isspace():
        end += 1
    try:
        return anchor(text, start, end, text[start:end])
    except ValueError:
        return None


def build_claims(document: Document, count: int, rng: random.Random, users) -> list[Claim]:
    """``count`` unsaved claims at random places of ``document``, many overlapping, each
    with a one-line statement, built by the service's ``claim_build`` (so with the search
    text it stores). A user never has two claims on the same span (the database refuses
    that)."""
    text = document.text
    claims, seen = [], set()
    while len(claims) < count:
        anchored = claim_span(text, rng)
        user = rng.choice(users)
        if anchored is None or (anchored["start"], anchored["end"], user.pk) in seen:
            continue
        seen.add((anchored["start"], anchored["end"], user.pk))
        words = anchored["quote"].split()
        statement = f"{rng.choice(STATEMENT_OPENINGS)} {' '.join(words[:12])}"
        claims.append(
            claim_build(document=document, anchored=anchored, statement=statement, author=user)
        )
    return claims


def make_claims(document: Document, count: int, *, seed: int = 1, users=None) -> None:
    """``count`` claims at random places of ``document`` (see ``build_claims``), inserted
    in bulk; five new annotators make them unless ``users`` are given."""
    users = users or [make_user("annotator", username=f"bench-{seed}-{i}") for i in range(5)]
    claims = build_claims(document, count, random.Random(seed), users)
    Claim.objects.bulk_create(claims, batch_size=1000)


def analyze() -> None:
    """Refresh the planner's statistics after a bulk load, as autovacuum would in time; on
    PostgreSQL also VACUUM, which marks the pages all-visible so index-only scans need not
    visit the table (autovacuum does that too, but it is off on these machines)."""
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")


def signed_in_client(role: str = "reviewer", username: str | None = None) -> Client:
    """A test client signed in as the existing user ``username``, or as a new user of
    ``role``."""
    if username:
        user = get_user_model().objects.get(username=username)
    else:
        user = make_user(role, username=f"bench-{role}-{time.time_ns()}")
    client = Client()
    client.force_login(user)
    return client


def time_requests(client: Client, url: str, runs: int, name: str = "") -> tuple["Row", object]:
    """``runs`` GET requests of ``url`` as a table row (wall and CPU milliseconds, SQL
    query counts), and the last response. A streamed response is read to its end inside
    the timing, as a download would be.

    CPU time is this process's: on SQLite that is nearly all the work of a request, and it
    barely changes when other programs compete for the processor, so it stays comparable
    on a busy machine; on PostgreSQL the database server's work is not in it."""
    timings, cpu, queries = [], [], []
    response = None
    for _ in range(runs):
        with CaptureQueriesContext(connection) as captured:
            started, started_cpu = time.perf_counter(), time.process_time()
            response = client.get(url)
            if response.streaming:
                for _chunk in response.streaming_content:
                    pass
            timings.append((time.perf_counter() - started) * 1000)
            cpu.append((time.process_time() - started_cpu) * 1000)
        assert response.status_code == 200, (url, response.status_code)
        queries.append(len(captured))
    return Row(name or url, timings, queries, cpu=cpu), response


def median(values: list[float]) -> float:
    return statistics.median(values)


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


TARGET_MS = 100  # the median a page or request should stay under (PRODUCT.md, "Fast")


@dataclass
class Row:
    """One line of a results table: a screen or request, its timings (milliseconds) and
    SQL queries per request, and a note (result count, size, …). Pages and API requests
    are held to the ``TARGET_MS`` median (``target``); browser timings and whole-dataset
    exports are not."""

    name: str
    timings: list[float]
    queries: list[int]
    note: str = ""
    target: bool = True
    cpu: list[float] = field(default_factory=list)

    @property
    def median(self) -> float:
        return median(self.timings)

    @property
    def p95(self) -> float:
        return percentile(self.timings, 0.95)


def measure(client: Client, name: str, url: str, runs: int, note: str = "", **row) -> Row:
    """Time ``runs`` GET requests of ``url`` into a table row."""
    result, _ = time_requests(client, url, runs, name)
    return replace(result, note=note, **row)


def _ms(value: float) -> str:
    return f"{value:.1f}" if value < 10 else f"{value:.0f}"


def markdown_table(rows: list[Row]) -> str:
    """The rows as a markdown table; a median over ``TARGET_MS`` is marked ⚠ where the
    target applies."""
    lines = ["| request | median ms | p95 ms | CPU ms (median) | SQL queries | runs | note |",
             "| --- | ---: | ---: | ---: | ---: | ---: | --- |"]  # fmt: skip
    for row in rows:
        miss = " ⚠" if row.target and row.median > TARGET_MS else ""
        cpu = _ms(median(row.cpu)) if row.cpu else ""
        low, high = min(row.queries, default=None), max(row.queries, default=None)
        queries = "" if low is None else str(low) if low == high else f"{low}–{high}"
        lines.append(f"| {row.name} | {_ms(row.median)}{miss} | {_ms(row.p95)} | {cpu} | "
                     f"{queries} | {len(row.timings)} | {row.note} |")  # fmt: skip
    return "\n".join(lines)
