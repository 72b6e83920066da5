"""Duplicate side effects: the same write succeeding twice, in one job or across jobs."""

from __future__ import annotations

import hashlib
import json
from dataclasses import replace
from datetime import timedelta
from typing import Any

from hypothesis import assume, example, given
from hypothesis import strategies as st

from sopwatch.domain.enums import Severity
from sopwatch.monitor.checks.duplicates import (
    MAX_DUPLICATE_FINDINGS,
    RESPONSE_DUPLICATE,
    check_duplicate_side_effects,
)
from sopwatch.monitor.context import CheckSettings

from .builders import WINDOW_START, Ctx, model, tool

REPORT = json.dumps({"report": "weekly-ops", "to": "ops@x"}, sort_keys=True, separators=(",", ":"))


def _send(arguments: str = REPORT, **extra: Any) -> list[dict[str, Any]]:
    return [model(0.01), tool("send_report", arguments) | extra]


def test_the_same_report_sent_by_three_jobs_15_minutes_apart_is_act_3_times() -> None:
    """Issue #6 must-show."""
    ctx = Ctx()
    jobs = [ctx.job(at=1 + 0.25 * i, steps=_send()) for i in range(3)]
    ctx.job(at=2, steps=_send(REPORT.replace("weekly", "daily")))
    (finding,) = check_duplicate_side_effects(ctx.build())
    assert finding.kind == "duplicate_side_effect"
    assert finding.severity == Severity.ACT
    digest = hashlib.sha256(REPORT.encode()).hexdigest()[:12]
    assert finding.title == (
        f"send_report succeeded 3 times with the same arguments (sha256 {digest}) across "
        "3 jobs within 30.0 min"
    )
    assert finding.evidence["job_ids"] == [job.label for job in jobs]
    assert finding.evidence["arguments_digest"] == digest
    assert finding.evidence["arguments"] == REPORT
    assert (finding.evidence["count"], finding.evidence["jobs"]) == (3, 3)
    assert finding.evidence["retried_in_a_job"] is False
    assert finding.evidence["first_at"] == (WINDOW_START + timedelta(hours=1)).isoformat()
    assert finding.response == RESPONSE_DUPLICATE


def test_two_jobs_within_the_interval_are_watch_and_further_apart_nothing() -> None:
    ctx = Ctx()
    ctx.job(at=1, steps=_send())
    ctx.job(at=2, steps=_send())  # exactly 1 h later: still within
    (finding,) = check_duplicate_side_effects(ctx.build())
    assert (finding.severity, finding.evidence["count"]) == (Severity.WATCH, 2)
    ctx = Ctx()
    ctx.job(at=1, steps=_send())
    ctx.job(at=2.01, steps=_send())
    assert check_duplicate_side_effects(ctx.build())[0].severity == Severity.OK


def test_each_call_within_the_interval_of_the_one_before_chains() -> None:
    ctx = Ctx()
    for at in (1, 1.8, 2.6, 5):
        ctx.job(at=at, steps=_send())
    (finding,) = check_duplicate_side_effects(ctx.build())
    assert finding.evidence["count"] == 3  # the call at 5 h stands alone
    ctx = Ctx(settings=CheckSettings(duplicate_interval_ms=30 * 60_000))
    for at in (1, 1.8, 2.6):
        ctx.job(at=at, steps=_send())
    assert check_duplicate_side_effects(ctx.build())[0].severity == Severity.OK


def test_the_step_time_counts_when_the_step_has_one() -> None:
    ctx = Ctx()
    ctx.job(at=1, steps=_send())
    late = WINDOW_START + timedelta(hours=5)
    ctx.job(at=1.1, steps=_send(started_at=late))  # a long job: the send ran 4 h later
    assert check_duplicate_side_effects(ctx.build())[0].severity == Severity.OK


def test_a_charge_retried_after_it_went_through_is_act_within_one_job() -> None:
    ctx = Ctx()
    charge = '{"amount":620,"card":"tok_1"}'
    job = ctx.job(
        steps=[
            model(),
            tool("charge_card", charge) | {"result": '{"id":"ch_1"}'},
            model(),
            tool("charge_card", charge) | {"result": '{"id":"ch_2"}'},
        ]
    )
    (finding,) = check_duplicate_side_effects(ctx.build())
    assert finding.severity == Severity.ACT
    assert finding.title.endswith(f") in job {job.label}")
    assert finding.title.startswith("charge_card succeeded 2 times with the same arguments")
    assert finding.evidence["retried_in_a_job"] is True
    assert finding.evidence["calls_per_job"] == {job.label: 2}


def test_a_failed_attempt_then_a_success_is_one_effect() -> None:
    ctx = Ctx()
    charge = '{"amount":620}'
    ctx.job(steps=[tool("charge_card", charge, error="503"), tool("charge_card", charge)])
    assert check_duplicate_side_effects(ctx.build())[0].severity == Severity.OK


def test_reads_repeated_across_jobs_are_no_duplicates() -> None:
    ctx = Ctx()
    for i in range(4):
        ctx.job(at=1 + 0.1 * i, steps=[tool("get_order", '{"id":1}'), tool("ping", "{}")])
    (finding,) = check_duplicate_side_effects(ctx.build())
    assert finding.evidence["tool"] == "ping"  # a name that does not read as a read
    built = ctx.build()
    marked = replace(built, assignment=replace(built.assignment, read_tools=("ping",)))
    assert check_duplicate_side_effects(marked)[0].severity == Severity.OK


def test_calls_without_arguments_or_with_arguments_cut_are_left_out() -> None:
    ctx = Ctx()
    for i in range(3):
        ctx.job(at=1 + 0.1 * i, steps=[tool("send_report", None)])
        ctx.job(at=1 + 0.1 * i, steps=[tool("upload", '{"x":"…') | {"arguments_bytes": 99_999}])
    assert check_duplicate_side_effects(ctx.build())[0].severity == Severity.OK


def test_a_write_loop_in_one_job_is_left_to_the_loop_check() -> None:
    ctx = Ctx()
    ctx.job(steps=[model(), tool("transfer_to_human_agents", '{"s":"x"}')] * 5)
    assert check_duplicate_side_effects(ctx.build())[0].severity == Severity.OK
    ctx = Ctx()  # the same write with a new result each time is no loop: reported here
    ctx.job(steps=[tool("charge_card", "{}") | {"result": f"ch_{i}"} for i in range(5)])
    (finding,) = check_duplicate_side_effects(ctx.build())
    assert (finding.severity, finding.evidence["count"]) == (Severity.ACT, 5)


def test_a_job_retrying_and_another_repeating_count_together() -> None:
    ctx = Ctx()
    first = ctx.job(at=1, steps=[tool("send_report", REPORT)] * 2)
    second = ctx.job(at=1.2, steps=_send())
    (finding,) = check_duplicate_side_effects(ctx.build())
    assert finding.evidence["job_ids"] == [first.label, second.label]
    assert finding.evidence["count"] == 3
    assert finding.title.endswith("across 2 jobs within 12.0 min, retried inside a job")


def test_many_duplicates_are_capped_act_first() -> None:
    ctx = Ctx()
    for n in range(MAX_DUPLICATE_FINDINGS + 3):
        for i in range(2):
            ctx.job(at=1 + 0.01 * i, steps=[tool("send_report", json.dumps({"n": n}))])
    ctx.job(at=3, steps=[tool("charge_card", "{}") | {"result": f"ch_{i}"} for i in range(2)])
    findings = check_duplicate_side_effects(ctx.build())
    assert len(findings) == MAX_DUPLICATE_FINDINGS + 1
    assert findings[0].evidence["tool"] == "charge_card"
    assert findings[-1].title == "4 more duplicated writes not listed"
    assert len(findings[-1].evidence["job_ids"]) == 8


_CALL = st.tuples(
    st.sampled_from(["send_report", "charge_card", "get_order"]),
    st.sampled_from(['{"a":1}', '{"a":2}']),
    st.booleans(),  # succeeded
)


@given(
    st.lists(
        st.tuples(st.integers(0, 40).map(lambda q: 15 * q), st.lists(_CALL, max_size=2)),
        max_size=12,
    )
)
@example(  # two writes of one tool, each duplicated: two findings with the same counts
    [
        (0, [("charge_card", '{"a":1}', True), ("charge_card", '{"a":2}', True)]),
        (0, [("charge_card", '{"a":1}', True), ("charge_card", '{"a":2}', True)]),
    ]
)
def test_duplicates_are_the_groups_of_writes_linked_by_job_or_by_the_interval(
    jobs: list[tuple[int, list[tuple[str, str, bool]]]],
) -> None:
    """Against a brute force: successful writes of one (tool, arguments) linked when in
    the same job or at most 60 minutes apart; each group of ≥ 2 calls is one finding."""
    ctx = Ctx()
    calls: list[tuple[tuple[str, str], str, int]] = []  # (key, job label, minute)
    for minute, specs in jobs:
        steps = [tool(name, args, error=None if ok else "500") for name, args, ok in specs]
        job = ctx.job(at=minute / 60, steps=steps)
        calls += [((n, a), job.label, minute) for n, a, ok in specs if ok and n != "get_order"]
    parent = list(range(len(calls)))

    def root(i: int) -> int:
        while parent[i] != i:
            i = parent[i]
        return i

    for i, (key, label, minute) in enumerate(calls):
        for j in range(i):
            other_key, other_label, other_minute = calls[j]
            if key == other_key and (label == other_label or abs(minute - other_minute) <= 60):
                parent[root(i)] = root(j)
    groups: dict[int, list[int]] = {}
    for i in range(len(calls)):
        groups.setdefault(root(i), []).append(i)
    expected = {
        (*calls[g[0]][0], len(g), frozenset(calls[i][1] for i in g))
        for g in groups.values()
        if len(g) >= 2
    }
    assume(len(expected) <= MAX_DUPLICATE_FINDINGS)
    findings = check_duplicate_side_effects(ctx.build())
    found = {
        (
            f.evidence["tool"],
            f.evidence["arguments"],
            f.evidence["count"],
            frozenset(f.evidence["job_ids"]),
        )
        for f in findings
        if f.severity != Severity.OK
    }
    assert found == expected
    assert len(findings) == max(len(expected), 1)
