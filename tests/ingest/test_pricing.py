"""Estimated model-step costs: exact figures from genai-prices' bundled prices, the model
names real logs use, and the fast per-tier rates agreeing with ``calc_price`` itself."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from genai_prices import Usage, calc_price
from hypothesis import given, settings
from hypothesis import strategies as st
from tests.conftest import BUNDLED_DATA

from sopwatch.domain.enums import JobStatus, StepKind
from sopwatch.ingest.pricing import Pricer
from sopwatch.ingest.records import RunRecord, StepRecord

AT = datetime(2026, 3, 1, tzinfo=UTC)


def _step(seq: int = 1, kind: StepKind = StepKind.MODEL, **extra: object) -> StepRecord:
    return StepRecord(seq=seq, kind=kind, name="call", **extra)  # type: ignore[arg-type]


def _tokens(
    inputs: int, outputs: int, read: int | None = None, write: int | None = None
) -> StepRecord:
    return _step(
        input_tokens=inputs, output_tokens=outputs, cache_read_tokens=read, cache_write_tokens=write
    )


def _run(*steps: StepRecord, model: str | None = None) -> RunRecord:
    return RunRecord(
        external_id="r", status=JobStatus.COMPLETED, created_at=AT, model=model, steps=steps
    )


def test_gpt_4o_exact_micro_dollars() -> None:
    """gpt-4o: $2.50/M input, $10/M output, $1.25/M cache reads (genai-prices' data)."""
    pricer = Pricer()
    assert pricer.cost_micros("gpt-4o", _tokens(1000, 100), AT) == 2_500 + 1_000
    # 200 of the 1,000 input tokens were cache reads: 800 x 2.5 + 200 x 1.25 + 100 x 10
    assert pricer.cost_micros("gpt-4o", _tokens(1000, 100, read=200), AT) == 3_250


def test_cache_writes_at_the_cache_write_price() -> None:
    """claude-sonnet-4-5: $3/M input, $15/M output, $0.30/M reads, $3.75/M writes."""
    step = _tokens(10_000, 1_000, read=4_000, write=2_000)
    cost = Pricer().cost_micros("claude-sonnet-4-5", step, AT)
    # 4,000 uncached x 3 + 4,000 read x 0.30 + 2,000 written x 3.75 + 1,000 out x 15
    assert cost == 12_000 + 1_200 + 7_500 + 15_000


@pytest.mark.parametrize(
    ("name", "same_as"),
    [
        ("openai/gpt-4o", "gpt-4o"),
        ("anthropic/claude-sonnet-4-5", "claude-sonnet-4-5"),
        ("openrouter/anthropic/claude-sonnet-4-5", "claude-sonnet-4-5"),
        ("gpt-4.1-2025-04-14", "gpt-4.1"),
        ("GPT-4o", "gpt-4o"),
    ],
)
def test_real_model_names(name: str, same_as: str) -> None:
    pricer = Pricer()
    step = _tokens(123_456, 7_890)
    cost = pricer.cost_micros(name, step, AT)
    assert cost is not None and cost == pricer.cost_micros(same_as, step, AT)


def test_the_bundled_tau2_models_are_known() -> None:
    names = {
        json.loads(path.read_text())["info"]["agent_info"]["llm"]
        for path in (BUNDLED_DATA / "tau2-bench").glob("*.json")
    }
    assert "openai/gpt-oss-120b" in names
    pricer = Pricer()
    for name in sorted([*names, "o3-mini", "gpt-4o", "claude-sonnet-4-5"]):
        assert pricer.cost_micros(name, _tokens(1_000, 100), AT) is not None, name


def test_an_unknown_model_has_no_price() -> None:
    assert Pricer().cost_micros("acme/llm-9000", _tokens(1_000, 100), AT) is None


MODELS = [
    "gpt-4o",
    "gpt-4.1-mini-2025-04-14",
    "o3-mini",
    "claude-sonnet-4-5",  # tiered: above 200k input tokens every token costs more
    "gemini-2.5-pro",  # tiered
    "gpt-5.4",  # tiered
    "openai/gpt-oss-120b",
    "deepseek-chat",  # prices by time of day
]


@settings(max_examples=300, deadline=None)
@given(
    name=st.sampled_from(MODELS),
    inputs=st.one_of(st.integers(0, 2_000_000), st.sampled_from([199_999, 200_000, 200_001])),
    outputs=st.integers(0, 200_000),
    read_share=st.floats(0, 1),
    write_share=st.floats(0, 1),
    hour=st.integers(0, 23),
)
def test_the_fast_rates_equal_calc_price(
    name: str, inputs: int, outputs: int, read_share: float, write_share: float, hour: int
) -> None:
    """Per-tier linear rates give exactly what ``genai_prices.calc_price`` gives, in
    micro-USD rounded half to even, whatever the tier, cache mix or time of day."""
    read = int(inputs * read_share)
    write = int((inputs - read) * write_share)
    at = AT.replace(hour=hour)
    ref, provider = (name.split("/", 1)[1], name.split("/")[0]) if "/" in name else (name, None)
    usage = Usage(
        input_tokens=inputs, output_tokens=outputs, cache_read_tokens=read, cache_write_tokens=write
    )
    expected = calc_price(usage, ref, provider_id=provider, genai_request_timestamp=at)
    got = Pricer().cost_micros(name, _tokens(inputs, outputs, read, write), at)
    assert got == round(expected.total_price * 1_000_000)


def test_run_costs_estimates_only_model_steps_without_a_cost() -> None:
    run = _run(
        _step(1, input_tokens=1000, output_tokens=100),  # run's model: estimated
        _step(2, StepKind.TOOL, input_tokens=1000, output_tokens=100),  # tool: never
        _step(3, input_tokens=1000, output_tokens=100, cost_micros=7),  # its own cost stands
        _step(4, input_tokens=1000),  # no output count: left unknown, not an unknown model
        _step(5, input_tokens=1000, output_tokens=100, model="acme-9"),  # unknown model
        model="gpt-4o",
    )
    costs = Pricer().run_costs(run)
    assert costs is not None
    assert costs.costs == [3_500, None, 7, None, None]
    assert costs.estimated == [True, False, False, False, False]
    assert costs.unknown == ["acme-9"]


def test_run_costs_is_none_when_nothing_needs_an_estimate() -> None:
    run = _run(_step(1, cost_micros=5, input_tokens=1), _step(2, StepKind.TOOL), model="gpt-4o")
    assert Pricer().run_costs(run) is None
