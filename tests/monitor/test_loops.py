"""Tool-call loops: the same call with the same outcome many times in one job, or two
tools in turn; polling that ends is progress."""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

from sopwatch.domain.enums import FailureKind, JobStatus, Severity
from sopwatch.monitor.checks.loops import (
    MAX_LOOP_FINDINGS,
    RESPONSE_LOOP,
    RESPONSE_WRITE_LOOP,
    check_tool_loops,
)
from sopwatch.monitor.context import CheckSettings
from tests.conftest import BUNDLED_DATA

from .builders import Ctx, model, tool

GPT_OSS = next((BUNDLED_DATA / "tau2-bench").glob("gpt-oss-120b_*.json"))


def _calls(name: str, args: str, count: int, *, cost: float | None = None) -> list[dict[str, Any]]:
    steps: list[dict[str, Any]] = []
    for _ in range(count):
        steps += [model(cost), tool(name, args)]
    return steps


def test_no_loop_is_ok() -> None:
    ctx = Ctx()
    ctx.job(steps=[tool("search", '{"q": "a"}'), tool("search", '{"q": "b"}'), tool("get", "{}")])
    (finding,) = check_tool_loops(ctx.build())
    assert finding.kind == "tool_loop"
    assert finding.severity == Severity.OK


def test_boundary_at_loop_min_repeats() -> None:
    ctx = Ctx()
    ctx.job(steps=_calls("search", '{"q": "a"}', 2))
    assert check_tool_loops(ctx.build())[0].severity == Severity.OK
    ctx = Ctx()
    job = ctx.job(steps=_calls("search", '{"q": "a"}', 3))
    (finding,) = check_tool_loops(ctx.build())
    assert finding.severity == Severity.WATCH
    assert finding.evidence["job_ids"] == [job.label]
    assert finding.evidence["count"] == 3
    assert finding.evidence["longest_run"] == 3  # model steps in between are ignored
    assert finding.response == RESPONSE_LOOP


def test_act_at_loop_act_repeats() -> None:
    ctx = Ctx(settings=CheckSettings(loop_act_repeats=10))
    ctx.job(steps=_calls("search", "{}", 9))
    ctx.job(steps=_calls("lookup", "{}", 10))
    findings = check_tool_loops(ctx.build())
    assert [(f.evidence["tool"], f.severity) for f in findings] == [
        ("lookup", Severity.ACT),
        ("search", Severity.WATCH),
    ]


def test_short_loop_in_job_that_hit_a_limit_is_act() -> None:
    ctx = Ctx()
    ctx.job(
        JobStatus.FAILED,
        steps=_calls("search", "{}", 4),
        failure_kind=FailureKind.MAX_STEPS,
        cost=0.08,
    )
    (finding,) = check_tool_loops(ctx.build())
    assert finding.severity == Severity.ACT
    assert finding.evidence["failure_kind"] == "max_steps"
    assert finding.evidence["cost_usd"] == 0.08  # all tool steps are the loop: whole job


def test_cost_burned_sums_the_repeated_steps_when_they_have_costs() -> None:
    ctx = Ctx()
    ctx.job(steps=[tool("s", "{}", cost=0.01) for _ in range(4)] + [tool("t", "{}", cost=1.0)])
    (finding,) = check_tool_loops(ctx.build())
    assert finding.evidence["cost_usd"] == 0.04


def test_unknown_cost_is_none() -> None:
    ctx = Ctx()
    ctx.job(steps=_calls("s", "{}", 3))
    assert check_tool_loops(ctx.build())[0].evidence["cost_usd"] is None


def test_same_tool_with_different_arguments_is_no_loop() -> None:
    ctx = Ctx()
    ctx.job(steps=[tool("search", json.dumps({"q": i})) for i in range(8)])
    assert check_tool_loops(ctx.build())[0].severity == Severity.OK


def test_many_looping_jobs_are_capped() -> None:
    ctx = Ctx()
    for _ in range(MAX_LOOP_FINDINGS + 4):
        ctx.job(steps=_calls("s", "{}", 3))
    findings = check_tool_loops(ctx.build())
    assert len(findings) == MAX_LOOP_FINDINGS + 1
    assert len(findings[-1].evidence["job_ids"]) == 4


def test_real_gpt_oss_runs_show_the_known_loops() -> None:
    """The gpt-oss tau2 file: two runs repeat transfer_to_human_agents 94 and 100 times and
    hit max_steps; one repeats update_reservation_baggages 15 times."""
    data = json.loads(GPT_OSS.read_text())
    ctx = Ctx()
    for sim in data["simulations"]:
        calls = [
            tool(call["name"], json.dumps(call["arguments"], sort_keys=True))
            for message in sim["messages"]
            for call in message.get("tool_calls") or []
        ]
        stopped = sim["termination_reason"] == "max_steps"
        ctx.job(
            JobStatus.FAILED if stopped else JobStatus.COMPLETED,
            steps=calls,
            external_id=sim["id"],
            failure_kind="max_steps" if stopped else None,
        )
    findings = check_tool_loops(ctx.build())
    long = {(f.evidence["tool"], f.evidence["count"]) for f in findings[:3]}
    assert long == {
        ("transfer_to_human_agents", 100),
        ("transfer_to_human_agents", 94),
        ("update_reservation_baggages", 15),
    }
    # Shorter loops repeat a write that succeeded each time (hand-offs): act as well.
    assert all(f.severity == "act" and f.evidence["writes"] for f in findings)
    top = findings[0]
    assert top.title.startswith("transfer_to_human_agents called 100 times with the same")
    assert top.evidence["job_ids"][0].startswith("4aa56519")


def test_loop_cost_from_estimated_step_costs_says_so() -> None:
    ctx = Ctx()
    steps = [tool("search", "{}", cost=0.01) for _ in range(3)]
    steps[0]["cost_estimated"] = True
    ctx.job(steps=steps)
    (finding,) = check_tool_loops(ctx.build())
    assert finding.evidence["cost_estimated"] is True
    assert "$0.0300 estimated from tokens)" in finding.title


def test_loop_cost_from_an_estimated_job_cost_says_so() -> None:
    ctx = Ctx()
    ctx.job(steps=_calls("search", "{}", 3), cost=0.06, cost_estimated=True)
    ctx.job(steps=_calls("lookup", "{}", 3), cost=0.06)
    estimated, reported = check_tool_loops(ctx.build())
    assert estimated.evidence["cost_estimated"] is True
    assert estimated.title.endswith("$0.0600 estimated from tokens)")
    assert reported.evidence["cost_estimated"] is False
    assert reported.title.endswith("$0.0600)")


def _poll(status: str, cost: float | None = None) -> list[dict[str, Any]]:
    """A model call, then ``get_status`` of job 7 returning ``status``."""
    return [model(cost), tool("get_status", '{"job":7}') | {"result": f'{{"state":"{status}"}}'}]


def test_polling_a_status_four_times_until_it_is_done_is_no_loop() -> None:
    ctx = Ctx()
    ctx.job(steps=_poll("pending") + _poll("pending") + _poll("pending") + _poll("done"))
    (finding,) = check_tool_loops(ctx.build())
    assert finding.severity == Severity.OK


def test_polling_that_never_moves_is_a_loop() -> None:
    ctx = Ctx()
    ctx.job(steps=_poll("pending") * 4)
    (finding,) = check_tool_loops(ctx.build())
    assert finding.severity == Severity.WATCH
    assert (finding.evidence["count"], finding.evidence["outcome"]) == (4, '{"state":"pending"}')
    assert "with the same arguments and result in job" in finding.title


def test_polling_on_after_done_counts_the_repeated_done() -> None:
    ctx = Ctx()
    ctx.job(steps=_poll("pending") * 2 + _poll("done") * 3)
    (finding,) = check_tool_loops(ctx.build())
    assert (finding.severity, finding.evidence["count"]) == (Severity.WATCH, 3)


def test_the_same_call_with_a_different_result_each_time_is_no_loop() -> None:
    ctx = Ctx()
    ctx.job(steps=[tool("search", '{"q":"x"}') | {"result": f"page {i}"} for i in range(6)])
    assert check_tool_loops(ctx.build())[0].severity == Severity.OK


def test_the_same_error_again_and_again_is_a_loop_even_when_a_last_try_works() -> None:
    ctx = Ctx()
    failing = [tool("lookup_order", '{"id":1}', error="503 Service Unavailable")] * 3
    ctx.job(steps=[*failing, tool("lookup_order", '{"id":1}') | {"result": "ok"}])
    (finding,) = check_tool_loops(ctx.build())
    assert finding.evidence["count"] == 3
    assert finding.evidence["outcome"] == "503 Service Unavailable"
    assert "with the same arguments and error in job" in finding.title


def test_six_identical_failing_reads_cost_their_issuing_model_calls() -> None:
    """Issue #6 must-show: six identical failing reads, each issued by a $0.04 model
    call, cost $0.24."""
    ctx = Ctx()
    read = tool("lookup_invoice", '{"invoice":"INV-404"}', error="404 Not Found")
    ctx.job(steps=[model(0.01), tool("list_vendors", "{}")] + [model(0.04), read] * 6, cost=9.0)
    (finding,) = check_tool_loops(ctx.build())
    assert finding.evidence["count"] == 6
    assert finding.evidence["cost_usd"] == 0.24
    assert "$0.2400" in finding.title


def test_one_model_call_issuing_several_repeated_calls_counts_once() -> None:
    ctx = Ctx()
    read = tool("search", "{}", cost=0.001)
    ctx.job(steps=[model(0.04), read, read, read, model(0.02), tool("other", "{}")])
    (finding,) = check_tool_loops(ctx.build())
    assert finding.evidence["cost_usd"] == 0.043


def _cycle(rounds: int) -> list[dict[str, Any]]:
    steps: list[dict[str, Any]] = []
    for i in range(rounds):
        steps += [model(0.01), tool("search_orders", json.dumps({"q": i}))]
        steps += [model(0.01), tool("open_order", json.dumps({"n": i}))]
    return steps


def test_two_tools_in_turn_for_five_rounds_is_a_loop_whatever_the_arguments() -> None:
    ctx = Ctx()
    ctx.job(steps=_cycle(4))
    assert check_tool_loops(ctx.build())[0].severity == Severity.OK
    ctx = Ctx()
    job = ctx.job(steps=[tool("get_user", "{}"), *_cycle(5), tool("send_reply", "{}")])
    (finding,) = check_tool_loops(ctx.build())
    assert finding.severity == Severity.WATCH
    assert finding.evidence["pattern"] == "cycle"
    assert finding.evidence["tools"] == ["search_orders", "open_order"]
    assert (finding.evidence["rounds"], finding.evidence["count"]) == (5, 10)
    assert finding.evidence["cost_usd"] == 0.1
    assert finding.title == (
        f"search_orders and open_order called in turn 5 rounds (10 calls) in job {job.label} "
        "($0.1000)"
    )


def test_a_cycle_of_ten_rounds_is_act_and_the_setting_moves_the_threshold() -> None:
    ctx = Ctx()
    ctx.job(steps=_cycle(10))
    assert check_tool_loops(ctx.build())[0].severity == Severity.ACT
    ctx = Ctx(settings=CheckSettings(loop_cycle_rounds=3))
    ctx.job(steps=_cycle(3))
    assert check_tool_loops(ctx.build())[0].evidence["pattern"] == "cycle"


def test_polling_with_a_wait_in_between_is_no_cycle() -> None:
    ctx = Ctx()
    steps: list[dict[str, Any]] = []
    for state in ["pending"] * 5 + ["done"]:
        steps += [tool("wait", '{"s":5}'), *_poll(state)[1:]]
    ctx.job(steps=steps)
    assert check_tool_loops(ctx.build())[0].severity == Severity.OK


def test_a_write_repeated_with_success_is_act_and_named_a_write() -> None:
    ctx = Ctx()
    ctx.job(steps=_calls("charge_card", '{"amount":620}', 3))
    ctx.job(steps=_calls("search", '{"q":"a"}', 3))
    write, read = check_tool_loops(ctx.build())
    assert (write.severity, write.evidence["writes"]) == (Severity.ACT, True)
    assert "a write that succeeded each time" in write.title
    assert write.response == RESPONSE_LOOP + RESPONSE_WRITE_LOOP
    assert (read.severity, read.evidence["writes"], read.response) == (
        Severity.WATCH,
        False,
        RESPONSE_LOOP,
    )


def test_a_tool_the_assignment_marks_as_read_is_no_write() -> None:
    ctx = Ctx()
    ctx.job(steps=_calls("charge_card", "{}", 3))
    built = ctx.build()
    assert check_tool_loops(built)[0].evidence["writes"] is True
    marked = replace(built, assignment=replace(built.assignment, read_tools=("charge_card",)))
    assert check_tool_loops(marked)[0].severity == Severity.WATCH
