"""Repeated input: many jobs started by one trigger key or one input within minutes."""

from __future__ import annotations

import hashlib
import itertools
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from sopwatch.domain.enums import Severity, Source
from sopwatch.monitor.checks.repeats import RESPONSE_REPEATED, check_repeated_input
from sopwatch.monitor.checks.volume import RESPONSE_TOO_MANY
from sopwatch.monitor.context import CheckSettings

from .builders import Ctx


def _day(ctx: Ctx, per_hour: int = 1) -> None:
    """A quiet window day: ``per_hour`` jobs an hour, each with its own key and input."""
    for n in range(24 * per_hour):
        ctx.job(at=n / per_hour, trigger_key=f"record {1000 + n}", input=f"order {n}")


def _burst(
    ctx: Ctx, count: int, *, at: float = 9.0, minutes: float = 5, **fields: Any
) -> list[str]:
    """``count`` jobs evenly over ``minutes`` from ``at`` hours, with ``fields``."""
    step = minutes / max(count - 1, 1) / 60
    return [ctx.job(at=at + i * step, source=Source.TRIGGER, **fields).label for i in range(count)]


def test_a_replayed_trigger_key_is_watch_naming_the_key_the_rate_and_the_jobs() -> None:
    ctx = Ctx()
    _day(ctx)
    replayed = _burst(ctx, 6, trigger_key="record 42")
    (finding,) = check_repeated_input(ctx.build())
    assert finding.kind == "repeated_input"
    assert finding.severity == Severity.WATCH
    assert finding.title == "Trigger key 'record 42' started 6 jobs within 5.0 min (1.2 a minute)"
    assert finding.evidence["job_ids"] == replayed
    assert finding.evidence["key_kind"] == "trigger_key"
    assert finding.evidence["key"] == "record 42"
    assert (finding.evidence["count"], finding.evidence["per_minute"]) == (6, 1.2)
    assert finding.evidence["p_value"] < 0.05 / 1
    assert finding.response == RESPONSE_REPEATED
    assert finding.response.startswith(RESPONSE_TOO_MANY)


def test_thresholds_five_jobs_within_ten_minutes() -> None:
    ctx = Ctx()
    _day(ctx)
    _burst(ctx, 4, trigger_key="record 42")
    _burst(ctx, 5, at=12, minutes=60, trigger_key="record 43")  # 5 jobs, but over an hour
    (finding,) = check_repeated_input(ctx.build())
    assert finding.severity == Severity.OK
    assert finding.title == "No input or trigger key started 5 or more jobs within 10 min"
    ctx = Ctx(settings=CheckSettings(repeat_min_jobs=4))
    _day(ctx)
    _burst(ctx, 4, trigger_key="record 42")
    assert check_repeated_input(ctx.build())[0].severity == Severity.WATCH


def test_a_self_trigger_chain_is_reported_whole_and_act() -> None:
    ctx = Ctx()
    _day(ctx)
    chain = _burst(ctx, 40, at=3, minutes=78, trigger_key="ticket 7")  # one every 2 min
    (finding,) = check_repeated_input(ctx.build())
    assert finding.severity == Severity.ACT
    assert finding.evidence["job_ids"] == chain
    assert finding.title == "Trigger key 'ticket 7' started 40 jobs within 78.0 min (0.5 a minute)"


def test_a_key_every_job_shares_is_no_burst() -> None:
    ctx = Ctx()
    for n in range(24 * 12):  # every 5 minutes, all named by the trigger itself
        ctx.job(at=n / 12, trigger_key="orders-webhook")
    _burst(ctx, 8, trigger_key="orders-webhook")  # a busy moment of the same trigger
    assert check_repeated_input(ctx.build())[0].severity == Severity.OK


def test_the_baseline_tells_a_burst_from_the_assignment_s_usual_key() -> None:
    lone = Ctx()
    _burst(lone, 6, trigger_key="record 42")  # nothing else to compare with
    assert check_repeated_input(lone.build())[0].severity == Severity.OK
    quiet = Ctx()
    for n in range(100):
        quiet.baseline(1, trigger_key=f"record {n}")
    _burst(quiet, 6, trigger_key="record 42")
    assert check_repeated_input(quiet.build())[0].severity == Severity.WATCH
    usual = Ctx()
    usual.baseline(100, trigger_key="record 42")
    _burst(usual, 6, trigger_key="record 42")
    assert check_repeated_input(usual.build())[0].severity == Severity.OK


def test_the_same_input_is_named_by_its_digest_and_start() -> None:
    ctx = Ctx()
    _day(ctx)
    text = "Refund order 8812, item arrived broken. " * 4
    replayed = _burst(ctx, 5, input=text)
    (finding,) = check_repeated_input(ctx.build())
    digest = hashlib.sha256(text.encode()).hexdigest()[:12]
    assert finding.evidence["key_kind"] == "input"
    assert finding.evidence["key"] == digest
    assert finding.evidence["job_ids"] == replayed
    assert finding.title.startswith(
        f"The same input (sha256 {digest}: 'Refund order 8812, item arrived broken. Refund"
    )
    assert finding.title.endswith("…') started 5 jobs within 5.0 min (1.0 a minute)")


def test_one_burst_with_the_same_key_and_input_is_reported_once() -> None:
    ctx = Ctx()
    _day(ctx)
    _burst(ctx, 6, trigger_key="record 42", input="same")
    (finding,) = check_repeated_input(ctx.build())
    assert finding.evidence["key_kind"] == "trigger_key"


def test_inputs_cut_at_the_payload_limit_or_blank_are_left_out() -> None:
    ctx = Ctx()
    _day(ctx)
    _burst(ctx, 6, input="x" * 100, input_bytes=99_999)
    _burst(ctx, 6, at=15, input="  ")
    assert check_repeated_input(ctx.build())[0].severity == Severity.OK


_BURST = st.tuples(
    st.sampled_from(["k1", "k2", "k3"]),
    st.integers(0, 1400),  # start, minutes after the window start
    st.integers(1, 12),  # jobs
    st.integers(10, 900),  # seconds between them
)


@given(st.lists(_BURST, max_size=4))
def test_every_burst_is_one_key_chained_within_ten_minutes_and_significant(
    bursts: list[tuple[str, int, int, int]],
) -> None:
    ctx = Ctx()
    _day(ctx)
    starts: dict[str, list[float]] = {}
    labels = {}
    for key, minute, count, seconds in bursts:
        for i in range(count):
            at = minute / 60 + i * seconds / 3600
            labels[ctx.job(at=at, trigger_key=key).label] = (key, at)
            starts.setdefault(key, []).append(at * 3600)
    findings = [f for f in check_repeated_input(ctx.build()) if f.severity != Severity.OK]
    for finding in findings:
        key = finding.evidence["key"]
        times = sorted(labels[label][1] * 3600 for label in finding.evidence["job_ids"])
        assert {labels[label][0] for label in finding.evidence["job_ids"]} == {key}
        assert len(times) >= 5 and finding.evidence["count"] == len(times)
        assert all(b - a <= 600 for a, b in itertools.pairwise(times))
        assert finding.evidence["p_value"] < 0.05
        assert any(sum(1 for u in times if t <= u <= t + 600) >= 5 for t in times)
        # the chain is whole: no other job of the key starts within 10 minutes of it
        assert not [
            t for t in starts[key] if t not in times and min(abs(t - u) for u in times) <= 600
        ]
    dense = {
        k
        for k, ts in starts.items()
        if any(sum(1 for u in ts if t <= u <= t + 600) >= 5 for t in ts)
    }
    assert {f.evidence["key"] for f in findings} <= dense
    if len(bursts) == 1:  # one burst on a quiet day: when dense, always significant
        assert {f.evidence["key"] for f in findings} == dense
