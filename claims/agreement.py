"""Agreement between reviewers on nominal labels — pure functions, no database.

Labels can be any hashable values (review verdicts such as "confirmed" or "rejected").
A *unit* is the sequence of labels that different reviewers gave one item; leave missing
ratings out of the sequence rather than passing a placeholder.

* Observed agreement: within each unit, the share of pairs of ratings that agree; averaged
  over units. Easy to read, but it does not correct for agreement expected by chance.
* Cohen's kappa (Cohen 1960, "A coefficient of agreement for nominal scales"): two raters,
  kappa = (po - pe) / (1 - pe), where po is the observed agreement and pe the agreement
  expected by chance from each rater's own distribution of labels.
* Krippendorff's alpha, nominal (Krippendorff 2011, "Computing Krippendorff's
  Alpha-Reliability"): any number of raters and missing ratings; alpha = 1 - Do / De, the
  observed over the expected disagreement, both taken from the coincidence matrix.

Each measure also takes the grouped form a database can count cheaply: units as (label
counts, number of units with those counts) — ``…_of_tallies`` — and kappa's contingency
table (``cohen_kappa_of_table``); the plain functions are those applied to single units.
"""

from collections import Counter
from collections.abc import Hashable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from itertools import combinations
from typing import TYPE_CHECKING, TypeVar

if TYPE_CHECKING:
    from _typeshed import SupportsRichComparison


@dataclass(frozen=True)
class Agreement:
    """A measure and the number of items it rests on.

    ``value`` is None when the measure is undefined: there were no usable items, or every
    rating was the same label so the disagreement expected by chance is zero. Show it as
    "not enough data" (with ``items``), never as 0 or 1.
    """

    value: float | None
    items: int


LabelCounts = Mapping[Hashable, int]
# A rater of ``pairwise_kappas``: hashable and orderable (each pair is named smaller first).
Rater = TypeVar("Rater", bound="SupportsRichComparison")


def tallies_of(units: Iterable[Sequence[Hashable]]) -> Iterator[tuple[LabelCounts, int]]:
    """Units as (label counts, 1): the form the ``…_of_tallies`` functions take."""
    for unit in units:
        yield Counter(unit), 1


def observed_agreement(units: Iterable[Sequence[Hashable]]) -> Agreement:
    """Mean over units of the share of agreeing pairs; units with < 2 ratings are ignored."""
    return observed_agreement_of_tallies(tallies_of(units))


def observed_agreement_of_tallies(tallies: Iterable[tuple[LabelCounts, int]]) -> Agreement:
    """``observed_agreement`` of units given as (label counts of a unit, how many units have
    those counts), so a database can group the units and send a few rows."""
    # Agreeing ordered pairs summed per unit size m (each unit's share is that over
    # m(m - 1)), so the exact fractions are few however many units there are.
    agreeing_by_size: Counter[int] = Counter()
    used = 0
    for counts, units in tallies:
        m = sum(counts.values())
        if m < 2 or not units:
            continue
        used += units
        agreeing_by_size[m] += units * sum(count * (count - 1) for count in counts.values())
    if not used:
        return Agreement(None, 0)
    total = sum(Fraction(agreeing, m * (m - 1)) for m, agreeing in agreeing_by_size.items())
    return Agreement(float(total / used), used)


def cohen_kappa(pairs: Iterable[tuple[Hashable, Hashable]]) -> Agreement:
    """Cohen's kappa for two raters' labels of the same items, one (a, b) pair per item."""
    return cohen_kappa_of_table(Counter(pairs))


def cohen_kappa_of_table(table: Mapping[tuple[Hashable, Hashable], int]) -> Agreement:
    """``cohen_kappa`` from the contingency table: ``table[(a, b)]`` is the number of items
    the first rater labelled a and the second b."""
    n = sum(table.values())
    if n == 0:
        return Agreement(None, 0)
    agreeing = sum(count for (a, b), count in table.items() if a == b)
    first: Counter[Hashable] = Counter()
    second: Counter[Hashable] = Counter()
    for (a, b), count in table.items():
        first[a] += count
        second[b] += count
    # Scaled by n * n so the arithmetic stays exact: po = agreeing / n, pe = chance / n².
    chance = sum(count * second[label] for label, count in first.items())
    if chance == n * n:
        return Agreement(None, n)
    return Agreement((n * agreeing - chance) / (n * n - chance), n)


def krippendorff_alpha_nominal(units: Iterable[Sequence[Hashable]]) -> Agreement:
    """Krippendorff's alpha for nominal labels; units with < 2 values are not pairable."""
    return krippendorff_alpha_nominal_of_tallies(tallies_of(units))


def krippendorff_alpha_nominal_of_tallies(
    tallies: Iterable[tuple[LabelCounts, int]],
) -> Agreement:
    """``krippendorff_alpha_nominal`` of units given as (label counts, how many units)."""
    # Each ordered pair of values in a unit of m values adds 1/(m - 1) to o[c][k]; only the
    # off-diagonal sum of o and its row sums n_c are needed.
    # Summed per unit size m first, so the exact fractions are few however many units.
    disagreeing_by_size: Counter[int] = Counter()
    totals: Counter[Hashable] = Counter()
    pairable = 0
    for counts, units in tallies:
        m = sum(counts.values())
        if m < 2 or not units:
            continue
        pairable += units
        for label, count in counts.items():
            totals[label] += units * count
        disagreeing_by_size[m] += units * (m * m - sum(c * c for c in counts.values()))
    disagreeing = sum(
        (Fraction(value, m - 1) for m, value in disagreeing_by_size.items()), Fraction(0)
    )
    n = sum(totals.values())
    expected = n * n - sum(c * c for c in totals.values())  # sum over c != k of n_c * n_k
    if pairable == 0 or expected == 0:
        return Agreement(None, pairable)
    return Agreement(float(1 - (n - 1) * disagreeing / expected), pairable)


def pairwise_kappas(
    ratings: Mapping[Hashable, Mapping[Rater, Hashable]], *, minimum_overlap: int = 5
) -> dict[tuple[Rater, Rater], Agreement]:
    """Cohen's kappa for every pair of raters with at least ``minimum_overlap`` common items.

    ``ratings[item][rater] = label``. Keys are sorted (rater, rater) tuples, so rater keys
    must be orderable; pairs that share too few items are left out.
    """
    by_rater: dict[Rater, dict[Hashable, Hashable]] = {}
    for item, labels in ratings.items():
        for rater, label in labels.items():
            by_rater.setdefault(rater, {})[item] = label
    result: dict[tuple[Rater, Rater], Agreement] = {}
    for first, second in combinations(sorted(by_rater), 2):
        a, b = by_rater[first], by_rater[second]
        common = [item for item in a if item in b]
        if len(common) >= minimum_overlap:
            result[(first, second)] = cohen_kappa((a[item], b[item]) for item in common)
    return result
