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
"""

from collections import Counter
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from itertools import combinations


@dataclass(frozen=True)
class Agreement:
    """A measure and the number of items it rests on.

    ``value`` is None when the measure is undefined: there were no usable items, or every
    rating was the same label so the disagreement expected by chance is zero. Show it as
    "not enough data" (with ``items``), never as 0 or 1.
    """

    value: float | None
    items: int


def observed_agreement(units: Iterable[Sequence[Hashable]]) -> Agreement:
    """Mean over units of the share of agreeing pairs; units with < 2 ratings are ignored."""
    # Agreeing ordered pairs summed per unit size m (each unit's share is that over
    # m(m - 1)), so the exact fractions are few however many units there are.
    agreeing_by_size: Counter[int] = Counter()
    used = 0
    for unit in units:
        m = len(unit)
        if m < 2:
            continue
        used += 1
        agreeing_by_size[m] += sum(count * (count - 1) for count in Counter(unit).values())
    if not used:
        return Agreement(None, 0)
    total = sum(Fraction(agreeing, m * (m - 1)) for m, agreeing in agreeing_by_size.items())
    return Agreement(float(total / used), used)


def cohen_kappa(pairs: Iterable[tuple[Hashable, Hashable]]) -> Agreement:
    """Cohen's kappa for two raters' labels of the same items, one (a, b) pair per item."""
    pairs = list(pairs)
    n = len(pairs)
    if n == 0:
        return Agreement(None, 0)
    agreeing = sum(1 for a, b in pairs if a == b)
    first = Counter(a for a, _ in pairs)
    second = Counter(b for _, b in pairs)
    # Scaled by n * n so the arithmetic stays exact: po = agreeing / n, pe = chance / n².
    chance = sum(count * second[label] for label, count in first.items())
    if chance == n * n:
        return Agreement(None, n)
    return Agreement((n * agreeing - chance) / (n * n - chance), n)


def krippendorff_alpha_nominal(units: Iterable[Sequence[Hashable]]) -> Agreement:
    """Krippendorff's alpha for nominal labels; units with < 2 values are not pairable."""
    # Each ordered pair of values in a unit of m values adds 1/(m - 1) to o[c][k]; only the
    # off-diagonal sum of o and its row sums n_c are needed.
    # Summed per unit size m first, so the exact fractions are few however many units.
    disagreeing_by_size: Counter[int] = Counter()
    totals: Counter[Hashable] = Counter()
    pairable = 0
    for unit in units:
        m = len(unit)
        if m < 2:
            continue
        pairable += 1
        counts = Counter(unit)
        totals.update(counts)
        disagreeing_by_size[m] += m * m - sum(c * c for c in counts.values())
    disagreeing = sum(
        (Fraction(value, m - 1) for m, value in disagreeing_by_size.items()), Fraction(0)
    )
    n = sum(totals.values())
    expected = n * n - sum(c * c for c in totals.values())  # sum over c != k of n_c * n_k
    if pairable == 0 or expected == 0:
        return Agreement(None, pairable)
    return Agreement(float(1 - (n - 1) * disagreeing / expected), pairable)


def pairwise_kappas(
    ratings: Mapping[Hashable, Mapping[Hashable, Hashable]], *, minimum_overlap: int = 5
) -> dict[tuple, Agreement]:
    """Cohen's kappa for every pair of raters with at least ``minimum_overlap`` common items.

    ``ratings[item][rater] = label``. Keys are sorted (rater, rater) tuples, so rater keys
    must be orderable; pairs that share too few items are left out.
    """
    by_rater: dict[Hashable, dict[Hashable, Hashable]] = {}
    for item, labels in ratings.items():
        for rater, label in labels.items():
            by_rater.setdefault(rater, {})[item] = label
    result: dict[tuple, Agreement] = {}
    for first, second in combinations(sorted(by_rater), 2):
        a, b = by_rater[first], by_rater[second]
        common = [item for item in a if item in b]
        if len(common) >= minimum_overlap:
            result[(first, second)] = cohen_kappa((a[item], b[item]) for item in common)
    return result
