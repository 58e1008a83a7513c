"""Benchmark: the contradiction map (/compare/) and a topic's sources side by side
(/compare/topics/<topic>/) on the corpus of bench/generate.py.

At scale 1 (100× the seeds): about 100 sources, 100,000 claims, 20,000 links. Measures the
server (median and 95th percentile time, SQL queries): the whole map, confirmed only, all
relations, one topic, a range of event years, the CSV and SVG downloads; the topic page of
the most used topic, and with eight sources chosen.

    .venv/bin/python bench/compare.py [--scale 1.0] [--runs 20]

The corpus is generated first if needed (SQLite in the benchmarks' temporary folder, or
DATABASE_URL: use a scratch database).
"""

import argparse
import os
from urllib.parse import urlencode

import generate
from django.db.models import Count
from django.urls import reverse

from common import ClaimLink, connection, markdown_table, measure, signed_in_client

# isort: split
# The app's modules need Django set up, which importing common does.
from claims.models import Claim, Topic


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20)
    generate.add_options(parser)
    args = parser.parse_args()
    generate.ensure_from(args)
    client = signed_in_client("reviewer")
    url = reverse("comparison:map")
    topic = Topic.objects.annotate(n=Count("claims")).order_by("-n", "pk").first()
    assert topic is not None
    tagged = Claim.topics.through.objects.filter(topic=topic).count()
    sources = list(
        Claim.objects.filter(topics=topic)
        .values_list("document__source_id", flat=True)
        .annotate(n=Count("pk"))
        .order_by("-n")[:8]
    )
    topic_url = reverse("comparison:topic", args=[topic.name])
    note = f"{ClaimLink.objects.count():,} links"
    rows = [
        measure(client, "map: contradicts, all states", url, args.runs, note),
        measure(client, "map: confirmed only", f"{url}?state=confirmed", args.runs),
        measure(client, "map: all relations", f"{url}?relation=", args.runs),
        measure(client, "map: one topic", f"{url}?topic={topic.pk}", args.runs, topic.name),
        measure(
            client,
            "map: event years 1930–1940",
            f"{url}?event_year_min=1930&event_year_max=1940",
            args.runs,
        ),  # fmt: skip
        measure(client, "map: CSV download", reverse("comparison:map-csv"), args.runs),
        measure(client, "map: SVG download", reverse("comparison:map-svg"), args.runs),
        measure(
            client,
            "topic page: 4 sources with most claims",
            topic_url,
            args.runs,
            f"{topic.name}: {tagged:,} claims",
        ),  # fmt: skip
        measure(
            client,
            "topic page: 8 sources chosen",
            f"{topic_url}?{urlencode({'source': sources}, doseq=True)}",
            args.runs,
        ),  # fmt: skip
    ]
    # Wall times depend on what else runs: the CPU column and the load average say how much.
    load = ", ".join(f"{n:.1f}" for n in os.getloadavg())
    print(f"\n{connection.vendor}, scale {args.scale:g}, load average {load}:\n")
    print(markdown_table(rows))


if __name__ == "__main__":
    main()
