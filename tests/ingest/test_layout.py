"""Spans and the even layout of runs without timestamps."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sopwatch.domain.errors import InvalidInput
from sopwatch.ingest.layout import parse_span, spread_times
from sopwatch.ingest.rows import truncate


@pytest.mark.parametrize(
    ("text", "expected"),
    [("24h", timedelta(hours=24)), ("7d", timedelta(days=7)), ("90m", timedelta(minutes=90)),
     ("2w", timedelta(weeks=2)), ("30s", timedelta(seconds=30)), ("1.5d", timedelta(hours=36))],
)  # fmt: skip
def test_parse_span(text: str, expected: timedelta) -> None:
    assert parse_span(text, "--window") == expected


@pytest.mark.parametrize("text", ["", "7", "d7", "7 days", "-1d", "0h", "1y"])
def test_parse_span_refuses_and_names_the_field(text: str) -> None:
    with pytest.raises(InvalidInput) as info:
        parse_span(text, "--spread")
    assert info.value.field == "--spread"


END = datetime(2025, 11, 26, tzinfo=UTC)


def test_spread_is_even_and_ends_at_end() -> None:
    times = spread_times(4, timedelta(days=4), END)
    assert times == [END - timedelta(days=3 - i) for i in range(4)]


@given(st.integers(min_value=0, max_value=500), st.integers(min_value=1, max_value=10**6))
def test_spread_properties(count: int, seconds: int) -> None:
    span = timedelta(seconds=seconds)
    times = spread_times(count, span, END)
    assert len(times) == count
    assert times == sorted(times)
    assert all(END - span < t <= END for t in times)
    if times:
        assert times[-1] == END


def test_truncate_keeps_short_text_and_records_full_size() -> None:
    assert truncate("short", 256) == ("short", None)
    assert truncate(None, 256) == (None, None)
    text = "é" * 300  # 600 UTF-8 bytes
    cut, size = truncate(text, 256)
    assert size == 600
    assert cut is not None and len(cut.encode()) <= 256 and text.startswith(cut)
