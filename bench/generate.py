"""Fill the benchmark database with a realistic corpus at 100× the seeds.

At ``--scale 1`` (the default): about 500 documents (the five seeds and generated ones
whose lengths are drawn like the seeds', up to 400,000 characters, made of the seeds'
paragraphs and sentences), 100,000 claims (2,000 of them on the largest document, the rest
spread by length, many overlapping), 20,000 links, 30,000 pieces of evidence and 50,000
reviews (some replaced by a later verdict) by 20 reviewers, 20,000 comments on the links
and the inbox items they and the links' states make, with the users in their role
groups. ``--scale 0.1`` makes a tenth of it for quick runs. Everything is derived from
``--seed``: two runs with the same options store the same rows (ids, texts, times).

Rows are stored the way the app's services would store them — texts normalised and
checksummed by ``corpus.text``, spans anchored by ``claims.anchoring``, links in canonical
order, each link's review state computed from its stored reviews and evidence by
``claims.reviewing.link_states`` — but inserted in bulk, without history rows.

    .venv/bin/python bench/generate.py [--scale 1.0] [--seed 1] [--fresh]

Writes to DATABASE_URL, or to a SQLite file in the temporary folder shared by the
benchmarks (see bench/common.py). The database must be a scratch one: ``--fresh`` empties
it first. Generated users sign in with the password ``BENCH_PASSWORD``.
"""

import argparse
import contextlib
import random
import re
import time
import uuid
from collections import defaultdict
from datetime import UTC, datetime, timedelta

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.core.management import call_command
from django.db import transaction
from django.db.models import Count

from common import GENERATED_SQLITE, analyze, build_claims, claim_span, connection, prepare

# isort: split
# The app's modules need Django set up, which importing common does.
from django.contrib.auth.models import Group

from claims.models import (
    Bearing,
    Claim,
    ClaimLink,
    Direction,
    Evidence,
    EvidenceKind,
    Relation,
    Review,
    ReviewState,
    Topic,
    Verdict,
    topic_key,
)
from claims.reviewing import link_states
from corpus.models import Document, Source, SourceKind
from corpus.text import checksum, normalise
from crosscheck.dates import find_dates
from crosscheck.roles import ANNOTATOR, EDITOR, REVIEWER
from discussion.models import Comment, InboxItem, InboxKind
from discussion.services import STATE_KINDS

BENCH_PASSWORD = "bench-password-not-secret"
MAX_DOCUMENT_BYTES = 400_000
# What scale 1.0 means: 100× the five seeds.
DOCUMENTS, CLAIMS, LINKS, EVIDENCE, REVIEWS = 500, 100_000, 20_000, 30_000, 50_000
LARGEST_DOCUMENT_CLAIMS = 2_000
ANNOTATORS, REVIEWERS, EDITORS = 30, 20, 3
REPLACED_SHARE = 0.1  # reviews that a later verdict of the same reviewer replaced
# Everything generated happened in this year, so the rows do not depend on today's date.
TIMELINE_START = datetime(2025, 11, 1, tzinfo=UTC)
TIMELINE_END = datetime(2026, 11, 1, tzinfo=UTC)
BATCH = 1000

TOPICS = [
    "Kirov assassination", "Trotsky's exile", "First Moscow Trial", "Second Moscow Trial",
    "Third Moscow Trial", "Zinoviev", "Kamenev", "Bukharin", "Radek", "Pyatakov", "Rykov",
    "Yagoda", "Yezhov", "Vyshinsky", "NKVD", "confessions", "Dewey Commission",
    "Left Opposition", "Right Opposition", "Trotskyist-Zinovievite Centre",
    "Bloc of Rights and Trotskyites", "Tukhachevsky affair", "Great Purge", "death toll",
    "dates", "numbers of accused", "sources and archives", "Nikolayev", "Leningrad",
    "Comintern", "Fourth International", "Alma Ata", "Prinkipo", "Mexico", "show trials",
    "rehabilitation", "Khrushchev's secret speech", "Soviet constitution", "sabotage",
    "terrorism charges",
]  # fmt: skip
CITATIONS = [
    "J. Arch Getty, Origins of the Great Purges (Cambridge University Press, 1985)",
    "Robert Conquest, The Great Terror: A Reassessment (Oxford University Press, 1990)",
    "Report of Court Proceedings in the Case of the Anti-Soviet Trotskyite Centre (Moscow, 1937)",
    "The Case of Leon Trotsky: Report of Hearings (Harper & Brothers, 1937)",
    "Not Guilty: Report of the Commission of Inquiry (Harper & Brothers, 1938)",
    "Matthew Lenoe, The Kirov Murder and Soviet History (Yale University Press, 2010)",
    "Grover Furr, The Murder of Sergei Kirov (Erythros Press, 2013)",
    "Isaac Deutscher, The Prophet Outcast (Oxford University Press, 1963)",
    "J. Arch Getty and Oleg V. Naumov, The Road to Terror (Yale University Press, 1999)",
    "Pierre Broué, Les procès de Moscou (Julliard, 1964)",
]
URLS = [
    "https://www.marxists.org/archive/trotsky/1934/12/kirov.htm",
    "https://www.marxists.org/archive/trotsky/1937/dewey/index.htm",
    "https://en.wikipedia.org/wiki/Moscow_trials",
    "https://en.wikipedia.org/wiki/Assassination_of_Sergei_Kirov",
    "https://archive.org/details/reportofcourtpro00unio",
    "https://www.wilsoncenter.org/digital-archive",
]
RATIONALES = {
    Relation.CONTRADICTS: [
        "The two accounts give different dates for the same event.",
        "One text says the accused were guilty, the other that the case was fabricated.",
        "The numbers differ: one counts those shot, the other those found guilty.",
        "The texts disagree on who gave the order.",
    ],
    Relation.CORROBORATES: [
        "Both texts name the same people and the same date.",
        "The second source repeats the figure independently.",
        "Both accounts describe the confessions in the same terms.",
    ],
    Relation.QUALIFIES: [
        "Internal exile and expulsion abroad are different events a year apart.",
        "The second text narrows the claim to the Leningrad group only.",
        "The figure is right for the first trial but not for all three.",
    ],
}
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z“\"‘'(])")


@contextlib.contextmanager
def explicit_timestamps(*models):
    """Let bulk inserts store the given ``created_at``/``updated_at`` (and document
    ``imported_at``) instead of now: the generated corpus spreads over a year so the
    queue's order, the date filters and "evidence after a verdict" mean something."""
    fields = [
        field
        for model in models
        for field in model._meta.concrete_fields
        if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False)
    ]
    saved = [(field, field.auto_now, field.auto_now_add) for field in fields]
    for field in fields:
        field.auto_now = field.auto_now_add = False
    try:
        yield
    finally:
        for field, auto_now, auto_now_add in saved:
            field.auto_now, field.auto_now_add = auto_now, auto_now_add


@contextlib.contextmanager
def gin_indexes_deferred():
    """On PostgreSQL, drop the GIN (trigram) indexes for the bulk load and build them again
    after it: one build is far faster than updating a GIN index batch by batch (the
    PostgreSQL manual's "Populating a Database"). Used inside the generation's
    transaction, so a failure leaves them as they were."""
    if connection.vendor != "postgresql":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes "
            "WHERE schemaname = current_schema() AND indexdef LIKE '%% USING gin %%'"
        )
        indexes = cursor.fetchall()
        for name, _ in indexes:
            cursor.execute(f'DROP INDEX "{name}"')
    yield
    started = time.perf_counter()
    with connection.cursor() as cursor:
        # Check the deferred foreign keys now: PostgreSQL builds no index on a table with
        # checks still pending.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        for _, definition in indexes:
            cursor.execute(definition)
    print(f"  GIN indexes rebuilt: {time.perf_counter() - started:.1f} s", flush=True)


class Generator:
    """One generation run: the random stream, the scaled counts and what was made so far."""

    def __init__(self, scale: float, seed: int) -> None:
        self.rng = random.Random(seed)
        self.scale = scale
        self.seed = seed

    def count(self, full: int) -> int:
        return max(1, round(full * self.scale))

    def uuid(self) -> uuid.UUID:
        """Deterministic random UUIDs, so the same seed gives the same public ids."""
        return uuid.UUID(int=self.rng.getrandbits(128), version=4)

    def moment(self, after: datetime) -> datetime:
        """A random time between ``after`` and the end of the timeline, nearer the start."""
        span = (TIMELINE_END - after).total_seconds()
        return after + timedelta(seconds=span * self.rng.random() ** 2)

    # --- Users ---------------------------------------------------------------------------

    def make_users(self) -> None:
        """Annotators, reviewers and editors (staff), all with ``BENCH_PASSWORD``, hashed
        once: hashing is deliberately slow."""
        password = make_password(BENCH_PASSWORD)
        User = get_user_model()
        roles = [(ANNOTATOR, ANNOTATORS), (REVIEWER, REVIEWERS), (EDITOR, EDITORS)]
        users = [
            User(username=f"gen-{role}-{number:02d}", password=password, is_staff=role == EDITOR,
                 date_joined=TIMELINE_START)
            for role, count in roles
            for number in range(1, count + 1)
        ]  # fmt: skip
        User.objects.bulk_create(users, batch_size=BATCH)
        users = {user.username: user for user in User.objects.filter(username__startswith="gen-")}
        groups = {group.name: group for group in Group.objects.filter(name__in=dict(roles))}
        memberships = [
            User.groups.through(user_id=user.pk, group_id=groups[name.split("-")[1]].pk)
            for name, user in users.items()
        ]
        User.groups.through.objects.bulk_create(memberships, batch_size=BATCH)
        by_role = defaultdict(list)
        for name, user in sorted(users.items()):
            by_role[name.split("-")[1]].append(user)
        self.annotators = by_role[ANNOTATOR] + by_role[EDITOR]
        self.reviewers = by_role[REVIEWER]

    # --- Sources and documents -----------------------------------------------------------

    def make_documents(self) -> None:
        """Documents beside the seeds until there are ``DOCUMENTS`` × scale, five to a
        source, each a different sample of the seeds' paragraphs (checksums unique)."""
        seeds = list(Document.objects.order_by("pk"))
        paragraphs = [p for seed in seeds for p in re.split(r"\n\s*\n", seed.text) if p.strip()]
        sentences = [s for p in paragraphs for s in _SENTENCE_END.split(p.strip()) if s]
        lengths = [len(seed.text.encode()) for seed in seeds]
        checksums = {seed.checksum for seed in seeds}
        wanted = max(0, self.count(DOCUMENTS) - len(seeds))
        kinds = SourceKind.values
        sources = [
            Source(name=f"Generated source {number:03d}", slug=f"generated-{number:03d}",
                   kind=self.rng.choice(kinds), date=str(self.rng.randint(1934, 2024)),
                   notes="Generated by bench/generate.py from the seed texts.")
            for number in range(max(1, -(-wanted // 5)))
        ]  # fmt: skip
        Source.objects.bulk_create(sources, batch_size=BATCH)
        documents = []
        for number in range(wanted):
            factor = 2 ** self.rng.uniform(-1, 1)
            target = min(MAX_DOCUMENT_BYTES, int(self.rng.choice(lengths) * factor))
            text = self.compose(paragraphs, sentences, target)
            if checksum(text) in checksums:
                text = self.compose(paragraphs, sentences, target)  # a repeat is vanishingly rare
            checksums.add(checksum(text))
            words = text.split(maxsplit=8)[:8]
            documents.append(
                Document(
                    source=sources[number // 5], title=f"{number:03d}: {' '.join(words)}…"[:200],
                    text=text, checksum=checksum(text), original_filename=f"gen-{number:03d}.txt",
                    imported_at=self.moment(TIMELINE_START) - timedelta(days=30),
                )
            )  # fmt: skip
        with explicit_timestamps(Document):
            Document.objects.bulk_create(documents, batch_size=20)
        # The seeds were loaded at today's date; put them at the start of the timeline too.
        Document.objects.filter(pk__in=[seed.pk for seed in seeds]).update(
            imported_at=TIMELINE_START - timedelta(days=30)
        )
        self.documents = list(Document.objects.order_by("pk"))

    def compose(self, paragraphs: list[str], sentences: list[str], target: int) -> str:
        """At most ``target`` bytes of UTF-8 text (at least one paragraph): mostly whole
        paragraphs of the seeds, some made of sentences from anywhere in them; normalised
        like an import."""
        parts, size = [], 0
        while size < target:
            if self.rng.random() < 0.7:
                part = self.rng.choice(paragraphs).strip()
            else:
                part = " ".join(self.rng.sample(sentences, self.rng.randint(2, 6))).strip()
            part_size = len(part.encode()) + 2
            if parts and size + part_size > target:
                break
            parts.append(part)
            size += part_size
        return normalise("\n\n".join(parts))

    # --- Claims and topics ---------------------------------------------------------------

    def make_claims(self) -> None:
        """``LARGEST_DOCUMENT_CLAIMS`` claims on the largest document (the annotation page
        benchmark's case), the rest spread over all documents by length."""
        total = self.count(CLAIMS)
        largest = max(self.documents, key=lambda document: len(document.text))
        on_largest = min(LARGEST_DOCUMENT_CLAIMS, total // 2)
        others = [document for document in self.documents if document is not largest]
        size = sum(len(document.text) for document in others)
        counts = {document.pk: (total - on_largest) * len(document.text) // size
                  for document in others}  # fmt: skip
        for document in self.rng.sample(others, total - on_largest - sum(counts.values())):
            counts[document.pk] += 1
        counts[largest.pk] = on_largest

        self.topics = [Topic(name=name, key=topic_key(name)) for name in TOPICS]
        Topic.objects.bulk_create(self.topics)
        self.claims = []  # (pk, document_id, created_at) of every claim
        tagged = []
        for document in self.documents:
            claims = build_claims(document, counts[document.pk], self.rng, self.annotators)
            for claim in claims:
                claim.public_id = self.uuid()
                claim.created_at = claim.updated_at = self.moment(document.imported_at)
            with explicit_timestamps(Claim):
                Claim.objects.bulk_create(claims, batch_size=BATCH)
            for claim in claims:
                self.claims.append((claim.pk, claim.document_id, claim.created_at))
                if self.rng.random() < 0.4:
                    for topic in self.rng.sample(self.topics, self.rng.randint(1, 3)):
                        tagged.append(Claim.topics.through(claim=claim, topic=topic))
        Claim.topics.through.objects.bulk_create(tagged, batch_size=5 * BATCH)

    # --- Links, reviews, evidence --------------------------------------------------------

    def make_links(self) -> None:
        """Pairs of claims of different documents, each once, the smaller id on the left."""
        wanted = self.count(LINKS)
        by_pk = {pk: (document, created) for pk, document, created in self.claims}
        links, seen = [], set()
        weights = [45, 35, 20]  # contradicts, corroborates, qualifies
        while len(links) < wanted:
            (one, one_doc, _), (two, two_doc, _) = self.rng.sample(self.claims, 2)
            left, right = min(one, two), max(one, two)
            if one_doc == two_doc or (left, right) in seen:
                continue
            seen.add((left, right))
            relation = self.rng.choices(Relation.values, weights)[0]
            created = self.moment(max(by_pk[left][1], by_pk[right][1]))
            # Either way round, without a draw that would change the rest of the data.
            direction = (
                Direction.NONE
                if relation != Relation.QUALIFIES
                else (Direction.LEFT_QUALIFIES_RIGHT, Direction.RIGHT_QUALIFIES_LEFT)[left % 2]
            )
            links.append(
                ClaimLink(
                    public_id=self.uuid(), left_id=left, right_id=right, relation=relation,
                    direction=direction,
                    rationale=self.rng.choice(RATIONALES[relation]),
                    created_by=self.rng.choice(self.annotators), created_at=created,
                    updated_at=created,
                )
            )  # fmt: skip
        with explicit_timestamps(ClaimLink):
            ClaimLink.objects.bulk_create(links, batch_size=BATCH)
        self.links = [(link.pk, link.created_at) for link in links]

    def make_reviews(self) -> None:
        """Current verdicts on about three links in four, one to five reviewers each, who
        mostly agree on a link; then earlier verdicts of the same reviewers that those
        replaced (``is_current`` False, ``replaced_at`` the later verdict's time)."""
        total = self.count(REVIEWS)
        replaced = round(total * REPLACED_SHARE)
        assert total - replaced <= len(self.links) * len(self.reviewers), "too few links"
        created = dict(self.links)
        likely = {link_id: self.rng.choices(Verdict.values, [55, 30, 15])[0]
                  for link_id, _ in self.links}  # fmt: skip
        order = [link_id for link_id, _ in self.rng.sample(self.links, len(self.links))]
        current: list[Review] = []
        taken = set()
        while len(current) < total - replaced:  # a second round when the first falls short
            for link_id in order:
                if len(current) >= total - replaced:
                    break
                if self.rng.random() < 0.25:
                    continue
                for reviewer in self.rng.sample(self.reviewers, self.rng.randint(1, 5)):
                    if (link_id, reviewer.pk) in taken:
                        continue
                    taken.add((link_id, reviewer.pk))
                    agree = self.rng.random() < 0.75
                    verdict = likely[link_id] if agree else self.rng.choice(Verdict.values)
                    current.append(self.review(link_id, reviewer, verdict,
                                               self.moment(created[link_id])))  # fmt: skip
        current = current[: total - replaced]
        earlier = []
        for later in self.rng.sample(current, replaced):
            given = created[later.link_id] + (later.created_at - created[later.link_id]) / 2
            review = self.review(later.link_id, later.reviewer, self.rng.choice(Verdict.values),
                                 given)  # fmt: skip
            review.is_current, review.replaced_at = False, later.created_at
            earlier.append(review)
        with explicit_timestamps(Review):
            Review.objects.bulk_create(earlier + current, batch_size=BATCH)

    def review(self, link_id: int, reviewer, verdict: str, given: datetime) -> Review:
        note = "" if self.rng.random() < 0.6 else "Checked both passages against the sources."
        return Review(public_id=self.uuid(), link_id=link_id, reviewer=reviewer, verdict=verdict,
                      note=note, created_at=given)  # fmt: skip

    def make_evidence(self) -> None:
        """Citations, web addresses, quoted passages and anchored passages of stored
        documents, on claims (60 %) and links (40 %), added after what they are on."""
        wanted = self.count(EVIDENCE)
        kinds = [EvidenceKind.CITATION, EvidenceKind.URL, EvidenceKind.QUOTE, EvidenceKind.PASSAGE]
        items = []
        while len(items) < wanted:
            if self.rng.random() < 0.6:
                claim_id, _, after = self.rng.choice(self.claims)
                target = {"claim_id": claim_id}
            else:
                link_id, after = self.rng.choice(self.links)
                target = {"link_id": link_id}
            kind = self.rng.choices(kinds, [35, 25, 20, 20])[0]
            fields = {}
            if kind == EvidenceKind.CITATION:
                fields["citation"] = f"{self.rng.choice(CITATIONS)}, p. {self.rng.randint(3, 600)}"
            elif kind == EvidenceKind.URL:
                fields["url"] = f"{self.rng.choice(URLS)}#p{self.rng.randint(1, 200)}"
            else:
                document = self.rng.choice(self.documents)
                anchored = claim_span(document.text, self.rng)
                if anchored is None:
                    continue
                if kind == EvidenceKind.QUOTE:
                    fields["quote"] = anchored["quote"]
                else:
                    fields = anchored | {"document": document}
            created = self.moment(after)
            items.append(
                Evidence(
                    public_id=self.uuid(), kind=kind, bearing=self.rng.choice(Bearing.values),
                    created_by=self.rng.choice(self.annotators), created_at=created,
                    updated_at=created, **target, **fields,
                )
            )  # fmt: skip
        with explicit_timestamps(Evidence):
            Evidence.objects.bulk_create(items, batch_size=BATCH)


def review_states_refresh() -> None:
    """Every link's review state from its stored current verdicts and evidence, as the
    app computes it (``claims.reviewing.link_states``, which its services use too),
    written with one update per state and chunk of ids."""
    by_state = defaultdict(list)
    for pk, state in link_states().items():
        by_state[state].append(pk)
    for state, ids in by_state.items():
        for start in range(0, len(ids), 900):
            ClaimLink.objects.filter(pk__in=ids[start : start + 900]).update(review_state=state)


# The discussion at scale 1: comments on the links, by anyone; a tenth mention someone.
COMMENTS = 20_000
COMMENT_TEXTS = [
    "Which of the two dates does the archive support?",
    "The second source repeats the first one; is it independent?",
    "I checked the page reference: it says the opposite.",
    "Agreed, but the rationale should say which edition is quoted.",
    "Could someone add the court record as evidence?",
    "This looks like a translation difference rather than a contradiction.",
]
READ_SHARE = 0.7  # inbox items already read


def discussion_generate(scale: float, seed: int) -> None:
    """Comments on random links (oldest first on each), and the inbox items that
    ``discussion.services`` would have written for them and for the links' states: each
    comment tells the link's proposer, its reviewers and earlier commenters, or mentions
    someone; a link that needs evidence, was rejected or is disputed tells its proposer.
    Seven items in ten are read. Its own random stream, so a corpus generated before this
    step existed gains the same rows (``discussion_ensure``)."""
    rng = random.Random(seed * 7919 + 13)

    def make_uuid() -> uuid.UUID:
        return uuid.UUID(int=rng.getrandbits(128), version=4)

    User = get_user_model()
    people = list(User.objects.filter(username__startswith="gen-").order_by("username"))
    names = {user.pk: user.username for user in people}
    links = list(ClaimLink.objects.order_by("pk").values_list(
        "pk", "created_by_id", "created_at", "review_state"))  # fmt: skip
    reviewers: dict[int, set[int]] = defaultdict(set)
    latest_review: dict[int, tuple[datetime, int]] = {}
    for link_id, reviewer, given in Review.objects.values_list("link_id", "reviewer_id",
                                                               "created_at"):  # fmt: skip
        reviewers[link_id].add(reviewer)
        latest_review[link_id] = max(latest_review.get(link_id, (given, reviewer)),
                                     (given, reviewer))  # fmt: skip
    comments = []
    for _ in range(max(1, round(COMMENTS * scale))):
        link_id, _, created, _ = rng.choice(links)
        author = rng.choice(people)
        text = rng.choice(COMMENT_TEXTS)
        if rng.random() < 0.1:
            text = f"@{names[rng.choice(people).pk]} {text}"
        when = created + timedelta(seconds=(TIMELINE_END - created).total_seconds()
                                   * rng.random() ** 2)  # fmt: skip
        comments.append(Comment(public_id=make_uuid(), link_id=link_id, text=text,
                                created_by=author, created_at=when, updated_at=when))  # fmt: skip
    comments.sort(key=lambda comment: (comment.created_at, comment.public_id))
    with explicit_timestamps(Comment):
        Comment.objects.bulk_create(comments, batch_size=BATCH)
    by_name = {name: pk for pk, name in names.items()}
    proposer = {link_id: author for link_id, author, _, _ in links}
    commenters: dict[int, set[int]] = defaultdict(set)
    items = []

    def item(recipient: int, kind: str, link_id: int, actor: int, when, comment=None):
        read = when + timedelta(hours=rng.randint(1, 72)) if rng.random() < READ_SHARE else None
        items.append(InboxItem(public_id=make_uuid(), recipient_id=recipient, kind=kind,
                               link_id=link_id, comment=comment, actor_id=actor,
                               created_at=when, read_at=read))  # fmt: skip

    for comment in comments:
        author, link_id = comment.created_by_id, comment.link_id
        mentioned = {by_name[word[1:]] for word in comment.text.split() if word[1:] in by_name}
        followers = {proposer[link_id], *reviewers[link_id], *commenters[link_id]}
        for recipient in sorted(mentioned - {author}):
            item(recipient, InboxKind.MENTION, link_id, author, comment.created_at, comment)
        for recipient in sorted(followers - mentioned - {author}):
            item(recipient, InboxKind.COMMENT, link_id, author, comment.created_at, comment)
        commenters[link_id].add(author)
    for link_id, author, _, state in links:
        if state in STATE_KINDS and link_id in latest_review:
            given, reviewer = latest_review[link_id]
            item(author, STATE_KINDS[state], link_id, reviewer, given)
    with explicit_timestamps(InboxItem):
        InboxItem.objects.bulk_create(items, batch_size=BATCH)


# Event dates at scale 1: 1,700 claims chosen at random, and both claims of 150 links (the
# second of each pair, half the time, a year later: a date conflict), about 2,000 in all.
DATED_CLAIMS, DATED_LINKS = 1_700, 150


def _event_date(rng: random.Random, quote: str) -> dict:
    """A claim's event date: the first date its quote names, else a date of the years the
    seeds speak of, as precise as a source would be (a year, a month or a day; "about" one
    time in ten)."""
    found = find_dates(quote)
    if found:
        first = found[0]
        return {"event_year": first.year, "event_month": first.month, "event_day": first.day,
                "event_approximate": first.approximate}  # fmt: skip
    year, month, day = rng.randint(1917, 1940), None, None
    precision = rng.random()
    if precision < 0.4:
        month = rng.randint(1, 12)
        if precision < 0.15:
            day = rng.randint(1, 28)
    return {"event_year": year, "event_month": month, "event_day": day,
            "event_approximate": rng.random() < 0.1}  # fmt: skip


def dates_generate(scale: float, seed: int) -> None:
    """Event dates for a share of the claims (``DATED_CLAIMS``) and for both claims of some
    links (``DATED_LINKS``), written with ``bulk_update``. Its own random stream, so a
    corpus generated before this step existed gains the same dates (``dates_ensure``)."""
    rng = random.Random(f"dates-{seed}")
    claim_ids = list(Claim.objects.order_by("pk").values_list("pk", flat=True))
    chosen = dict.fromkeys(rng.sample(claim_ids, min(len(claim_ids), round(DATED_CLAIMS * scale))))
    links = list(ClaimLink.objects.order_by("pk").values_list("left_id", "right_id"))
    pairs = rng.sample(links, min(len(links), max(1, round(DATED_LINKS * scale))))
    quotes = dict(Claim.objects.filter(pk__in=[*chosen, *(p for pair in pairs for p in pair)])
                  .values_list("pk", "quote"))  # fmt: skip
    dates = {pk: _event_date(rng, quotes[pk]) for pk in chosen}
    for left, right in pairs:
        dates[left] = _event_date(rng, quotes[left])
        later = rng.random() < 0.5 and dates[left]["event_year"] < 2100
        dates[right] = dict(dates[left], event_year=dates[left]["event_year"] + later)
        if later:  # a year later: a day of the month may not exist then (29 February)
            day = dates[left]["event_day"]
            dates[right]["event_day"] = None if day is None else min(day, 28)
    claims = [Claim(pk=pk, **fields) for pk, fields in dates.items()]
    fields = ["event_year", "event_month", "event_day", "event_approximate"]
    Claim.objects.bulk_update(claims, fields, batch_size=BATCH)


def dates_ensure(scale: float, seed: int) -> None:
    """Add the event dates to a corpus generated before ``dates_generate`` existed."""
    if Claim.objects.filter(event_year__isnull=False).exists():
        return
    started = time.perf_counter()
    with transaction.atomic():
        dates_generate(scale, seed)
    analyze()
    print(f"  event dates added: {time.perf_counter() - started:.1f} s", flush=True)


def discussion_ensure(scale: float, seed: int) -> None:
    """Add the discussion to a corpus generated before ``discussion_generate`` existed."""
    if Comment.objects.exists():
        return
    started = time.perf_counter()
    with transaction.atomic():
        discussion_generate(scale, seed)
    analyze()
    print(f"  discussion added: {time.perf_counter() - started:.1f} s", flush=True)


def marker(scale: float, seed: int) -> str:
    """What the first generated source's notes say once generation has finished."""
    return f"Generated by bench/generate.py --scale {scale:g} --seed {seed}; complete."


def is_generated(scale: float, seed: int) -> bool:
    return Source.objects.filter(slug="generated-000", notes=marker(scale, seed)).exists()


def generate(scale: float = 1.0, seed: int = 1) -> None:
    """Generate the corpus into the (migrated, seeded, otherwise empty) database, in one
    transaction (one commit instead of one per batch), printing each step's time."""
    generator = Generator(scale, seed)
    steps = [
        ("users", generator.make_users),
        ("documents", generator.make_documents),
        ("claims", generator.make_claims),
        ("links", generator.make_links),
        ("reviews", generator.make_reviews),
        ("evidence", generator.make_evidence),
        ("review states", review_states_refresh),
        ("discussion", lambda: discussion_generate(scale, seed)),
        ("event dates", lambda: dates_generate(scale, seed)),
    ]
    with transaction.atomic(), gin_indexes_deferred():
        for name, step in steps:
            started = time.perf_counter()
            step()
            print(f"  {name}: {time.perf_counter() - started:.1f} s", flush=True)
        Source.objects.filter(slug="generated-000").update(notes=marker(scale, seed))
    analyze()


def ensure(scale: float = 1.0, seed: int = 1, *, fresh: bool = False) -> bool:
    """Make the database hold the generated corpus of ``scale`` and ``seed``: reuse it when
    it does, generate it into an empty one. Returns True when it generated.

    A database holding anything else is refused unless ``fresh`` (then it is emptied) or
    it is the benchmarks' own SQLite file (``common.GENERATED_SQLITE``)."""
    prepare()
    if not fresh and is_generated(scale, seed):
        discussion_ensure(scale, seed)
        dates_ensure(scale, seed)
        return False
    if Claim.objects.exists() or Source.objects.filter(slug="generated-000").exists():
        if not fresh and str(connection.settings_dict["NAME"]) != str(GENERATED_SQLITE):
            raise SystemExit(
                f"The database ({connection.settings_dict['NAME']}) already holds other data "
                "than this corpus. Pass --fresh to empty it, or point DATABASE_URL elsewhere."
            )
        call_command("flush", interactive=False, verbosity=0)
        prepare()
    generate(scale, seed)
    return True


def add_options(parser: argparse.ArgumentParser, *, optional: bool = False) -> None:
    """The corpus options, shared by the benchmarks; with ``optional``, also
    ``--generated``, which makes a benchmark use this corpus instead of its own data."""
    if optional:
        parser.add_argument("--generated", action="store_true",
                            help="measure on the corpus of bench/generate.py")  # fmt: skip
    parser.add_argument("--scale", type=float, default=1.0, help="1.0 is 100× the seeds")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--fresh", action="store_true", help="empty the database first")


def ensure_from(args: argparse.Namespace) -> None:
    """``ensure`` with the options of ``add_options``, saying what it did."""
    started = time.perf_counter()
    generated = ensure(args.scale, args.seed, fresh=args.fresh)
    what = "generated" if generated else "reused"
    elapsed = time.perf_counter() - started
    print(f"Corpus at scale {args.scale:g}, seed {args.seed} ({connection.vendor}, "
          f"{connection.settings_dict['NAME']}): {what} in {elapsed:.0f} s")  # fmt: skip


def counts() -> dict[str, int]:
    User = get_user_model()
    return {
        "sources": Source.objects.count(),
        "documents": Document.objects.count(),
        "claims": Claim.objects.count(),
        "claim topics": Claim.topics.through.objects.count(),
        "links": ClaimLink.objects.count(),
        "evidence": Evidence.objects.count(),
        "reviews": Review.objects.count(),
        "dated claims": Claim.objects.filter(event_year__isnull=False).count(),
        "current reviews": Review.objects.current().count(),
        "comments": Comment.objects.count(),
        "inbox items": InboxItem.objects.count(),
        "unread inbox items": InboxItem.objects.filter(read_at__isnull=True).count(),
        "users": User.objects.count(),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_options(parser)
    ensure_from(parser.parse_args())
    for name, number in counts().items():
        print(f"  {name:>16}: {number:,}")
    states = dict(ClaimLink.objects.values_list("review_state").annotate(n=Count("pk")))
    print("  link states: " + ", ".join(f"{s} {states.get(s, 0):,}" for s in ReviewState.values))


if __name__ == "__main__":
    main()
