"""tau2-bench parser against the four real leaderboard files and malformed copies."""

from __future__ import annotations

import json
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import pytest
from tests.conftest import BUNDLED_DATA

from sopwatch.domain.enums import HumanRequestStatus, JobStatus, StepKind, StepStatus, Verdict
from sopwatch.ingest.formats import tau2
from sopwatch.ingest.records import RecordError, RunRecord

TAU2 = BUNDLED_DATA / "tau2-bench"
HANDOFF = "transfer_to_human_agents"


def _file(prefix: str) -> Path:
    (path,) = TAU2.glob(f"{prefix}*.json")
    return path


def _runs(path: Path) -> list[RunRecord]:
    out = list(tau2.parse(path))
    errors = [r for r in out if isinstance(r, RecordError)]
    assert not errors, errors
    return [r for r in out if isinstance(r, RunRecord)]


@pytest.fixture(scope="module")
def gpt_oss() -> list[RunRecord]:
    return _runs(_file("gpt-oss-120b"))


def test_every_file_parses_with_verdicts_and_handoffs() -> None:
    expected = {"claude-sonnet-4-5": 50, "gpt-oss-120b": 25, "ironshell": 50, "toolorchestra": 114}
    for prefix, count in expected.items():
        path = _file(prefix)
        runs = _runs(path)
        sims = json.loads(path.read_text())["simulations"]
        assert len(runs) == count
        assert [r.external_id for r in runs] == [s["id"] for s in sims]
        for run, sim in zip(runs, sims, strict=True):
            reward = sim["reward_info"]["reward"]
            assert run.verdict is (Verdict.ACCEPTED if reward >= 1 else Verdict.REJECTED)
            handoff = any(s.name == HANDOFF for s in run.steps)
            assert run.status is not JobStatus.COMPLETED or not handoff
            assert len(run.human_requests) == (1 if handoff else 0)
    # 67 hand-off runs across the four files (data README)
    total = sum(
        1 for p in TAU2.glob("*.json") for r in _runs(p) if any(s.name == HANDOFF for s in r.steps)
    )
    assert total == 67


def test_gpt_oss_max_steps_runs_fail_and_loop(gpt_oss: list[RunRecord]) -> None:
    assert len(gpt_oss) == 25
    failed = [r for r in gpt_oss if r.status is JobStatus.FAILED]
    assert len(failed) == 2
    loops = []
    for run in failed:
        assert run.failure_kind == "max_steps"
        (request,) = run.human_requests
        assert request.status is HumanRequestStatus.EXPIRED
        calls = Counter((s.name, s.arguments) for s in run.steps if s.kind is StepKind.TOOL)
        (name, _), count = calls.most_common(1)[0]
        assert name == HANDOFF
        loops.append(count)
    assert sorted(loops) == [94, 100]


def test_gpt_oss_handoffs_and_null_cost(gpt_oss: list[RunRecord]) -> None:
    clean_handoffs = [
        r
        for r in gpt_oss
        if r.status is not JobStatus.FAILED and any(s.name == HANDOFF for s in r.steps)
    ]
    assert len(clean_handoffs) == 11
    for run in clean_handoffs:
        assert run.status is JobStatus.NEEDS_INPUT
        (request,) = run.human_requests
        assert request.status is HumanRequestStatus.PENDING
        step = run.steps[request.step_seq - 1]
        assert step.name == HANDOFF and request.created_at == step.started_at is not None
        assert request.question == json.loads(step.arguments or "")["summary"]
    # agent_cost is null on every run, and only the canned greeting reports a message cost
    assert all(r.cost_micros is None for r in gpt_oss)
    assert all(r.model == "openai/gpt-oss-120b" and r.input_type == "airline" for r in gpt_oss)


def test_claude_costs_tokens_and_times() -> None:
    path = _file("claude-sonnet-4-5")
    sim = json.loads(path.read_text())["simulations"][0]
    run = _runs(path)[0]
    assert run.external_id == "ceee7fc3-5d21-49cd-8aa8-249b8d5fd8ec"
    assert run.cost_micros == round(sim["agent_cost"] * 1_000_000)
    assert run.created_at == run.started_at == datetime(2025, 10, 31, 7, 34, 59, 208917, tzinfo=UTC)
    assert run.finished_at == datetime(2025, 10, 31, 7, 35, 41, 447034, tzinfo=UTC)
    assert run.duration_ms == 42236
    assert run.model == "claude-sonnet-4-5"
    model_steps = [s for s in run.steps if s.kind is StepKind.MODEL]
    assistants = [m for m in sim["messages"] if m["role"] == "assistant"]
    assert len(model_steps) == len(assistants)
    second = model_steps[1]
    assert (second.input_tokens, second.output_tokens, second.cost_micros) == (5730, 157, 19545)
    tool_step = next(s for s in run.steps if s.kind is StepKind.TOOL)
    assert tool_step.arguments == '{"reservation_id":"XEWRD9"}'
    assert tool_step.started_at is not None and tool_step.duration_ms is not None
    assert [s.seq for s in run.steps] == list(range(1, len(run.steps) + 1))


def test_tool_errors_from_error_flag() -> None:
    runs = _runs(_file("gpt-oss-120b"))
    errors = [s for r in runs for s in r.steps if s.status is StepStatus.ERROR]
    assert len(errors) == 4
    assert all(s.kind is StepKind.TOOL and s.error and s.error.startswith("Error") for s in errors)


def test_toolorchestra_has_no_step_times_or_usage() -> None:
    runs = _runs(_file("toolorchestra"))
    assert len(runs) == 114
    for run in runs:
        assert run.created_at is not None and run.duration_ms == 60_000
        assert run.cost_micros is None
        assert run.input_type == "retail"
        for step in run.steps:
            assert step.started_at is None and step.duration_ms is None
            assert step.input_tokens is None and step.cost_micros is None
    tools = [s for r in runs for s in r.steps if s.kind is StepKind.TOOL]
    assert len(tools) == 873 and all(s.result is not None for s in tools)


def _sim(sim_id: str, **extra: object) -> dict:
    sim = {
        "id": sim_id,
        "start_time": "2025-01-01T00:00:00Z",
        "termination_reason": "user_stop",
        "reward_info": {"reward": 0.0},
        "messages": [
            {"role": "user", "content": "hi"},
            {
                "role": "assistant",
                "content": None,
                "timestamp": "2025-01-01T00:00:01",
                "cost": 0.5,
                "tool_calls": [{"id": "a", "name": "lookup", "arguments": {"b": 1, "a": [2]}}],
            },
            {
                "role": "tool",
                "id": "a",
                "content": "ok",
                "error": False,
                "timestamp": "2025-01-01T00:00:03",
            },
            {"role": "assistant", "content": "bye", "cost": 0.25},
        ],
    }
    sim.update(extra)
    return sim


def _write(tmp_path: Path, sims: list[object]) -> Path:
    path = tmp_path / "run.json"
    path.write_text(json.dumps({"info": {"agent_info": {"llm": "m"}}, "simulations": sims}))
    return path


def test_small_file_cost_sum_and_tool_duration(tmp_path: Path) -> None:
    (run,) = tau2.parse(_write(tmp_path, [_sim("s1")]))
    assert isinstance(run, RunRecord)
    assert run.status is JobStatus.COMPLETED and run.verdict is Verdict.REJECTED
    assert run.cost_micros == 750_000  # no agent_cost: every assistant message has a cost
    tool_step = run.steps[1]
    assert tool_step.arguments == '{"a":[2],"b":1}'
    assert tool_step.started_at == datetime(2025, 1, 1, 0, 0, 1, tzinfo=UTC)
    assert tool_step.duration_ms == 2000
    assert run.output == "bye" and run.input == "hi" and run.model == "m"


def test_termination_reasons(tmp_path: Path) -> None:
    sims = [
        _sim("a", termination_reason="agent_stop"),
        _sim("b", termination_reason="too_many_errors"),
        _sim("c", termination_reason="infrastructure_error"),
        _sim("d", termination_reason="user_error"),
    ]
    runs = list(tau2.parse(_write(tmp_path, sims)))
    assert [(r.status, r.failure_kind, r.error) for r in runs] == [
        (JobStatus.COMPLETED, None, None),
        (JobStatus.FAILED, "too_many_errors", None),
        (JobStatus.FAILED, "infrastructure_error", None),
        (JobStatus.FAILED, "user_error", "termination_reason=user_error"),
    ]


def test_bad_simulations_reported_others_kept(tmp_path: Path) -> None:
    missing = _sim("no-msgs")
    del missing["messages"]
    sims = [
        _sim("ok-1"),
        missing,
        _sim("bad-time", start_time="yesterday"),
        "junk",
        _sim("bad-reason", termination_reason=5),
        _sim("ok-2"),
    ]
    path = _write(tmp_path, sims)
    out = list(tau2.parse(path))
    assert [r.external_id for r in out if isinstance(r, RunRecord)] == ["ok-1", "ok-2"]
    errors = [r for r in out if isinstance(r, RecordError)]
    assert errors[0] == RecordError(
        where=f"{path}: simulation 1 (id no-msgs)", problem="field 'messages': missing"
    )
    assert errors[1].where == f"{path}: simulation 2 (id bad-time)"
    assert errors[1].problem == "field 'start_time': not an ISO-8601 timestamp: 'yesterday'"
    assert errors[2].where == f"{path}: simulation 3"
    assert "termination_reason" in errors[3].problem


@pytest.mark.parametrize(
    "text", ['{"simulations": [{"id": "x"', '{"simulations": [],}', "3", '{"info": {}}']
)
def test_broken_files_give_one_error(tmp_path: Path, text: str) -> None:
    path = tmp_path / "t.json"
    path.write_text(text)
    (error,) = tau2.parse(path)
    assert isinstance(error, RecordError) and error.where == str(path)
