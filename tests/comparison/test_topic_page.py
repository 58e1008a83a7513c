"""One topic's claims side by side (/compare/topics/<topic>/): a column per source, the
links across columns marked from each claim's side, the claims no other source addresses
set apart; reached from the claims list's topic chips; constant queries."""

import pytest

from claims.models import Topic
from comparison.topics import topic_sides
from tests.factories import (
    make_claim,
    make_document,
    make_link,
    make_review,
    make_source,
    make_user,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def exile():
    user = make_user("annotator")
    red = make_document(
        "Red\n\nExiled in 1928. Banished. Other.",
        source=make_source(name="Red Paper", kind="political"),
    )
    blog = make_document(
        "Blog\n\nExpelled in 1929. Lonely.", source=make_source(name="Blog Archive", kind="blog")
    )
    topics = ["Trotsky's exile"]
    r1 = make_claim(
        red, user=user, quote="Exiled in 1928", statement="Exiled in 1928.", topics=topics
    )
    r2 = make_claim(red, user=user, quote="Banished", statement="He was banished.", topics=topics)
    make_claim(red, user=user, quote="Other", statement="Off topic.")
    b1 = make_claim(
        blog, user=user, quote="Expelled in 1929", statement="Expelled in 1929.", topics=topics
    )
    b2 = make_claim(
        blog, user=user, quote="Lonely", statement="Nobody else says so.", topics=topics
    )
    qualifies = make_link(r1, b1, user=user, relation="qualifies")
    rejected = make_link(r2, b2, user=user, relation="contradicts")
    make_review(rejected, "rejected")
    return {"user": user, "r1": r1, "r2": r2, "b1": b1, "b2": b2, "link": qualifies,
            "topic": Topic.objects.get(name="Trotsky's exile")}  # fmt: skip


def test_each_source_gets_a_column_with_the_unaddressed_claims_set_apart(exile):
    sides = topic_sides(exile["topic"])
    assert [c.source.name for c in sides.columns] == ["Red Paper", "Blog Archive"]  # kind order
    red, blog = sides.columns
    assert [e.statement for e in red.addressed] == ["Exiled in 1928."]
    # A rejected link does not count as addressing.
    assert [e.statement for e in red.alone] == ["He was banished."]
    assert [e.statement for e in blog.addressed] == ["Expelled in 1929."]
    assert [e.statement for e in blog.alone] == ["Nobody else says so."]
    (mark,) = red.addressed[0].marks
    assert mark.other_source == "Blog Archive"
    assert mark.other_href == f"#cmp-{exile['b1'].public_id}"
    assert red.addressed[0].href.endswith(f"&claim={exile['r1'].public_id}")


@pytest.mark.parametrize(
    ("direction", "red_says", "blog_says"),
    [
        ("left_qualifies_right", "qualifies (narrows)", "is qualified (narrowed) by"),
        ("right_qualifies_left", "is qualified (narrowed) by", "qualifies (narrows)"),
        ("unknown", "qualifies or is qualified by (direction not recorded)",
         "qualifies or is qualified by (direction not recorded)"),
    ],
)  # fmt: skip
def test_a_qualifies_link_says_which_claim_narrows_which(exile, direction, red_says, blog_says):
    link = exile["link"]
    left_is_red = link.left_id == exile["r1"].pk
    if not left_is_red and direction != "unknown":
        direction = {"left_qualifies_right": "right_qualifies_left",
                     "right_qualifies_left": "left_qualifies_right"}[direction]  # fmt: skip
    type(link).objects.filter(pk=link.pk).update(direction=direction)
    red, blog = topic_sides(exile["topic"]).columns
    assert red.addressed[0].marks[0].phrase == red_says
    assert blog.addressed[0].marks[0].phrase == blog_says


def test_the_page_shows_the_sources_side_by_side(client, exile):
    client.force_login(exile["user"])
    response = client.get("/compare/topics/Trotsky's exile/")
    assert response.status_code == 200
    html = response.content.decode()
    assert html.index("Red Paper</h2>") < html.index("Blog Archive</h2>")
    assert "No other source addresses these" in html
    assert "Qualifies" in html or "Is qualified" in html
    # Case and accents as the topic's key: the same page.
    assert client.get("/compare/topics/TROTSKY'S EXILE/").status_code == 200
    assert client.get("/compare/topics/no such topic/").status_code == 404


def test_the_claims_list_links_each_topic_to_its_page(client, exile):
    client.force_login(exile["user"])
    html = client.get("/claims/").content.decode()
    assert 'href="/compare/topics/Trotsky&#x27;s%20exile/"' in html


def test_sources_can_be_chosen(client, exile):
    client.force_login(exile["user"])
    blog = exile["b1"].document.source_id
    response = client.get("/compare/topics/Trotsky's exile/", {"source": [blog, "x", "9" * 30]})
    assert [c.source.pk for c in response.context["sides"].columns] == [blog]
    (mark,) = response.context["sides"].columns[0].addressed[0].marks
    assert not mark.other_shown  # its claim is in a column not shown: linked in its document
    assert mark.other_href.startswith(exile["r1"].document.get_absolute_url())


def test_the_summary_says_whose_links_it_counts(exile):
    everything = topic_sides(exile["topic"])
    assert everything.summary == "4 claims from 2 sources, 1 link across sources"
    blog = exile["b1"].document.source_id
    third = make_document("Third\n\nUnlinked.", source=make_source(name="Third", kind="blog"))
    make_claim(third, user=exile["user"], quote="Unlinked", statement="Alone.",
               topics=["Trotsky's exile"])  # fmt: skip
    one = topic_sides(exile["topic"], chosen=[blog])
    assert one.summary == ("5 claims from 3 sources, 1 link across sources for the 1 source shown")


def test_the_page_makes_as_many_queries_whatever_the_claims(
    client, exile, django_assert_max_num_queries
):
    client.force_login(exile["user"])
    url = "/compare/topics/Trotsky's exile/"
    client.get(url)
    with django_assert_max_num_queries(10):
        client.get(url)
    user = exile["user"]
    for number in range(5):
        doc = make_document(source=make_source(name=f"More {number}"))
        claim = make_claim(doc, user=user, topics=["Trotsky's exile"])
        make_link(claim, exile["r2"], user=user)
    with django_assert_max_num_queries(10):
        response = client.get(url)
    assert len(response.context["sides"].columns) == 4
