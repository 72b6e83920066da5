"""Tool-call loops: the same tool with the same arguments, many times in one job."""

from __future__ import annotations

import json
from typing import Any

from sopwatch.domain.enums import FailureKind, JobStatus, Severity
from sopwatch.monitor.checks.loops import MAX_LOOP_FINDINGS, RESPONSE_LOOP, check_tool_loops
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
    acts = {(f.evidence["tool"], f.evidence["count"]) for f in findings if f.severity == "act"}
    assert acts == {
        ("transfer_to_human_agents", 100),
        ("transfer_to_human_agents", 94),
        ("update_reservation_baggages", 15),
    }
    top = findings[0]
    assert top.title.startswith("transfer_to_human_agents called 100 times with the same")
    assert top.evidence["job_ids"][0].startswith("4aa56519")


def test_loop_cost_from_estimated_step_costs_says_so() -> None:
    ctx = Ctx()
    steps = [tool("s", "{}", cost=0.01) for _ in range(3)]
    steps[0]["cost_estimated"] = True
    ctx.job(steps=steps)
    (finding,) = check_tool_loops(ctx.build())
    assert finding.evidence["cost_estimated"] is True
    assert "$0.0300 estimated from tokens)" in finding.title


def test_loop_cost_from_an_estimated_job_cost_says_so() -> None:
    ctx = Ctx()
    ctx.job(steps=_calls("s", "{}", 3), cost=0.06, cost_estimated=True)
    ctx.job(steps=_calls("t", "{}", 3), cost=0.06)
    estimated, reported = check_tool_loops(ctx.build())
    assert estimated.evidence["cost_estimated"] is True
    assert estimated.title.endswith("$0.0600 estimated from tokens)")
    assert reported.evidence["cost_estimated"] is False
    assert reported.title.endswith("$0.0600)")
