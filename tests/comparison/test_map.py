"""The contradiction map (/compare/): its counts (comparison.matrix), the view's filters,
its cells leading to exactly their pairs in the pair browser, the CSV and SVG downloads, and
a number of queries that does not grow with the links."""

import csv
import io

import pytest
from django.db import connection
from django.db.models import Count
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from claims.models import Topic
from claims.services import claim_date_set
from comparison.matrix import (
    LEVELS,
    MapFilters,
    SourceHead,
    build_map,
    colours,
    contradiction_map,
    contrast,
    document_counts,
    level,
    level_range,
    map_links,
    pair_counts,
)
from tests.factories import (
    make_claim,
    make_document,
    make_link,
    make_review,
    make_source,
    make_user,
)

pytestmark = pytest.mark.django_db


# --- Pure parts ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("rows", "expected"),
    [
        ([], {}),
        ([(1, 2, "contradicts", 3)],
         {(1, 2): {"contradicts": 3, "corroborates": 0, "qualifies": 0}}),
        # The pair is unordered: 2-1 adds to 1-2.
        ([(1, 2, "contradicts", 3), (2, 1, "contradicts", 2), (2, 1, "qualifies", 1)],
         {(1, 2): {"contradicts": 5, "corroborates": 0, "qualifies": 1}}),
        # One source with itself (two of its documents).
        ([(4, 4, "corroborates", 7)],
         {(4, 4): {"contradicts": 0, "corroborates": 7, "qualifies": 0}}),
    ],
)  # fmt: skip
def test_pair_counts_add_the_links_of_each_unordered_pair(rows, expected):
    assert pair_counts(rows) == expected


@pytest.mark.parametrize(
    ("count", "most", "expected"),
    [
        (0, 10, 0),
        (1, 1, LEVELS),
        (1, 100, 1),
        (100, 100, LEVELS),
        (25, 100, 3),
        (0, 0, 0),
        (5, 0, 0),
    ],
)
def test_the_colour_level_grows_with_the_square_root_of_the_share(count, most, expected):
    assert level(count, most) == expected


def test_the_legend_steps_cover_every_count_once():
    most = 37
    covered = []
    for step in range(1, LEVELS + 1):
        found = level_range(step, most)
        if found:
            covered.extend(range(found[0], found[1] + 1))
    assert covered == list(range(1, most + 1))


@pytest.mark.parametrize("relation", ["contradicts", "corroborates", "qualifies", ""])
def test_every_cells_number_is_readable_on_its_colour(relation):
    for count in range(0, 11):
        fill, text = colours(count, 10, relation)
        assert contrast(fill, text) >= 4.5, (relation, count, fill, text)


def test_build_map_orders_sources_by_kind_then_name_and_mirrors_the_cells():
    heads = {
        1: SourceHead(1, "Zeta Blog", "blog"),
        2: SourceHead(2, "Alpha Blog", "blog"),
        3: SourceHead(3, "The Encyclopedia", "encyclopedia"),
    }
    counts = pair_counts(
        [(1, 3, "contradicts", 2), (2, 3, "contradicts", 1), (1, 2, "qualifies", 4)]
    )
    built = build_map(MapFilters(relation="contradicts"), counts, heads)
    assert [s.name for s in built.sources] == ["The Encyclopedia", "Alpha Blog", "Zeta Blog"]
    grid = [[cell.count for cell in built.cells[row * 3 : row * 3 + 3]] for row in range(3)]
    assert grid == [[0, 1, 2], [1, 0, 0], [2, 0, 0]]
    assert built.links == 3
    # An empty cell leads nowhere; the others to their pairs.
    assert built.cells[0].href == ""
    assert "versus=" in built.cells[1].href
    everything = build_map(MapFilters(relation=""), counts, heads)
    assert [[c.count for c in everything.cells[r * 3 : r * 3 + 3]] for r in range(3)] == [
        [0, 1, 2], [1, 0, 4], [2, 4, 0],
    ]  # fmt: skip


# --- On the database ----------------------------------------------------------------------


@pytest.fixture
def corpus():
    """Three sources; red × blog: two contradicts (one confirmed) and a qualifies; red ×
    encyclopedia: a corroborates; a contradicts between two documents of the blog."""
    user = make_user("annotator")
    red = make_source(name="Red Paper", kind="political")
    blog = make_source(name="Blog Archive", kind="blog")
    encyclopedia = make_source(name="Encyclopedia", kind="encyclopedia")
    docs = {
        "red": make_document("Red paper\n\nOne. Two. Three. Four.", source=red),
        "blog": make_document("Blog one\n\nOne. Two. Three. Four.", source=blog),
        "blog2": make_document("Blog two\n\nOne. Two. Three.", source=blog),
        "enc": make_document("Encyclopedia\n\nOne. Two.", source=encyclopedia),
    }

    def claim(doc, word, **options):
        return make_claim(
            docs[doc], user=user, quote=word, statement=f"{doc} says {word}", **options
        )

    r1, r2, r3 = claim("red", "One", topics=["Exile"]), claim("red", "Two"), claim("red", "Three")
    b1, b2, b3 = claim("blog", "One"), claim("blog", "Two"), claim("blog", "Three")
    b4, e1 = claim("blog2", "One"), claim("enc", "One")
    confirmed = make_link(r1, b1, user=user, relation="contradicts")
    make_review(confirmed, "confirmed")
    make_link(r2, b2, user=user, relation="contradicts")
    make_link(r3, b3, user=user, relation="qualifies")
    make_link(r1, e1, user=user, relation="corroborates")
    make_link(b3, b4, user=user, relation="contradicts")
    claim_date_set(claim=b2, date={"year": 1929}, version=b2.version, user=user)
    return {
        "red": red,
        "blog": blog,
        "enc": encyclopedia,
        "user": user,
        "exile": Topic.objects.get(name="Exile"),
    }


def _cell(built, row, col):
    names = [s.name for s in built.sources]
    return built.cells[names.index(row) * len(names) + names.index(col)]


def test_the_map_counts_each_pair_of_sources(corpus):
    built = contradiction_map(MapFilters(relation="contradicts"))
    assert [s.name for s in built.sources] == ["Encyclopedia", "Red Paper", "Blog Archive"]
    assert _cell(built, "Red Paper", "Blog Archive").count == 2
    assert _cell(built, "Blog Archive", "Red Paper").count == 2
    assert _cell(built, "Blog Archive", "Blog Archive").count == 1
    assert _cell(built, "Red Paper", "Encyclopedia").count == 0
    every = contradiction_map(MapFilters(relation=""))
    assert _cell(every, "Red Paper", "Blog Archive").count == 3
    assert _cell(every, "Red Paper", "Encyclopedia").count == 1


@pytest.mark.parametrize(
    ("filters", "red_blog"),
    [
        ({"confirmed": True}, 1),
        ({"topic": "exile"}, 1),
        ({"year_from": 1929}, 1),
        ({"year_to": 1928}, 0),
        ({"year_from": 1900, "year_to": 1950}, 1),
    ],
)
def test_the_filters_narrow_the_counts(corpus, filters, red_blog):
    if "topic" in filters:
        filters = {**filters, "topic": corpus["exile"]}
    built = contradiction_map(MapFilters(relation="contradicts", **filters))
    if red_blog == 0:
        assert "Red Paper" not in [s.name for s in built.sources] or (
            _cell(built, "Red Paper", "Blog Archive").count == 0
        )
    else:
        assert _cell(built, "Red Paper", "Blog Archive").count == red_blog


@pytest.mark.parametrize(
    "filters",
    [{}, {"confirmed": True}, {"topic": "exile"}, {"year_from": 1929}, {"year_to": 1928},
     {"confirmed": True, "topic": "exile", "year_from": 1900, "year_to": 1950}],
)  # fmt: skip
def test_the_counts_read_through_the_claims_index_are_the_links_counts(corpus, filters):
    """document_counts names the covering index on SQLite (raw SQL): the same rows as the
    links grouped by their claims' documents, and the claims' rows are not read."""
    if "topic" in filters:
        filters = {**filters, "topic": corpus["exile"]}
    chosen = MapFilters(**filters)
    expected = (
        map_links(chosen)
        .order_by()
        .values_list("left__document_id", "right__document_id", "relation")
        .annotate(n=Count("pk"))
    )
    with CaptureQueriesContext(connection) as captured:
        found = document_counts(chosen)
    assert sorted(found) == sorted(expected)
    assert len(captured) == 1
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("EXPLAIN QUERY PLAN " + captured[0]["sql"])
            plan = [row[3] for row in cursor.fetchall()]
        probes = [step for step in plan if "claims_claim" in step or " T" in step]
        assert sum("COVERING INDEX claim_id_document_idx" in step for step in plan) == 2, plan
        assert not any("INTEGER PRIMARY KEY" in step for step in probes), plan


@pytest.mark.parametrize(
    "query",
    ["", "state=confirmed", "relation=qualifies", "relation=", "event_year_min=1929"],
)
def test_each_cell_leads_to_exactly_its_pairs(client, corpus, query):
    client.force_login(corpus["user"])
    response = client.get(f"/compare/?{query}")
    assert response.status_code == 200
    built = response.context["map"]
    assert built.cells
    for cell in built.cells:
        if not cell.href:
            continue
        pairs = client.get(cell.href)
        assert pairs.status_code == 200
        assert pairs.context["filter"].is_valid(), pairs.context["filter"].errors
        assert pairs.context["page"].paginator.count == cell.count, (query, cell.label, cell.href)


def test_the_page_prints_every_number_and_lists_the_pairs_in_a_table(client, corpus):
    client.force_login(corpus["user"])
    response = client.get("/compare/")
    html = response.content.decode()
    assert 'aria-label="Red Paper × Blog Archive: 2 contradicts — open the pairs"' in html
    assert "Claim pairs between each two sources, by relation</caption>" in html
    assert "Download the figures as CSV" in html
    assert "style=" not in html.split("<main", 1)[-1]  # the CSP allows no inline style


def test_markup_in_a_source_name_is_shown_as_text_in_the_figure_and_table(client, corpus):
    """The cells and the table's rows are written in Python (not by the template engine):
    a name is escaped there too, in text and in attributes."""
    corpus["red"].name = 'Red <script>alert("x")</script> & Co'
    corpus["red"].save()
    client.force_login(corpus["user"])

    html = client.get("/compare/").content.decode()
    svg = client.get("/compare/map.svg").content.decode()

    assert "<script>alert" not in html and "<script>alert" not in svg
    escaped = "Red &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; Co"
    assert f'aria-label="{escaped} × Blog Archive: 2 contradicts — open the pairs"' in html
    assert f'<th scope="row">{escaped} <span class="help">(Political publication)</span>' in html
    assert f'aria-label="2 contradicts: {escaped} and Blog Archive"' in html
    assert f"<title>{escaped} × Blog Archive: 2 contradicts</title>" in svg
    assert "<a href" not in svg.split('class="map-cells"', 1)[1]  # the file links nowhere


def test_an_invalid_filter_is_explained_and_left_out(client, corpus):
    client.force_login(corpus["user"])
    response = client.get("/compare/?event_year_min=1950&event_year_max=1930")
    assert response.status_code == 200
    assert "The first event year comes after the last." in response.content.decode()
    assert response.context["map"].links == 3


def test_the_csv_holds_every_pair_with_names_neutralised(client, corpus):
    corpus["enc"].name = "=HYPERLINK(1)"
    corpus["enc"].save()
    client.force_login(corpus["user"])
    response = client.get("/compare/map.csv?state=")
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0] == ["source", "source_kind", "other_source", "other_source_kind",
                       "contradicts", "corroborates", "qualifies", "total"]  # fmt: skip
    assert ["'=HYPERLINK(1)", "encyclopedia", "Red Paper", "political", "0", "1", "0", "1"] in rows
    assert ["Red Paper", "political", "Blog Archive", "blog", "2", "0", "1", "3"] in rows
    assert ["Blog Archive", "blog", "Blog Archive", "blog", "1", "0", "0", "1"] in rows
    confirmed = client.get("/compare/map.csv?state=confirmed").content.decode().splitlines()
    assert confirmed[1:] == ["Red Paper,political,Blog Archive,blog,1,0,0,1"]


def test_the_svg_downloads_on_its_own(client, corpus):
    client.force_login(corpus["user"])
    response = client.get("/compare/map.svg")
    assert response["Content-Type"].startswith("image/svg+xml")
    body = response.content.decode()
    assert body.startswith('<?xml version="1.0"')
    assert 'xmlns="http://www.w3.org/2000/svg"' in body
    assert "Red Paper" in body


def test_the_map_makes_as_many_queries_whatever_the_links(
    client, corpus, django_assert_max_num_queries
):
    client.force_login(corpus["user"])
    url = f"/compare/?topic={corpus['exile'].pk}&state=confirmed&event_year_min=1900"
    client.get(url)  # warms the session and the caches
    with django_assert_max_num_queries(8):
        client.get(url)
    user = corpus["user"]
    for number in range(6):
        source = make_source(name=f"More {number}")
        left = make_claim(make_document(source=source), user=user, topics=["Exile"])
        make_link(left, make_claim(user=user), user=user)
    with django_assert_max_num_queries(8):
        response = client.get(url)
    assert response.status_code == 200
    with django_assert_max_num_queries(6):
        client.get("/compare/map.csv")


def test_the_pair_browser_filters_pairs_between_two_sources(client, corpus):
    client.force_login(corpus["user"])
    red, blog = corpus["red"].pk, corpus["blog"].pk
    both = client.get(reverse("claims:links"), {"source": red, "versus": blog})
    assert both.context["page"].paginator.count == 3
    same = client.get(reverse("claims:links"), {"source": blog, "versus": blog})
    assert same.context["page"].paginator.count == 1
    # "versus" alone: either side, as "source".
    alone = client.get(reverse("claims:links"), {"versus": blog})
    assert alone.context["page"].paginator.count == 4
    dated = client.get(reverse("claims:links"), {"event_year_min": 1929, "event_year_max": 1929})
    assert dated.context["page"].paginator.count == 1
