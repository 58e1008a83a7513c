"""Benchmark: the preview (plan) of an annotation import onto the 390 KB seed
(``interchange.importing.import_plan``), for files of ``--sizes`` annotations.

Each file is a W3C list of claim annotations on ``seeds/004_*.txt`` (passages of 20–300
characters from word to word), a mix of what other tools export:

* a quarter at the position they give (found there, no search);
* a quarter at a wrong position or none, their quote unique or repeated (found by it);
* a quarter with quotes straightened and white space reflowed (found once normalised);
* an eighth with a letter changed (found approximately: moved or held back);
* an eighth not in the text (refused).

Printed per size: the plan's time (fastest of ``--repeat``), its rows per second, its SQL
queries and the rows by outcome; then the preview page of that file once a job has kept
its plan (``upload_preview``), fastest of ``--repeat``.

    .venv/bin/python bench/interchange_import.py [--sizes 100 1000 5000] [--repeat 3]"""

import argparse
import json
import random
import time
from collections import Counter

from common import (
    ROOT,
    CaptureQueriesContext,
    Document,
    claim_span,
    connection,
    make_user,
    prepare,
    signed_in_client,
)

STRAIGHT = str.maketrans({"“": '"', "”": '"', "‘": "'", "’": "'", "\n": " "})


def annotation(text: str, number: int, rng: random.Random) -> dict:
    span = None
    while span is None:
        span = claim_span(text, rng)
    start, end, quote = span["start"], span["end"], span["quote"]
    position: dict | None = {"type": "TextPositionSelector", "start": start, "end": end}
    kind = number % 8
    if kind in (2, 3):  # a wrong position, or none
        position = None if kind == 3 else {**position, "start": start + 7, "end": end + 7}
    elif kind in (4, 5):
        quote = quote.translate(STRAIGHT)
    elif kind == 6:
        at = rng.randrange(len(quote))
        quote = quote[:at] + ("x" if quote[at] != "x" else "y") + quote[at + 1 :]
    elif kind == 7:
        quote = "".join(rng.sample(quote, len(quote)))
    selectors = [
        {"type": "TextQuoteSelector", "exact": quote,
         "prefix": text[max(0, start - 32) : start], "suffix": text[end : end + 32]},
    ]  # fmt: skip
    if position is not None:
        selectors.insert(0, position)
    return {
        "id": f"urn:bench:{number}",
        "type": "Annotation",
        "motivation": "describing",
        "body": [{"type": "TextualBody", "purpose": "describing", "value": f"Claim {number}."}],
        "target": {"source": "urn:bench:doc", "selector": selectors},
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 1000, 5000])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    # Once Django is set up (common):
    from django.urls import reverse

    from interchange.importing import import_plan, upload_create, upload_preview

    prepare()
    manifest = json.loads((ROOT / "seeds" / "manifest.json").read_text(encoding="utf-8"))
    title = next(e["title"] for e in manifest["documents"] if e["file"].startswith("004_"))
    document = Document.objects.get(title=title)
    user = make_user("annotator", username="bench-importer")
    client = signed_in_client(username="bench-importer")
    rng = random.Random(args.seed)
    print(f"Import preview onto “{title}” ({len(document.text):,} characters)")
    for size in args.sizes:
        data = json.dumps([annotation(document.text, n, rng) for n in range(size)]).encode()
        timings = []
        for _ in range(args.repeat):
            with CaptureQueriesContext(connection) as queries:
                began = time.perf_counter()
                plan = import_plan(document=document, data=data, user=user)
                timings.append(time.perf_counter() - began)
        best = min(timings)
        outcomes = Counter(row.action for row in plan.rows)
        print(f"  {size:>6,} annotations ({len(data) / 1e6:.1f} MB): {best * 1000:,.0f} ms, "
              f"{size / best:,.0f} rows/s, {len(queries)} queries — {dict(outcomes)}")  # fmt: skip
        upload = upload_create(document=document, data=data, filename="a.json", user=user)
        upload_preview(upload_id=upload.pk, user=user)
        url = reverse("interchange:import-preview", args=[document.pk, upload.public_id])
        pages = []
        for _ in range(args.repeat):
            began = time.perf_counter()
            response = client.get(url)
            pages.append(time.perf_counter() - began)
        assert response.status_code == 200 and b"Annotation by annotation" in response.content
        print(f"          its preview page from the kept plan: {min(pages) * 1000:,.0f} ms, "
              f"{len(response.content) / 1e6:.1f} MB")  # fmt: skip


if __name__ == "__main__":
    main()
