"""The timeline (/timeline/, comparison.timeline): dated claims in one lane per source,
date conflicts of linked claims joined and listed, filters, zoom from decades to days,
clusters when dense, the SVG download, and a query count that does not grow with claims."""

import xml.etree.ElementTree as ET
from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from claims.services import claim_date_set
from comparison import timeline as tl
from tests.factories import make_claim, make_document, make_link, make_source

pytestmark = pytest.mark.django_db

URL = reverse("comparison:timeline")
SVG = "{http://www.w3.org/2000/svg}"


def dated(document, quote, date, *, user, topics=None, statement=None):
    claim = make_claim(document, user=user, quote=quote, topics=topics,
                       statement=statement or f"It says: {quote}.")  # fmt: skip
    claim_date_set(claim=claim, date=date, version=claim.version, user=user)
    claim.refresh_from_db()
    return claim


@pytest.fixture
def exile(annotator):
    """Two sources dating Trotsky's exile 1928 and 1929, linked; a third dating Kirov."""
    red = make_source(name="Red Paper", kind="political")
    blog = make_source(name="Blog Archive", kind="blog")
    a = make_document("Trotsky was exiled to Alma Ata in 1928.", source=red)
    b = make_document("Trotsky was expelled in 1929. Kirov was shot on 1 December 1934.",
                      source=blog)  # fmt: skip
    left = dated(a, "Trotsky was exiled to Alma Ata in 1928", {"year": 1928}, user=annotator,
                 topics=["Trotsky's exile"])  # fmt: skip
    right = dated(b, "Trotsky was expelled in 1929", {"year": 1929}, user=annotator,
                  topics=["Trotsky's exile"])  # fmt: skip
    kirov = dated(b, "Kirov was shot on 1 December 1934", {"year": 1934, "month": 12, "day": 1},
                  user=annotator, topics=["Kirov"])  # fmt: skip
    link = make_link(left, right, user=annotator, relation="qualifies")
    return {"red": red, "blog": blog, "left": left, "right": right, "kirov": kirov, "link": link}


def svg_of(response) -> ET.Element:
    content = response.content.decode()
    start, end = content.index("<svg xmlns"), content.index("</svg>") + len("</svg>")
    return ET.fromstring(content[start:end])


def marks(svg: ET.Element) -> list[ET.Element]:
    return [a for a in svg.iter(f"{SVG}a") if a.get("data-claim")]


# --- The page -------------------------------------------------------------------------------


def test_it_draws_each_source_in_its_lane_and_each_claim_at_its_date(reviewer_client, exile):
    response = reviewer_client.get(URL)
    assert response.status_code == 200
    svg = svg_of(response)
    lanes = [text.itertext() for text in svg.iter(f"{SVG}text")]
    names = ["".join(parts) for parts in lanes]
    assert any(name.endswith("Blog Archive") for name in names)
    assert any(name.endswith("Red Paper") for name in names)
    drawn = {a.get("data-claim"): a for a in marks(svg)}
    assert set(drawn) == {str(exile[k].public_id) for k in ("left", "right", "kirov")}
    left = drawn[str(exile["left"].public_id)]
    assert (
        left.get("href")
        == f"/corpus/documents/{exile['left'].document_id}/#claim-{exile['left'].public_id}"
    )
    assert left.get("aria-label").startswith("Red Paper, 1928: ")
    x_of = {k: float(drawn[str(exile[k].public_id)].find(f"{SVG}circle").get("cx"))
            for k in ("left", "right", "kirov")}  # fmt: skip
    assert x_of["left"] < x_of["right"] < x_of["kirov"]


def test_linked_claims_with_dates_that_cannot_both_be_true_are_a_conflict(reviewer_client, exile):
    response = reviewer_client.get(URL)
    content = response.content.decode()
    assert "Date conflicts (1)" in content
    assert reverse("claims:link", args=[exile["link"].public_id]) in content
    lines = [
        line for line in svg_of(response).iter(f"{SVG}line") if line.get("class") == "conflict-line"
    ]
    assert len(lines) == 1
    title = lines[0].find(f"{SVG}title").text
    assert title == "Date conflict: Red Paper says 1928, Blog Archive says 1929"


def test_dates_that_overlap_are_no_conflict(reviewer_client, annotator):
    a = make_document("The trial was in 1936.")
    b = make_document("The trial opened in August 1936.")
    year = dated(a, "The trial was in 1936", {"year": 1936}, user=annotator)
    month = dated(b, "The trial opened in August 1936", {"year": 1936, "month": 8}, user=annotator)
    make_link(year, month, user=annotator, relation="corroborates")
    content = reviewer_client.get(URL).content.decode()
    assert "Date conflicts (0)" in content


def test_a_rejected_link_is_no_conflict(reviewer_client, exile):
    exile["link"].__class__.objects.filter(pk=exile["link"].pk).update(review_state="rejected")
    assert "Date conflicts (0)" in reviewer_client.get(URL).content.decode()


def test_the_topic_and_source_filters_narrow_the_claims(reviewer_client, exile):
    topic = exile["left"].topics.get()
    svg = svg_of(reviewer_client.get(URL, {"topic": topic.pk}))
    assert {a.get("data-claim") for a in marks(svg)} == {
        str(exile["left"].public_id),
        str(exile["right"].public_id),
    }
    svg = svg_of(reviewer_client.get(URL, {"source": exile["blog"].pk}))
    assert {a.get("data-claim") for a in marks(svg)} == {
        str(exile["right"].public_id),
        str(exile["kirov"].public_id),
    }
    content = reviewer_client.get(URL, {"source": exile["blog"].pk}).content.decode()
    assert "Date conflicts (0)" in content  # its other side is not shown


def test_a_conflict_needs_both_sides_dated_and_within_the_filters(reviewer_client, exile,
                                                                    annotator):  # fmt: skip
    """The conflicts start from the dated claims of the filters on the left: the right
    side must be dated, on the topic and of a chosen source too."""
    topic = exile["left"].topics.get()
    elsewhere = make_source(name="Elsewhere")
    undated = make_claim(make_document("Trotsky left in 1930.", source=elsewhere),
                         user=annotator, quote="Trotsky left", topics=[topic.name])  # fmt: skip
    make_link(exile["left"], undated, user=annotator, relation="contradicts")
    off_topic = dated(make_document("Trotsky was exiled in 1931.", source=elsewhere),
                      "Trotsky was exiled in 1931", {"year": 1931}, user=annotator,
                      topics=["Elsewhere"])  # fmt: skip
    make_link(exile["left"], off_topic, user=annotator, relation="contradicts")

    def conflicts(**params) -> str:
        content = reviewer_client.get(URL, params).content.decode()
        return content[content.index("Date conflicts (") :][:18]

    assert conflicts() == "Date conflicts (2)"  # 1928 × 1929, 1928 × 1931
    assert conflicts(topic=topic.pk) == "Date conflicts (1)"  # 1931 is off the topic
    assert conflicts(source=[exile["red"].pk, elsewhere.pk]) == "Date conflicts (1)"
    assert conflicts(source=[exile["blog"].pk, elsewhere.pk]) == "Date conflicts (0)"


def test_the_zoom_goes_from_decades_to_days(reviewer_client, exile):
    whole = reviewer_client.get(URL)
    assert whole.context["timeline"].unit == "year"
    ticks = whole.context["timeline"].ticks
    assert ticks[0].zoom  # each year zooms into itself
    day = reviewer_client.get(URL, {"start": "1934-11-20", "end": "1934-12-10"})
    t = day.context["timeline"]
    assert t.unit == "day"
    assert [m.claim_id for lane in t.lanes for m in lane.marks] == [str(exile["kirov"].public_id)]
    assert t.zoom_out and t.whole is not None
    wide = reviewer_client.get(URL, {"start": "1850", "end": "1990"}).context["timeline"]
    assert wide.unit == "decade"
    assert [tick.label for tick in wide.ticks][:2] == ["1850s", "1860s"]


def test_a_window_that_is_no_date_is_refused_with_a_message(reviewer_client, exile):
    response = reviewer_client.get(URL, {"start": "31 Feb", "end": "1930"})
    assert response.status_code == 200
    content = response.content.decode()
    assert tl.ERROR_BOUND in content
    assert len(marks(svg_of(response))) == 3  # the whole timeline meanwhile
    response = reviewer_client.get(URL, {"start": "1935", "end": "1930"})
    assert tl.ERROR_ORDER in response.content.decode()


def test_dense_marks_are_drawn_as_a_numbered_cluster_that_zooms_in(reviewer_client, annotator):
    words = " ".join(f"w{n}" for n in range(12))
    document = make_document(f"Many claims here: {words}.")
    for n in range(12):
        dated(document, f"w{n}", {"year": 1930, "month": n + 1}, user=annotator)
    dated(make_document("Far later, in 1990."), "in 1990", {"year": 1990}, user=annotator)
    t = reviewer_client.get(URL).context["timeline"]
    clusters = [m for lane in t.lanes for m in lane.marks if m.count > 1]
    assert 1 <= len(clusters) <= 2  # 1930 is 13 units wide at this zoom: one or two buckets
    assert sum(cluster.count for cluster in clusters) == 12
    assert clusters[0].href.startswith("?") and "start=1930-01-01" in clusters[0].href
    assert clusters[0].label.startswith(f"{clusters[0].count} claims of ")
    zoomed = reviewer_client.get(URL + clusters[0].href).context["timeline"]
    alone = [m for lane in zoomed.lanes for m in lane.marks if m.count == 1]
    assert len(alone) == clusters[0].count  # a month apart: each its own mark now


def test_the_table_lists_every_date_of_the_figure(reviewer_client, exile):
    rows = reviewer_client.get(URL).context["timeline"].rows
    assert [(row.label, row.source, row.count) for row in rows] == [
        ("1928", "Red Paper", 1), ("1929", "Blog Archive", 1),
        ("1 December 1934", "Blog Archive", 1),
    ]  # fmt: skip


def test_without_dated_claims_it_says_how_to_date_one(reviewer_client, annotator):
    make_claim(user=annotator)
    content = reviewer_client.get(URL).content.decode()
    assert "No claim has an event date" in content


def test_the_query_count_does_not_grow_with_the_claims(reviewer_client, exile, annotator):
    def count() -> int:
        with CaptureQueriesContext(connection) as context:
            assert (
                reviewer_client.get(URL, {"topic": exile["left"].topics.get().pk}).status_code
                == 200
            )
        return len(context.captured_queries)

    few = count()
    topic = ["Trotsky's exile"]
    for n in range(30):
        document = make_document(f"Source {n} says 19{10 + n}.", source=make_source())
        claim = dated(document, f"19{10 + n}", {"year": 1910 + n}, user=annotator, topics=topic)
        make_link(claim, exile["left"], user=annotator)
    assert count() == few


def test_the_svg_downloads_as_a_file_readable_on_its_own(reviewer_client, exile):
    response = reviewer_client.get(reverse("comparison:timeline-svg"), {"source": exile["red"].pk})
    assert response.status_code == 200
    assert response["Content-Type"] == "image/svg+xml; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="crosscheck-timeline-')
    svg = ET.fromstring(response.content)
    assert svg.tag == f"{SVG}svg"
    assert [a.get("data-claim") for a in marks(svg)] == [str(exile["left"].public_id)]


def test_the_nav_links_to_the_timeline(reviewer_client):
    content = reviewer_client.get(reverse("claims:list")).content.decode()
    assert f'<a href="{URL}"' in content


# --- Pure parts -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "first", "days"),
    [("1934", date(1934, 1, 1), 365), ("1936", date(1936, 1, 1), 366),
     ("1934-02", date(1934, 2, 1), 28), ("1936-2", date(1936, 2, 1), 29),
     ("1934-12-01", date(1934, 12, 1), 1)],
)  # fmt: skip
def test_a_bound_is_the_span_of_days_it_names(text, first, days):
    span = tl.parse_bound(text)
    assert span == tl.Span(first.toordinal(), first.toordinal() + days)


@pytest.mark.parametrize("text", ["", "34", "1934-13", "1934-02-29", "999", "2101", "x1934"])
def test_a_bound_that_is_no_date_is_none(text):
    assert tl.parse_bound(text) is None


def test_the_axis_unit_follows_the_window_length():
    def unit(first: str, last: str) -> str:
        start, end = tl.parse_bound(first), tl.parse_bound(last)
        return tl.axis_unit(tl.Span(start.start, end.end))

    assert [unit("1900", "1990"), unit("1920", "1940"), unit("1934", "1935"),
            unit("1934-12", "1934-12")] == ["decade", "year", "month", "day"]  # fmt: skip


def test_anyone_signed_in_reads_it(no_role_client, exile):
    response = no_role_client.get(URL)
    assert response.status_code == 200
    assert len(marks(svg_of(response))) == 3


def test_a_stray_date_is_left_out_of_the_first_window_and_linked(reviewer_client, annotator):
    words = " ".join(f"w{n}" for n in range(100))
    document = make_document(f"Many: {words}. Odd: in 1117.")
    for n in range(100):
        dated(document, f"w{n}", {"year": 1920 + n % 20}, user=annotator)
    dated(document, "in 1117", {"year": 1117}, user=annotator)
    t = reviewer_client.get(URL).context["timeline"]
    assert t.window_label.startswith("1919-")  # not 1117: one claim in a hundred is left out
    assert t.outside == 1 and t.dated == 100
    content = reviewer_client.get(URL).content.decode()
    assert "All dates (1 more claim outside this span)" in content
    assert reviewer_client.get(URL + "?" + t.all_dates).context["timeline"].dated == 101
