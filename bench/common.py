"""What every benchmark shares: Django set up on a throwaway database, seeds, users,
generated claims, timing statistics. Import this module before anything from the app."""

import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("SECRET_KEY", "benchmark-only-key-" + "x" * 40)
os.environ.setdefault("HTTPS", "0")
os.environ.setdefault("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "crosscheck.settings")
if "DATABASE_URL" not in os.environ:
    os.environ["DATABASE_URL"] = f"sqlite:///{tempfile.mkdtemp()}/bench.sqlite3"

import warnings  # noqa: E402

import django  # noqa: E402

# WhiteNoise warns that collectstatic has not run; benchmarks serve static files from the
# apps (annotation_page.py) and need no collected copy.
warnings.filterwarnings("ignore", message="No directory at")
django.setup()

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
    search_key,
)
from corpus.models import Document  # noqa: E402
from corpus.seeds import load_seeds  # noqa: E402
from tests.factories import make_user  # noqa: E402


def prepare() -> None:
    """Migrate the benchmark database and load the seed corpus."""
    call_command("migrate", verbosity=0)
    load_seeds()


def make_claims(document: Document, count: int, *, seed: int = 1, users=None) -> None:
    """``count`` claims of sentence-like length at random places of ``document``, many
    overlapping, anchored exactly as the service anchors them, inserted in bulk."""
    rng = random.Random(seed)
    text = document.text
    users = users or [make_user("annotator", username=f"bench-{seed}-{i}") for i in range(5)]
    claims, seen = [], set()
    while len(claims) < count:
        start = rng.randrange(0, max(1, len(text) - 400))
        end = min(len(text), start + rng.randint(20, 300))
        user = rng.choice(users)
        try:
            anchored = anchor(text, start, end, text[start:end])
        except ValueError:
            continue
        key = (anchored["start"], anchored["end"], user.pk)
        if key in seen:
            continue
        seen.add(key)
        words = anchored["quote"].split()
        statement = " ".join(rng.sample(words, min(len(words), 8))) or "statement"
        claims.append(
            Claim(
                document=document,
                statement=statement,
                created_by=user,
                search_text=search_key(statement, anchored["quote"]),
                **anchored,
            )
        )
    Claim.objects.bulk_create(claims, batch_size=1000)


def analyze() -> None:
    """Refresh the planner's statistics after a bulk load, as autovacuum would in time."""
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def signed_in_client(role: str = "reviewer") -> Client:
    client = Client()
    client.force_login(make_user(role, username=f"bench-{role}-{time.time_ns()}"))
    return client


def time_requests(client: Client, url: str, runs: int) -> tuple[list[float], list[int], object]:
    """Milliseconds and SQL query counts of ``runs`` GET requests, and the last response."""
    timings, queries = [], []
    response = None
    for _ in range(runs):
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            response = client.get(url)
            timings.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, (url, response.status_code)
        queries.append(len(captured))
    return timings, queries, response


def median(values: list[float]) -> float:
    return statistics.median(values)


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]
