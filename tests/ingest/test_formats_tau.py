"""tau-bench parser against the real gpt-4o airline trajectories and malformed copies."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from tests.conftest import BUNDLED_DATA

from sopwatch.domain.enums import (
    HumanRequestStatus,
    HumanRequestType,
    JobStatus,
    StepKind,
    StepStatus,
    Verdict,
)
from sopwatch.ingest.formats import tau
from sopwatch.ingest.records import RecordError, RunRecord

TAU_FILE = BUNDLED_DATA / "tau-bench" / "gpt-4o-airline.json"


@pytest.fixture(scope="module")
def runs() -> list[RunRecord]:
    out = list(tau.parse(TAU_FILE))
    assert all(isinstance(r, RunRecord) for r in out), [
        r for r in out if isinstance(r, RecordError)
    ]
    return [r for r in out if isinstance(r, RunRecord)]


@pytest.fixture(scope="module")
def raw() -> list[dict]:
    return json.loads(TAU_FILE.read_text())


def test_200_runs_in_file_order(runs: list[RunRecord], raw: list[dict]) -> None:
    assert len(runs) == 200
    assert [r.external_id for r in runs] == [f"{i['task_id']}-{i['trial']}" for i in raw]
    assert len({r.external_id for r in runs}) == 200


def test_handoffs_need_input_with_one_pending_question(runs: list[RunRecord]) -> None:
    handoffs = [r for r in runs if any(s.name == "transfer_to_human_agents" for s in r.steps)]
    assert len(handoffs) == 48
    for run in handoffs:
        assert run.status is JobStatus.NEEDS_INPUT
        (request,) = run.human_requests
        assert request.status is HumanRequestStatus.PENDING
        assert request.type is HumanRequestType.QUESTION
        assert request.gate == "transfer_to_human_agents"
        step = run.steps[request.step_seq - 1]
        assert step.name == "transfer_to_human_agents"
        assert request.question == json.loads(step.arguments or "")["summary"]
        assert request.created_at is None
    rest = [r for r in runs if r not in handoffs]
    assert len(rest) == 152
    assert all(r.status is JobStatus.COMPLETED and not r.human_requests for r in rest)


def test_verdicts_match_rewards(runs: list[RunRecord], raw: list[dict]) -> None:
    for run, item in zip(runs, raw, strict=True):
        expected = Verdict.ACCEPTED if item["reward"] >= 1 else Verdict.REJECTED
        assert run.verdict is expected
    assert sum(r.verdict is Verdict.ACCEPTED for r in runs) == 84


def test_no_times_no_cost_model_from_file_name(runs: list[RunRecord]) -> None:
    for run in runs:
        assert run.created_at is None and run.started_at is None and run.finished_at is None
        assert run.cost_micros is None
        assert run.model == "gpt-4o"
        assert run.input_type == "airline"
        assert all(s.started_at is None and s.cost_micros is None for s in run.steps)


def test_steps_match_the_trajectory(runs: list[RunRecord], raw: list[dict]) -> None:
    total_tool = sum(1 for r in runs for s in r.steps if s.kind is StepKind.TOOL)
    total_model = sum(1 for r in runs for s in r.steps if s.kind is StepKind.MODEL)
    assert total_tool == 1164  # one per tool_calls entry
    assert total_model == 2454  # one per assistant message
    for run in runs:
        assert [s.seq for s in run.steps] == list(range(1, len(run.steps) + 1))
    first = runs[0]
    assert first.input == "Hi! I'm looking to book a flight from New York to Seattle on May 20th."
    tool_step = next(s for s in first.steps if s.kind is StepKind.TOOL)
    assert tool_step.name == "get_user_details"
    assert tool_step.arguments == '{"user_id":"mia_li_3668"}'
    assert tool_step.result is not None and tool_step.result.startswith('{"name": {"first_name"')
    assert first.steps[tool_step.seq - 2].kind is StepKind.MODEL


def test_error_results_make_error_steps(runs: list[RunRecord]) -> None:
    errors = [s for r in runs for s in r.steps if s.status is StepStatus.ERROR]
    assert len(errors) == 73
    assert all(s.error == s.result and s.error.startswith("Error") for s in errors)


def test_model_name_heuristic() -> None:
    assert tau.model_and_domain(Path("gpt-4o-airline.json")) == ("gpt-4o", "airline")
    assert tau.model_and_domain(Path("claude-3-5-sonnet-20241022-retail.json")) == (
        "claude-3-5-sonnet-20241022",
        "retail",
    )
    assert tau.model_and_domain(Path("trajectories.json")) == (None, None)


def _item(**extra: object) -> dict:
    item = {
        "task_id": 1,
        "trial": 0,
        "reward": 1.0,
        "info": {"user_cost": 0.5},
        "traj": [
            {"role": "system", "content": "policy"},
            {"role": "user", "content": "help"},
            {
                "role": "assistant",
                "content": None,
                "tool_calls": [
                    {
                        "id": "c1",
                        "type": "function",
                        "function": {"name": "f", "arguments": "{oops"},
                    }
                ],
            },
            {"role": "tool", "tool_call_id": "c1", "name": "f", "content": "Error: nope"},
            {"role": "assistant", "content": "done"},
        ],
    }
    item.update(extra)
    return item


def test_unparseable_arguments_kept_raw_and_error_detected(tmp_path: Path) -> None:
    path = tmp_path / "x-retail.json"
    path.write_text(json.dumps([_item()]))
    (run,) = tau.parse(path)
    assert isinstance(run, RunRecord)
    assert run.cost_micros is None  # user_cost is the simulated customer's
    assert run.output == "done" and run.input == "help" and run.input_type == "retail"
    tool_step = run.steps[1]
    assert tool_step.arguments == "{oops"
    assert tool_step.status is StepStatus.ERROR and tool_step.error == "Error: nope"


def test_bad_items_reported_good_items_kept(tmp_path: Path) -> None:
    path = tmp_path / "gpt-4o-airline.json"
    items = [_item(), _item(traj="nope"), 5, _item(trial=None), _item(task_id=2, reward="x")]
    path.write_text(json.dumps(items))
    out = list(tau.parse(path))
    assert isinstance(out[0], RunRecord)
    assert out[1] == RecordError(
        where=f"{path}: item 1", problem="field 'traj': must be a list; got string 'nope'"
    )
    assert isinstance(out[2], RecordError) and out[2].where == f"{path}: item 2"
    assert isinstance(out[3], RecordError) and "field 'trial'" in out[3].problem
    assert isinstance(out[4], RecordError) and "field 'reward'" in out[4].problem


@pytest.mark.parametrize("text", ['[{"task_id": 1, "trial": 0', '[{"task_id": 1,}]', '{"a": 1}'])
def test_broken_files_give_one_error(tmp_path: Path, text: str) -> None:
    path = tmp_path / "t.json"
    path.write_text(text)
    (error,) = tau.parse(path)
    assert isinstance(error, RecordError) and error.where == str(path)
    if text.startswith("["):
        assert error.problem.startswith("invalid JSON at line 1 column")


def test_missing_file_gives_one_error(tmp_path: Path) -> None:
    (error,) = tau.parse(tmp_path / "nope.json")
    assert isinstance(error, RecordError) and error.problem.startswith("cannot read file")
