"""The review dashboard (/review/dashboard/): links by state and relation, current verdicts
per reviewer, and agreement between reviewers shown with the number of pairs behind it."""

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from claims.dashboard import KAPPA_MINIMUM_OVERLAP
from tests.factories import make_link, make_review, make_user

pytestmark = pytest.mark.django_db

DASHBOARD_URL = "/review/dashboard/"
C, R, N = "confirmed", "rejected", "needs_evidence"


def dashboard(client) -> tuple[str, dict]:
    response = client.get(DASHBOARD_URL)
    assert response.status_code == 200
    return response.content.decode(), response.context


def row(header: str, *cells) -> str:
    """A table row as the template writes it: a row header, then numeric cells."""
    tds = "".join(f'<td class="num">{cell}</td>' for cell in cells)
    return f'<tr><th scope="row">{header}</th>{tds}</tr>'


def figure(name: str, value: str, items: int) -> str:
    noun = "pair" if items == 1 else "pairs"
    return f'<dt>{name}</dt><dd>{value} <span class="claim-meta">({items} {noun})</span></dd>'


OBSERVED = "Observed agreement"
ALPHA = "Krippendorff’s alpha (nominal)"


@pytest.fixture
def known(db):
    """Eight links; alice and bob both review the first six, carol only the seventh.

    link relation      alice  bob   carol  state (one review required)
    1    contradicts   C      C            confirmed
    2    contradicts   C      C            confirmed
    3    contradicts   R*     R            rejected    (*alice first said C, then changed)
    4    corroborates  C      R            disputed
    5    corroborates  R      R            rejected
    6    qualifies     N      C            needs evidence (no evidence added)
    7    qualifies                  C      confirmed
    8    qualifies                         pending
    """
    author = make_user("annotator")
    alice = make_user("reviewer", username="alice")
    bob = make_user("reviewer", username="bob")
    carol = make_user("editor", username="carol")
    relations = ["contradicts"] * 3 + ["corroborates"] * 2 + ["qualifies"] * 3
    links = [make_link(user=author, relation=relation) for relation in relations]
    make_review(links[2], C, user=alice)
    for link, a, b in zip(links, [C, C, R, C, R, N], [C, C, R, R, R, C], strict=False):
        make_review(link, a, user=alice)
        make_review(link, b, user=bob)
    make_review(links[6], C, user=carol)
    return links


def test_links_are_counted_by_state_and_relation(known, reviewer_client):
    html, context = dashboard(reviewer_client)
    #                         contradicts corroborates qualifies all
    assert row("Pending review", 0, 0, 1, 1) in html
    assert row("Confirmed", 2, 0, 1, 3) in html
    assert row("Rejected", 1, 1, 0, 2) in html
    assert row("Disputed", 0, 1, 0, 1) in html
    assert row("Needs evidence", 0, 0, 1, 1) in html
    assert "<tfoot>" + row("All", 3, 2, 3, 8) + "</tfoot>" in html
    assert [state["total"] for state in context["states"]] == [1, 3, 2, 1, 1]


def test_current_verdicts_are_counted_per_reviewer_and_replaced_ones_are_not(
    known, reviewer_client
):
    html, context = dashboard(reviewer_client)
    #                    confirmed rejected needs-evidence all
    assert row("alice", 3, 2, 1, 6) in html
    assert row("bob", 3, 3, 0, 6) in html
    assert row("carol", 1, 0, 0, 1) in html
    assert [r["reviewer"] for r in context["per_reviewer"]] == ["alice", "bob", "carol"]


def test_agreement_on_the_doubly_reviewed_links_is_shown_with_its_item_counts(
    known, reviewer_client
):
    html, context = dashboard(reviewer_client)
    # alice and bob share links 1–6 (carol's single review on link 7 is not pairable):
    #   (C,C) (C,C) (R,R) (C,R) (R,R) (N,C): 4 of 6 agree.
    # Observed agreement: mean of the per-link shares of agreeing pairs = 4/6 = 0.667.
    assert figure(OBSERVED, "0.667", 6) in html
    # Cohen's kappa: po = 4/6 = 24/36. alice gave C 3, R 2, N 1; bob C 3, R 3, N 0;
    #   pe = (3·3 + 2·3 + 1·0) / 6² = 15/36; kappa = (24/36 − 15/36) / (1 − 15/36)
    #   = 9/21 = 3/7 ≈ 0.429, over 6 shared links.
    assert row("alice and bob", "0.429", 6) in html
    # Krippendorff's alpha (nominal): 12 pairable values, C 6, R 5, N 1. Each unit of two
    #   values that disagree adds 2 to the off-diagonal coincidences: 2 such units → 4.
    #   Expected: 12² − (6² + 5² + 1²) = 144 − 62 = 82.
    #   alpha = 1 − (12 − 1) · 4 / 82 = 1 − 44/82 = 19/41 ≈ 0.463, over 6 links.
    assert figure(ALPHA, "0.463", 6) in html
    assert context["kappas"][0][1].value == pytest.approx(3 / 7)
    assert context["alpha"].value == pytest.approx(19 / 41)
    assert context["observed"].value == pytest.approx(4 / 6)


def test_reviewers_sharing_fewer_links_than_the_minimum_get_no_kappa(reviewer_client):
    assert KAPPA_MINIMUM_OVERLAP == 5
    author = make_user("annotator")
    dan, eve = make_user("reviewer", username="dan"), make_user("reviewer", username="eve")
    for verdicts in [(C, C), (C, R), (R, R), (N, R)]:
        link = make_link(user=author)
        make_review(link, verdicts[0], user=dan)
        make_review(link, verdicts[1], user=eve)
    html, context = dashboard(reviewer_client)
    assert context["kappas"] == []
    assert "No two reviewers have reviewed 5 or more of the same pairs yet." in html
    assert figure(OBSERVED, "0.500", 4) in html


def test_without_reviews_every_agreement_figure_is_not_enough_data(reviewer_client):
    make_link()
    html, _ = dashboard(reviewer_client)
    assert figure(OBSERVED, "not enough data", 0) in html
    assert figure(ALPHA, "not enough data", 0) in html
    assert "No two reviewers have reviewed 5 or more of the same pairs yet." in html
    assert row("Pending review", 1, 0, 0, 1) in html
    assert "No reviews yet." in html


def test_single_reviews_give_no_agreement_figures(reviewer_client):
    make_review(make_link(), C)
    make_review(make_link(), R)
    html, _ = dashboard(reviewer_client)
    assert figure(OBSERVED, "not enough data", 0) in html
    assert figure(ALPHA, "not enough data", 0) in html


def test_when_everyone_gives_the_same_verdict_alpha_and_kappa_are_not_enough_data(
    reviewer_client,
):
    author = make_user("annotator")
    fay, gus = make_user("reviewer", username="fay"), make_user("reviewer", username="gus")
    for _ in range(5):
        link = make_link(user=author)
        make_review(link, C, user=fay)
        make_review(link, C, user=gus)
    html, _ = dashboard(reviewer_client)
    assert figure(OBSERVED, "1.000", 5) in html, "observed agreement is defined"
    assert figure(ALPHA, "not enough data", 5) in html, "no expected disagreement"
    assert row("fay and gus", "not enough data", 5) in html


def test_a_pair_of_reviewers_that_never_varies_has_no_kappa_while_alpha_is_defined(
    reviewer_client,
):
    """Kappa is per pair of reviewers; alpha pools every rating, so it can still be defined."""
    author = make_user("annotator")
    ivy, jon = make_user("reviewer", username="ivy"), make_user("reviewer", username="jon")
    kim, lou = make_user("reviewer", username="kim"), make_user("reviewer", username="lou")
    for _ in range(5):
        link = make_link(user=author)
        make_review(link, C, user=ivy)
        make_review(link, C, user=jon)
    for _ in range(2):
        link = make_link(user=author)
        make_review(link, R, user=kim)
        make_review(link, N, user=lou)
    html, _ = dashboard(reviewer_client)
    # ivy and jon: every rating C, so pe = 1 and kappa is undefined.
    assert row("ivy and jon", "not enough data", 5) in html
    assert "kim and lou" not in html, "they share only two pairs"
    # Alpha over 7 units, 14 values: C 10, R 2, N 2; two disagreeing units → 4.
    #   Expected: 14² − (10² + 2² + 2²) = 88; alpha = 1 − 13 · 4 / 88 = 9/22 ≈ 0.409.
    assert figure(ALPHA, "0.409", 7) in html
    # Observed: 5 units agree, 2 do not: 5/7 ≈ 0.714.
    assert figure(OBSERVED, "0.714", 7) in html


@pytest.mark.parametrize("client_fixture", ["annotator_client", "editor_client"])
def test_signed_in_users_of_other_roles_see_the_dashboard(request, client_fixture, known):
    html, _ = dashboard(request.getfixturevalue(client_fixture))
    assert row("Confirmed", 2, 0, 1, 3) in html


def test_anonymous_visitors_are_sent_to_sign_in():
    response = Client().get(DASHBOARD_URL)
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next={DASHBOARD_URL}"


def test_the_dashboard_url_is_named():
    assert reverse("claims:review-dashboard") == DASHBOARD_URL


def test_the_dashboard_runs_the_same_queries_for_3_and_30_links(reviewer, reviewer_client):
    author = make_user("annotator")
    reviewers = [make_user("reviewer") for _ in range(2)]
    verdicts = [C, R, N]

    def add_links(up_to: int, start: int) -> None:
        for number in range(start, up_to):
            link = make_link(user=author, relation=["contradicts", "qualifies"][number % 2])
            make_review(link, verdicts[number % 3], user=reviewers[0])
            make_review(link, verdicts[(number + 1) % 3], user=reviewers[1])
            make_review(link, C, user=make_user("reviewer"))

    def count() -> int:
        cache.clear()  # the agreement figures are computed, not read from the cache
        with CaptureQueriesContext(connection) as queries:
            dashboard(reviewer_client)
        return len(queries)

    add_links(3, 0)
    dashboard(reviewer_client)  # warm up per-process caches
    small = count()
    add_links(30, 3)
    large = count()
    assert small == large


def test_the_agreement_figures_are_cached_until_a_verdict_changes(reviewer_client):
    author = make_user("annotator")
    first, second = make_user("reviewer"), make_user("reviewer")
    links = [make_link(user=author) for _ in range(6)]
    for link in links:
        make_review(link, C, user=first)
        make_review(link, C, user=second)
    before = dashboard(reviewer_client)[1]["observed"]
    with CaptureQueriesContext(connection) as cached:
        assert dashboard(reviewer_client)[1]["observed"] == before
    assert not any("GROUP_CONCAT" in q["sql"] or "STRING_AGG" in q["sql"] for q in cached)

    make_review(links[0], R, user=second)  # a changed verdict: a new row

    after = dashboard(reviewer_client)[1]["observed"]
    assert after != before
