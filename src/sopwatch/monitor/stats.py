"""Small pure statistics helpers for the checks (docs/architecture.md "Monitoring").

Rates use proportion tests against the baseline (Fisher's exact test), counts use Poisson,
cost uses robust statistics (median, MAD, share of jobs above the baseline p95). Every
function accepts empty input and returns a neutral answer (p-value 1.0, None) instead of
raising.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from scipy.stats import binom, fisher_exact, mannwhitneyu, poisson

#: Scale that makes the MAD estimate the standard deviation of normal data (1/Φ⁻¹(3/4)).
MAD_TO_SIGMA = 1.4826


def rate_higher_p(k_window: int, n_window: int, k_base: int, n_base: int) -> float:
    """One-sided p-value that the window rate ``k_window/n_window`` is higher than the
    baseline rate ``k_base/n_base`` (Fisher's exact test on the 2×2 table,
    ``alternative="greater"``). Counts are numbers of jobs/cases; 1.0 when either side has
    no observations, so "no data" never reads as a significant rise."""
    if n_window <= 0 or n_base <= 0:
        return 1.0
    table = [[k_window, n_window - k_window], [k_base, n_base - k_base]]
    _, p = fisher_exact(table, alternative="greater")
    return float(p)


def rate_differs_p(k_window: int, n_window: int, k_base: int, n_base: int) -> float:
    """Two-sided p-value that the window rate differs from the baseline rate (Fisher's
    exact test); 1.0 when either side has no observations."""
    if n_window <= 0 or n_base <= 0:
        return 1.0
    table = [[k_window, n_window - k_window], [k_base, n_base - k_base]]
    _, p = fisher_exact(table, alternative="two-sided")
    return float(p)


def poisson_low_p(observed: int, expected: float) -> float:
    """P(X ≤ observed) for X ~ Poisson(expected): small when ``observed`` is significantly
    *fewer* than expected. 1.0 when nothing was expected."""
    if expected <= 0:
        return 1.0
    return float(poisson.cdf(observed, expected))


def poisson_high_p(observed: int, expected: float) -> float:
    """P(X ≥ observed) for X ~ Poisson(expected): small when ``observed`` is significantly
    *more* than expected. With nothing expected, any observation is significant (0.0)."""
    if observed <= 0:
        return 1.0
    if expected <= 0:
        return 0.0
    return float(poisson.sf(observed - 1, expected))


def binomial_high_p(successes: int, trials: int, rate: float) -> float:
    """One-sided P(X ≥ successes) for X ~ Binomial(trials, rate); 1.0 for no trials."""
    if trials <= 0 or successes <= 0:
        return 1.0
    return float(binom.sf(successes - 1, trials, rate))


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
    (Mann–Whitney U test, ``scipy.stats.mannwhitneyu`` with ``alternative="greater"``:
    exact for small samples without ties, else the normal approximation with tie and
    continuity corrections). Rank-based, so one extreme value moves it no more than any
    other value above the baseline. 1.0 when either sample is empty or all values are
    equal."""
    if not window or not baseline:
        return 1.0
    if min(window) == max(window) == min(baseline) == max(baseline):
        return 1.0
    return float(mannwhitneyu(window, baseline, alternative="greater").pvalue)
