"""Agreement between reviewers: observed agreement, Cohen's kappa, Krippendorff's alpha."""

import pytest

from claims.agreement import (
    Agreement,
    cohen_kappa,
    krippendorff_alpha_nominal,
    observed_agreement,
    pairwise_kappas,
)

# Krippendorff (2011), "Computing Krippendorff's Alpha-Reliability": 4 observers, 12 units.
# None marks a missing value.
_ = None
KRIPPENDORFF_TABLE = {
    "A": [1, 2, 3, 3, 2, 1, 4, 1, 2, _, _, _],
    "B": [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, _, 3],
    "C": [_, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, _],
    "D": [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, _],
}


def units_of(table: dict[str, list]) -> list[list]:
    columns = zip(*table.values(), strict=True)
    return [[value for value in column if value is not None] for column in columns]


# --- Cohen's kappa ---------------------------------------------------------------------------


def test_cohen_kappa_matches_the_wikipedia_example():
    pairs = [("yes", "yes")] * 20 + [("yes", "no")] * 5 + [("no", "yes")] * 10 + [("no", "no")] * 15
    # po = 35/50 = 0.7; pe = 0.5 * 0.6 + 0.5 * 0.4 = 0.5; kappa = (0.7 - 0.5) / 0.5 = 0.4
    assert cohen_kappa(pairs) == Agreement(pytest.approx(0.4), 50)


def test_cohen_kappa_is_one_for_perfect_agreement_with_variation():
    pairs = [("confirmed", "confirmed"), ("rejected", "rejected"), ("confirmed", "confirmed")]
    assert cohen_kappa(pairs) == Agreement(pytest.approx(1.0), 3)


def test_cohen_kappa_is_zero_when_agreement_is_exactly_at_chance():
    # Each rater says "yes" half the time: pe = 0.5 * 0.5 + 0.5 * 0.5 = 0.5 = po.
    pairs = [("yes", "yes"), ("yes", "no"), ("no", "yes"), ("no", "no")]
    assert cohen_kappa(pairs) == Agreement(pytest.approx(0.0), 4)


def test_cohen_kappa_is_undefined_when_both_raters_always_give_the_same_single_label():
    assert cohen_kappa([("confirmed", "confirmed")] * 6) == Agreement(None, 6)


def test_cohen_kappa_is_undefined_without_pairs():
    assert cohen_kappa([]) == Agreement(None, 0)


def test_cohen_kappa_accepts_a_generator():
    assert cohen_kappa(pair for pair in [("a", "a"), ("b", "b")]) == Agreement(1.0, 2)


# --- Krippendorff's alpha, nominal -------------------------------------------------------


def test_alpha_matches_krippendorffs_own_example_and_skips_the_unpairable_unit():
    result = krippendorff_alpha_nominal(units_of(KRIPPENDORFF_TABLE))
    assert result.value == pytest.approx(0.743, abs=5e-4)
    assert result.items == 11  # unit 12 has a single value


def test_alpha_matches_a_hand_computed_case():
    # [a,a]: o_aa += 2.  [a,b]: o_ab += 1, o_ba += 1.  [b,b]: o_bb += 2.
    # [a,b,b] (m = 3, each ordered pair adds 1/2): o_ab += 1, o_ba += 1, o_bb += 1.
    # o_aa = 2, o_ab = o_ba = 2, o_bb = 3; n_a = 4, n_b = 5, n = 9.
    # alpha = 1 - (n - 1) * (o_ab + o_ba) / (n_a * n_b + n_b * n_a) = 1 - 8 * 4 / 40 = 0.2
    units = [["a", "a"], ["a", "b"], ["b", "b"], ["a", "b", "b"]]
    assert krippendorff_alpha_nominal(units) == Agreement(pytest.approx(0.2), 4)


def test_alpha_is_one_for_perfect_agreement_with_variation():
    units = [["confirmed"] * 3, ["rejected"] * 2, ["needs_evidence"] * 2]
    assert krippendorff_alpha_nominal(units) == Agreement(pytest.approx(1.0), 3)


def test_alpha_is_undefined_when_every_value_is_the_same():
    units = [["confirmed", "confirmed"], ["confirmed"] * 3]
    assert krippendorff_alpha_nominal(units) == Agreement(None, 2)


def test_alpha_ignores_units_with_a_single_rating():
    units = [["a", "a"], ["a", "b"], ["b", "b"], ["a", "b", "b"]]
    with_singles = [["a"], *units, ["b"], []]
    assert krippendorff_alpha_nominal(with_singles) == krippendorff_alpha_nominal(units)


def test_alpha_is_undefined_without_pairable_units():
    assert krippendorff_alpha_nominal([["a"], ["b"], []]) == Agreement(None, 0)


# --- observed agreement ------------------------------------------------------------------


def test_observed_agreement_is_the_mean_share_of_agreeing_pairs():
    # [a,a]: 1/1 pairs agree; [a,b]: 0/1; [a,a,b]: 1/3 → (1 + 0 + 1/3) / 3 = 4/9
    result = observed_agreement([["a", "a"], ["a", "b"], ["a", "a", "b"]])
    assert result == Agreement(pytest.approx(4 / 9), 3)


def test_observed_agreement_ignores_units_with_a_single_rating():
    result = observed_agreement([["a"], ["a", "b"], ["b", "b"], []])
    assert result == Agreement(pytest.approx(0.5), 2)


def test_observed_agreement_is_undefined_without_units():
    assert observed_agreement([]) == Agreement(None, 0)


# --- pairwise kappas ---------------------------------------------------------------------


def test_pairwise_kappas_uses_common_items_and_sorted_keys_and_skips_small_overlaps():
    ana = ["confirmed", "rejected", "confirmed", "needs_evidence", "rejected", "confirmed"]
    ben = ["confirmed", "rejected", "rejected", "needs_evidence", "confirmed", "confirmed"]
    ratings: dict[int, dict[str, str]] = {}
    for item, (a, b) in enumerate(zip(ana, ben, strict=True)):
        ratings[item] = {"ben": b, "ana": a}
    ratings[0]["cy"] = "confirmed"  # cy shares only two items with each of the others
    ratings[1]["cy"] = "rejected"
    ratings[99] = {"ana": "rejected"}  # rated by ana alone

    result = pairwise_kappas(ratings, minimum_overlap=5)

    assert list(result) == [("ana", "ben")]
    assert result[("ana", "ben")] == cohen_kappa(zip(ana, ben, strict=True))
    assert result[("ana", "ben")].items == 6


def test_pairwise_kappas_keeps_pairs_that_reach_the_minimum_overlap():
    ratings = {1: {"b": "x", "a": "x"}, 2: {"b": "y", "a": "y"}}
    assert pairwise_kappas(ratings, minimum_overlap=2) == {("a", "b"): Agreement(1.0, 2)}
    assert pairwise_kappas(ratings, minimum_overlap=3) == {}
