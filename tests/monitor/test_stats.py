"""Statistics helpers: proportion and Poisson tests, percentiles, robust spread."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from sopwatch.monitor.stats import (
    compare_spread,
    mad,
    median,
    percentile,
    poisson_high_p,
    poisson_low_p,
    rate_differs_p,
    rate_higher_p,
    share_above,
)

values = st.lists(st.floats(min_value=0, max_value=1e9, allow_nan=False), min_size=1, max_size=50)


def test_rate_higher_is_one_sided() -> None:
    assert rate_higher_p(20, 100, 1, 100) < 0.001
    assert rate_higher_p(1, 100, 20, 100) > 0.99
    assert rate_higher_p(5, 100, 5, 100) > 0.5


def test_rates_without_observations_are_never_significant() -> None:
    assert rate_higher_p(3, 3, 0, 0) == 1.0
    assert rate_higher_p(0, 0, 3, 10) == 1.0
    assert rate_differs_p(0, 0, 0, 0) == 1.0


def test_rate_differs_is_two_sided() -> None:
    assert rate_differs_p(1, 100, 20, 100) < 0.001
    assert rate_differs_p(20, 100, 1, 100) < 0.001


def test_poisson_tails() -> None:
    assert poisson_low_p(0, 10) == pytest.approx(math.exp(-10))
    assert poisson_high_p(20, 5) < 0.001
    assert poisson_high_p(5, 5) > 0.3
    assert poisson_high_p(1, 0) == 0.0
    assert poisson_high_p(0, 0) == 1.0
    assert poisson_low_p(0, 0) == 1.0


def test_empty_inputs_give_none() -> None:
    assert median([]) is None
    assert percentile([], 95) is None
    assert mad([]) is None
    assert share_above([], 1.0) == 0.0
    assert compare_spread([], [1.0]) is None
    assert compare_spread([1.0], []) is None


@given(values, st.floats(min_value=0, max_value=100))
def test_percentile_matches_numpy(data: list[float], q: float) -> None:
    assert percentile(data, q) == pytest.approx(float(np.percentile(data, q)), rel=1e-9, abs=1e-6)


@given(values, st.floats(min_value=0, max_value=100), st.floats(min_value=0, max_value=100))
def test_percentile_is_monotonic_in_q(data: list[float], q1: float, q2: float) -> None:
    low, high = sorted((q1, q2))
    assert percentile(data, low) <= percentile(data, high)  # type: ignore[operator]


@given(values)
def test_median_ignores_order(data: list[float]) -> None:
    assert median(data) == median(list(reversed(data)))


def test_mad_of_known_values() -> None:
    assert mad([1, 1, 2, 2, 4, 6, 9]) == 1


def test_compare_spread_reads_drift_and_outliers() -> None:
    base = [10.0, 11.0, 9.0, 10.0, 12.0, 8.0, 10.0]
    drift = compare_spread([20.0, 21.0, 19.0], base)
    assert drift is not None and drift.median_ratio == pytest.approx(2.0)
    assert drift.share_above_p95 == 1.0
    same = compare_spread(base, base)
    assert same is not None and same.median_ratio == 1.0 and same.share_above_p95 < 0.2
    zero = compare_spread([1.0], [0.0, 0.0])
    assert zero is not None and zero.median_ratio == math.inf and zero.robust_z is None
