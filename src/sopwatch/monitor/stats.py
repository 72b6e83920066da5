"""Small pure statistics helpers for the checks (docs/architecture.md "Monitoring").

Rates use proportion tests against the baseline (Fisher's exact test), counts use Poisson,
cost uses robust statistics (median, MAD, share of jobs above the baseline p95). Every
function accepts empty input and returns a neutral answer (p-value 1.0, None) instead of
raising.

The p-values are SciPy's, computed without ``scipy.stats``, which takes ~0.8 s to import
(more than the rest of ``sopwatch check``): the distribution functions come from
``scipy.special`` (~0.3 s, docs/performance.md "Start-up"), called with the arguments
``scipy.stats`` (1.17) gives them, and the tests (tests/monitor/test_stats_scipy.py)
compare each function here with its ``scipy.stats`` counterpart on many inputs:

- Poisson tails: ``pdtr``/``pdtrc``, as ``scipy.stats.poisson`` calls them.
- Binomial tail and Fisher's exact test: Boost's binomial and hypergeometric functions,
  which ``scipy.stats.binom`` and ``scipy.stats.hypergeom`` call (``_binom_sf``,
  ``_hypergeom_pmf``/``_cdf``/``_sf``: private names of ``scipy.special._ufuncs`` since
  SciPy 1.14), with ``scipy.stats.fisher_exact``'s algorithm. The public ``bdtrc``
  (Cephes) differs from Boost's by up to 1e-10 relative, and more in deep tails.
- Mann–Whitney U: the normal approximation with ``ndtr``; the exact distribution (small
  samples without ties) counted in integers.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from scipy.special import _ufuncs as boost  # the Boost distributions scipy.stats uses
from scipy.special import ndtr, pdtr, pdtrc

#: Scale that makes the MAD estimate the standard deviation of normal data (1/Φ⁻¹(3/4)).
MAD_TO_SIGMA = 1.4826
#: ``scipy.stats.fisher_exact``: two tables whose probabilities differ by less than this
#: share are equally likely (two-sided test).
FISHER_TIE = 1e-14


def _clip(p: float) -> float:
    """``p`` within [0, 1], as ``scipy.stats`` returns probabilities."""
    return min(max(float(p), 0.0), 1.0)


def rate_higher_p(k_window: int, n_window: int, k_base: int, n_base: int) -> float:
    """One-sided p-value that the window rate ``k_window/n_window`` is higher than the
    baseline rate ``k_base/n_base`` (Fisher's exact test on the 2×2 table,
    ``alternative="greater"``, as ``scipy.stats.fisher_exact``). Counts are numbers of
    jobs/cases; 1.0 when either side has no observations, so "no data" never reads as a
    significant rise. Raises ``ValueError`` for a count above its total or below 0."""
    if n_window <= 0 or n_base <= 0:
        return 1.0
    table = _table(k_window, n_window, k_base, n_base)
    if table is None:
        return 1.0
    _, c01, _, c11 = table
    # P(a table at least as extreme): the hypergeometric CDF of the second column.
    return min(_hyper_cdf(c01, n_window + n_base, n_window, c01 + c11), 1.0)


def rate_differs_p(k_window: int, n_window: int, k_base: int, n_base: int) -> float:
    """Two-sided p-value that the window rate differs from the baseline rate (Fisher's
    exact test, as ``scipy.stats.fisher_exact``: the probability of the tables no more
    likely than the one observed, ``FISHER_TIE`` allowing for rounding); 1.0 when either
    side has no observations. Raises ``ValueError`` for a count above its total or below
    0."""
    if n_window <= 0 or n_base <= 0:
        return 1.0
    table = _table(k_window, n_window, k_base, n_base)
    if table is None:
        return 1.0
    c00 = table[0]
    total, n1, n = n_window + n_base, n_window, k_window + k_base

    def pmf(x: int) -> float:
        return _hyper_pmf(x, total, n1, n)

    mode = int(float((n + 1) * (n1 + 1)) / float(total + 2))
    exact, at_mode = pmf(c00), pmf(mode)
    gamma = 1 + FISHER_TIE
    larger = max(exact, at_mode)
    if larger > 0 and abs(exact - at_mode) / larger <= FISHER_TIE:
        return 1.0
    if c00 < mode:
        lower = _hyper_cdf(c00, total, n1, n)
        if pmf(n) > exact * gamma:
            return min(lower, 1.0)
        guess = _search(lambda x: -pmf(x), -exact * gamma, mode, n)
        return min(lower + _hyper_sf(guess, total, n1, n), 1.0)
    upper = _hyper_sf(c00 - 1, total, n1, n)
    if pmf(0) > exact * gamma:
        return min(upper, 1.0)
    guess = _search(pmf, exact * gamma, 0, mode)
    return min(upper + _hyper_cdf(guess, total, n1, n), 1.0)


def _table(k_window: int, n_window: int, k_base: int, n_base: int) -> tuple[int, ...] | None:
    """The 2×2 table ``(k_window, n_window − k_window, k_base, n_base − k_base)``, or None
    when a column is empty (then every table is the one observed: p = 1)."""
    table = (k_window, n_window - k_window, k_base, n_base - k_base)
    if min(table) < 0:
        raise ValueError("All values in `table` must be nonnegative.")
    if table[0] + table[2] == 0 or table[1] + table[3] == 0:
        return None
    return table


def _search(f: Callable[[int], float], d: float, lo: int, hi: int) -> int:
    """The ``i`` in [lo, hi] with ``f(i) <= d < f(i + 1)`` for ``f`` ascending there
    (``scipy.stats``' binary search of its two-sided binomial and Fisher tests)."""
    while lo < hi:
        mid = lo + (hi - lo) // 2
        value = f(mid)
        if value < d:
            lo = mid + 1
        elif value > d:
            hi = mid - 1
        else:
            return mid
    return lo if f(lo) <= d else lo - 1


def _hyper_support(total: int, good: int, draws: int) -> tuple[int, int]:
    """The values a hypergeometric count can take: draws from ``total`` items of which
    ``good`` are good."""
    return max(draws - (total - good), 0), min(good, draws)


def _hyper_pmf(k: int, total: int, good: int, draws: int) -> float:
    """P(X = k), X ~ Hypergeometric(total, good, draws) (``scipy.stats.hypergeom.pmf``)."""
    low, high = _hyper_support(total, good, draws)
    if not low <= k <= high:
        return 0.0
    return _clip(boost._hypergeom_pmf(float(k), float(good), float(draws), float(total)))


def _hyper_cdf(k: int, total: int, good: int, draws: int) -> float:
    """P(X ≤ k) (``scipy.stats.hypergeom.cdf``)."""
    low, high = _hyper_support(total, good, draws)
    if k >= high:
        return 1.0
    if k < low:
        return 0.0
    return _clip(boost._hypergeom_cdf(float(k), float(good), float(draws), float(total)))


def _hyper_sf(k: int, total: int, good: int, draws: int) -> float:
    """P(X > k) (``scipy.stats.hypergeom.sf``)."""
    low, high = _hyper_support(total, good, draws)
    if k < low:
        return 1.0
    if k >= high:
        return 0.0
    return _clip(boost._hypergeom_sf(float(k), float(good), float(draws), float(total)))


def poisson_low_p(observed: int, expected: float) -> float:
    """P(X ≤ observed) for X ~ Poisson(expected): small when ``observed`` is significantly
    *fewer* than expected. 1.0 when nothing was expected."""
    if expected <= 0:
        return 1.0
    if observed < 0:
        return 0.0
    return _clip(pdtr(float(math.floor(observed)), float(expected)))


def poisson_high_p(observed: int, expected: float) -> float:
    """P(X ≥ observed) for X ~ Poisson(expected): small when ``observed`` is significantly
    *more* than expected. With nothing expected, any observation is significant (0.0)."""
    if observed <= 0:
        return 1.0
    if expected <= 0:
        return 0.0
    return _clip(pdtrc(float(math.floor(observed - 1)), float(expected)))


def binomial_high_p(successes: int, trials: int, rate: float) -> float:
    """One-sided P(X ≥ successes) for X ~ Binomial(trials, rate); 1.0 for no trials; NaN
    for a rate outside [0, 1] (as ``scipy.stats.binom.sf``)."""
    if trials <= 0 or successes <= 0:
        return 1.0
    if not 0.0 <= rate <= 1.0:
        return math.nan
    if successes > trials:
        return 0.0
    return _clip(boost._binom_sf(float(successes - 1), float(trials), float(rate)))


def median(values: Sequence[float]) -> float | None:
    """The median of ``values``; None when empty."""
    return percentile(values, 50.0)


def percentile(values: Sequence[float], q: float) -> float | None:
    """The ``q``-th percentile (0..100) with linear interpolation between closest ranks
    (NumPy's default method); None when ``values`` is empty."""
    if not values:
        return None
    ordered = sorted(values)
    position = (len(ordered) - 1) * min(max(q, 0.0), 100.0) / 100.0
    low = math.floor(position)
    high = min(low + 1, len(ordered) - 1)
    fraction = position - low
    return ordered[low] + (ordered[high] - ordered[low]) * fraction


def mad(values: Sequence[float]) -> float | None:
    """Median absolute deviation from the median (unscaled); None when empty."""
    centre = median(values)
    if centre is None:
        return None
    return median([abs(v - centre) for v in values])


def share_above(values: Sequence[float], threshold: float) -> float:
    """Share (0..1) of ``values`` strictly above ``threshold``; 0.0 when empty."""
    if not values:
        return 0.0
    return sum(1 for v in values if v > threshold) / len(values)


@dataclass(frozen=True, kw_only=True, slots=True)
class SpreadComparison:
    """Robust comparison of a window sample with a baseline sample (same unit as input).

    ``median_ratio`` is window median / baseline median (``inf`` when the baseline median
    is 0 and the window's is not; None when both are 0). ``robust_z`` is
    (window median − baseline median) / (1.4826 × baseline MAD), None when the MAD is 0.
    ``share_above_p95`` is the share of window values above the baseline's 95th percentile
    (or above ``min_ratio_above`` × the baseline median when that is higher);
    ``count_above_p95`` how many they are, of ``window_count``.
    """

    window_mean: float
    window_median: float
    baseline_mean: float
    baseline_median: float
    baseline_p95: float
    baseline_mad: float
    median_ratio: float | None
    robust_z: float | None
    share_above_p95: float
    count_above_p95: int
    window_count: int


def compare_spread(
    window: Sequence[float], baseline: Sequence[float], *, min_ratio_above: float = 1.0
) -> SpreadComparison | None:
    """Compare two samples (e.g. cost per job in micro-dollars) robustly; None when either
    sample is empty. Median, MAD and p95 are insensitive to a few extreme jobs, so a
    rising median means consistent drift and a high share above p95 means many outliers.
    ``min_ratio_above`` raises the "above p95" bar to that multiple of the baseline median
    when the baseline is so narrow that its p95 is barely above its median."""
    if not window or not baseline:
        return None
    w_med = median(window)
    b_med = median(baseline)
    b_p95 = percentile(baseline, 95.0)
    b_mad = mad(baseline)
    assert w_med is not None and b_med is not None and b_p95 is not None and b_mad is not None
    if b_med > 0:
        ratio: float | None = w_med / b_med
    else:
        ratio = math.inf if w_med > 0 else None
    z = (w_med - b_med) / (MAD_TO_SIGMA * b_mad) if b_mad > 0 else None
    threshold = max(b_p95, min_ratio_above * b_med)
    return SpreadComparison(
        window_mean=sum(window) / len(window),
        window_median=w_med,
        baseline_mean=sum(baseline) / len(baseline),
        baseline_median=b_med,
        baseline_p95=b_p95,
        baseline_mad=b_mad,
        median_ratio=ratio,
        robust_z=z,
        share_above_p95=share_above(window, threshold),
        count_above_p95=sum(1 for v in window if v > threshold),
        window_count=len(window),
    )


def mann_whitney_greater_p(window: Sequence[float], baseline: Sequence[float]) -> float:
    """One-sided p-value that ``window`` values tend to be larger than ``baseline`` values
    (Mann–Whitney U test, as ``scipy.stats.mannwhitneyu`` with ``alternative="greater"``:
    exact when a sample has at most 8 values and there are no ties, else the normal
    approximation with tie and continuity corrections). Rank-based, so one extreme value
    moves it no more than any other value above the baseline. 1.0 when either sample is
    empty or all values are equal."""
    if not window or not baseline:
        return 1.0
    if min(window) == max(window) == min(baseline) == max(baseline):
        return 1.0
    n1, n2 = len(window), len(baseline)
    values = [float(v) for v in window] + [float(v) for v in baseline]
    order = sorted(range(len(values)), key=values.__getitem__)
    twice_ranks = [0] * len(values)  # twice the average rank: an integer
    ties: list[int] = []  # the size of each group of equal values
    start = 0
    while start < len(order):
        end = start
        while end + 1 < len(order) and values[order[end + 1]] == values[order[start]]:
            end += 1
        for i in order[start : end + 1]:
            twice_ranks[i] = start + end + 2  # ranks start + 1 … end + 1, averaged
        ties.append(end - start + 1)
        start = end + 1
    u1 = sum(twice_ranks[:n1]) / 2 - n1 * (n1 + 1) / 2
    if (n1 > 8 and n2 > 8) or max(ties) > 1:
        return _mann_whitney_normal(u1, n1, n2, ties)
    return _mann_whitney_exact(int(u1), n1, n2)


def _mann_whitney_normal(u: float, n1: int, n2: int, ties: list[int]) -> float:
    """P(U ≥ u) by the normal approximation with tie and continuity corrections, in the
    order ``scipy.stats.mannwhitneyu`` computes it."""
    n = n1 + n2
    tie_term = float(sum(t**3 - t for t in ties))
    s = math.sqrt(n1 * n2 / 12 * ((n + 1) - tie_term / (n * (n - 1))))
    z = (u - n1 * n2 / 2 - 0.5) / s
    return _clip(ndtr(-z))


def _mann_whitney_exact(u: int, n1: int, n2: int) -> float:
    """P(U ≥ u) for samples of ``n1`` and ``n2`` values without ties: the share of the
    C(n1 + n2, n1) orderings whose U is at least ``u``, counted exactly. U is symmetric
    around n1·n2/2, so the shorter tail is counted."""
    m, big = min(n1, n2), max(n1, n2)
    most = m * big
    tail = u < most - u  # count U ≥ u as 1 − P(U < u), else as P(U ≤ most − u)
    top = u - 1 if tail else most - u
    counts = _u_counts(m, big, max(top, 0))
    total = math.comb(n1 + n2, n1)
    below = sum(counts[: top + 1]) if top >= 0 else 0
    return _clip((total - below) / total if tail else below / total)


def _u_counts(m: int, n: int, top: int) -> list[int]:
    """How many orderings of ``m`` and ``n`` values give U = 0, 1, …, ``top``: the
    coefficients of the Gaussian binomial ∏ᵢ (1 − q^(n+i)) / (1 − q^i), i = 1 … m."""
    counts = [1] + [0] * top
    for i in range(1, m + 1):
        step = n + i
        for j in range(top, step - 1, -1):  # × (1 − q^(n+i))
            counts[j] -= counts[j - step]
        for j in range(i, top + 1):  # ÷ (1 − q^i)
            counts[j] += counts[j - i]
    return counts
