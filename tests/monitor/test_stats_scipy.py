"""The p-values of ``monitor.stats`` are ``scipy.stats``' own, on many inputs.

``monitor.stats`` does without ``scipy.stats`` (slow to import) and calls the
distribution functions of ``scipy.special`` as ``scipy.stats`` does. These tests import
``scipy.stats`` (only here) and compare: the Poisson, binomial and Fisher p-values must be
the same float; Mann–Whitney's to 1e-12 relative (its exact distribution is counted in
integers here, in floats by SciPy, whose rounding reaches ~2e-13 relative with 4,000
values). An upgrade of SciPy that changed what these functions compute fails here.
"""

from __future__ import annotations

import math

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from scipy import stats as scipy_stats

from sopwatch.monitor.stats import (
    binomial_high_p,
    mann_whitney_greater_p,
    poisson_high_p,
    poisson_low_p,
    rate_differs_p,
    rate_higher_p,
)

#: Counts as the checks see them: a handful, or a day of jobs, or a baseline of a million.
counts = st.one_of(
    st.integers(0, 30), st.integers(0, 2_000), st.integers(0, 1_000_000)
)  # fmt: skip
#: Expected counts and rates, including tiny and huge ones.
expected = st.one_of(
    st.floats(1e-9, 10, allow_nan=False),
    st.floats(10, 1e6, allow_nan=False),
)
MANY = settings(max_examples=400, deadline=None)


@st.composite
def tables(draw: st.DrawFn) -> tuple[int, int, int, int]:
    """(k_window, n_window, k_base, n_base) with 0 ≤ k ≤ n and n ≥ 1."""
    n_window = draw(st.integers(1, draw(st.sampled_from([10, 300, 20_000]))))
    n_base = draw(st.integers(1, draw(st.sampled_from([10, 300, 200_000]))))
    k_window = draw(st.integers(0, n_window))
    k_base = draw(st.integers(0, n_base))
    return k_window, n_window, k_base, n_base


def _fisher(table: tuple[int, int, int, int], alternative: str) -> float:
    k_window, n_window, k_base, n_base = table
    cells = [[k_window, n_window - k_window], [k_base, n_base - k_base]]
    return float(scipy_stats.fisher_exact(cells, alternative=alternative).pvalue)


@MANY
@given(tables())
def test_rate_higher_is_scipys_fisher_greater(table: tuple[int, int, int, int]) -> None:
    assert rate_higher_p(*table) == _fisher(table, "greater")


@MANY
@given(tables())
def test_rate_differs_is_scipys_fisher_two_sided(table: tuple[int, int, int, int]) -> None:
    assert rate_differs_p(*table) == _fisher(table, "two-sided")


@pytest.mark.parametrize(
    "table",
    [
        (0, 10, 0, 10),  # an empty column: p = 1
        (10, 10, 5, 5),
        (5, 10, 5, 10),  # the observed table is the most likely one
        (3, 6, 3, 6),  # symmetric: the binary search meets equal probabilities
        (22, 38, 30, 38),  # tables as likely as the observed one, but for rounding
        (8, 47, 32, 47),
        (0, 1, 1, 1),
        (1, 1, 0, 1_000_000),
        (2_000, 20_000, 1, 200_000),  # probabilities below the smallest float
        (25, 25, 0, 199),
    ],
)
def test_fisher_corner_tables(table: tuple[int, int, int, int]) -> None:
    assert rate_higher_p(*table) == _fisher(table, "greater")
    assert rate_differs_p(*table) == _fisher(table, "two-sided")


def test_fisher_refuses_a_count_above_its_total_as_scipy_does() -> None:
    with pytest.raises(ValueError):
        _fisher((5, 4, 0, 10), "greater")
    with pytest.raises(ValueError):
        rate_higher_p(5, 4, 0, 10)
    with pytest.raises(ValueError):
        rate_differs_p(0, 10, -1, 10)


@MANY
@given(counts, expected)
def test_poisson_tails_are_scipys(observed: int, mean: float) -> None:
    assert poisson_low_p(observed, mean) == float(scipy_stats.poisson.cdf(observed, mean))
    high = float(scipy_stats.poisson.sf(observed - 1, mean)) if observed > 0 else 1.0
    assert poisson_high_p(observed, mean) == high


@MANY
@given(
    st.integers(1, 1_000_000),
    st.floats(0, 1),
    st.floats(0, 1.05),
)
def test_binomial_tail_is_scipys(trials: int, rate: float, share: float) -> None:
    successes = max(1, round(share * trials))
    got = binomial_high_p(successes, trials, rate)
    assert got == float(scipy_stats.binom.sf(successes - 1, trials, rate))


def test_binomial_tail_corners() -> None:
    for successes, trials, rate in [(1, 1, 0.0), (1, 1, 1.0), (5, 4, 0.5), (3, 10, 1.0)]:
        want = float(scipy_stats.binom.sf(successes - 1, trials, rate))
        assert binomial_high_p(successes, trials, rate) == want
    assert math.isnan(binomial_high_p(1, 10, 1.5))
    assert math.isnan(float(scipy_stats.binom.sf(0, 10, 1.5)))


def _mann_whitney(window: list[float], baseline: list[float]) -> float:
    return float(scipy_stats.mannwhitneyu(window, baseline, alternative="greater").pvalue)


durations = st.floats(0, 1e6, allow_nan=False, allow_infinity=False)
#: Durations rounded to a few values, so that samples share values (ties).
tied = st.integers(0, 12).map(float)


@MANY
@given(st.lists(tied, min_size=1, max_size=60), st.lists(tied, min_size=1, max_size=300))
def test_mann_whitney_with_ties_is_scipys(window: list[float], baseline: list[float]) -> None:
    assume(not min(window) == max(window) == min(baseline) == max(baseline))
    assert mann_whitney_greater_p(window, baseline) == pytest.approx(
        _mann_whitney(window, baseline), rel=1e-12, abs=0
    )


@MANY
@given(
    st.lists(durations, min_size=1, max_size=40, unique=True),
    st.lists(durations, min_size=1, max_size=400, unique=True),
    st.booleans(),
)
def test_mann_whitney_without_ties_is_scipys(
    window: list[float], baseline: list[float], swap: bool
) -> None:
    """Exact (a sample of at most 8) or normal (both larger) as SciPy chooses."""
    assume(not set(window) & set(baseline))
    if swap:
        window, baseline = baseline, window
    assert mann_whitney_greater_p(window, baseline) == pytest.approx(
        _mann_whitney(window, baseline), rel=1e-12, abs=0
    )


@settings(max_examples=25, deadline=None)
@given(st.integers(1, 8), st.integers(500, 2_000), st.integers(0, 2**32), st.floats(0, 1))
def test_mann_whitney_exact_on_large_baselines(m: int, n: int, seed: int, shift: float) -> None:
    """The exact distribution of a few window values against a large baseline sample, at
    any U (``shift`` moves the window from below the baseline to above it)."""
    values = [float((seed * 7_919 + i * 104_729) % 10_000_019) for i in range(m + n)]  # distinct
    ordered = sorted(values)
    at = round(shift * n)
    window, baseline = ordered[at : at + m], ordered[:at] + ordered[at + m :]
    assert mann_whitney_greater_p(window, baseline) == pytest.approx(
        _mann_whitney(window, baseline), rel=1e-12, abs=0
    )


def test_mann_whitney_tails() -> None:
    """The smallest and largest U: the exact test's extreme probabilities."""
    for window, baseline in [([5.0], [1.0, 2.0]), ([0.0], [1.0, 2.0]), ([9.0, 8.0], [3.0])]:
        assert mann_whitney_greater_p(window, baseline) == pytest.approx(
            _mann_whitney(window, baseline), rel=1e-12, abs=0
        )
    assert mann_whitney_greater_p([3.0] * 4, [3.0] * 9) == 1.0
