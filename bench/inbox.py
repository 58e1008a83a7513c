"""Benchmark: the inbox, its unread count in the navigation and the discussion on the claim
pair page, at 100× the seeds.

On the corpus of bench/generate.py (20,000 comments at scale 1 and the inbox items they and
the links' states make; added to a corpus generated before they existed), times for the
person with the most inbox items: the inbox (unread, all, a later page), a plain page
that only adds the unread count (the sources list), and the pair page with the longest
discussion: median and 95th percentile server time and SQL queries per request.

    .venv/bin/python bench/inbox.py [--scale 1.0] [--runs 20]
    DATABASE_URL=postgres://… .venv/bin/python bench/inbox.py

Uses the benchmarks' generated SQLite file unless DATABASE_URL is set.
"""

import argparse

import generate
from django.db.models import Count

from common import ClaimLink, Row, connection, markdown_table, measure, signed_in_client

# isort: split
from discussion.models import Comment, InboxItem


def busiest() -> tuple[str, int, int]:
    """The username with the most inbox items, their number and how many are unread."""
    recipient = (
        InboxItem.objects.values("recipient__username")
        .annotate(items=Count("pk"))
        .order_by("-items", "recipient__username")
        .first()
    )
    name = recipient["recipient__username"]
    unread = InboxItem.objects.filter(recipient__username=name, read_at__isnull=True).count()
    return name, recipient["items"], unread


def measure_inbox(runs: int) -> list[Row]:
    name, items, unread = busiest()
    client = signed_in_client(username=name)
    talked = (
        Comment.objects.values("link_id").annotate(n=Count("pk")).order_by("-n", "link_id").first()
    )
    link = ClaimLink.objects.get(pk=talked["link_id"])
    pages = [
        (f"inbox, unread ({unread:,} of {items:,} items)", "/inbox/"),
        ("inbox, all, first page", "/inbox/?show=all"),
        ("inbox, all, page 20", "/inbox/?show=all&page=20"),
        ("sources list with the unread count", "/corpus/sources/"),
        (f"claim pair page, {talked['n']} comments", link.get_absolute_url()),
    ]
    return [measure(client, title, url, runs, note=name) for title, url in pages]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20)
    generate.add_options(parser)
    args = parser.parse_args()
    generate.ensure_from(args)
    print(f"Inbox with {InboxItem.objects.count():,} items, {Comment.objects.count():,} "
          f"comments ({connection.vendor})")  # fmt: skip
    print(markdown_table(measure_inbox(args.runs)))


if __name__ == "__main__":
    main()
