"""OpenInference parser against the TRAIL GAIA traces and small made-up span trees."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from tests.conftest import BUNDLED_DATA

from sopwatch.domain.enums import JobStatus, StepKind, StepStatus
from sopwatch.domain.payload import canonical_json
from sopwatch.ingest.formats import openinference
from sopwatch.ingest.records import RecordError, RunRecord

GAIA = BUNDLED_DATA / "trail" / "GAIA"  # gzip-compressed


@pytest.fixture(scope="module")
def gaia_runs() -> list[RunRecord]:
    runs: list[RunRecord] = []
    for path in sorted(GAIA.glob("*.json.gz")):
        out = list(openinference.parse(path))
        assert len(out) == 1 and isinstance(out[0], RunRecord), out
        assert out[0].external_id == path.name.removesuffix(".json.gz")
        runs.append(out[0])
    return runs


@pytest.mark.trail
def test_all_traces_parse_with_steps(gaia_runs: list[RunRecord]) -> None:
    assert len(gaia_runs) == 113
    for run in gaia_runs:
        assert run.steps
        assert [s.seq for s in run.steps] == list(range(1, len(run.steps) + 1))
        starts = [s.started_at for s in run.steps]
        assert starts == sorted(starts)
        assert run.cost_micros is None
        assert run.model == "o3-mini"
        assert run.input is not None and run.input.startswith('{"task": ')


@pytest.mark.trail
def test_pagedown_failure_cluster(gaia_runs: list[RunRecord]) -> None:
    failing = [
        (run.external_id, step)
        for run in gaia_runs
        for step in run.steps
        if step.name == "PageDownTool" and step.status is StepStatus.ERROR
    ]
    assert len(failing) == 84
    assert len({trace for trace, _ in failing}) == 18
    assert all(s.kind is StepKind.TOOL and s.error and "TypeError" in s.error for _, s in failing)


@pytest.mark.trail
def test_first_trace_mapping(gaia_runs: list[RunRecord]) -> None:
    run = next(r for r in gaia_runs if r.external_id == "0035f455b3ff2295167a844f04d85d34")
    assert run.status is JobStatus.COMPLETED
    assert run.created_at == run.started_at == datetime(2025, 3, 19, 16, 32, 8, 62589, tzinfo=UTC)
    assert run.duration_ms == 108_755  # PT1M48.75533S
    assert run.finished_at == datetime(2025, 3, 19, 16, 33, 56, 817589, tzinfo=UTC)
    assert run.output == "33149"
    kinds = [(s.kind, s.name) for s in run.steps]
    assert kinds == [
        (StepKind.MODEL, "o3-mini"),
        (StepKind.MODEL, "o3-mini"),
        (StepKind.MODEL, "o3-mini"),
        (StepKind.TOOL, "FinalAnswerTool"),
        (StepKind.MODEL, "o3-mini"),
    ]
    assert (run.steps[0].input_tokens, run.steps[0].output_tokens) == (461, 1311)


@pytest.mark.trail
def test_unexplained_chain_errors_become_agent_steps(gaia_runs: list[RunRecord]) -> None:
    agent_steps = [s for r in gaia_runs for s in r.steps if s.kind is StepKind.AGENT]
    assert len(agent_steps) == 15
    assert all(s.status is StepStatus.ERROR and s.error for s in agent_steps)
    assert {s.name for s in agent_steps} <= {"CodeAgent.run", "ToolCallingAgent.run"}


def _span(
    name: str, kind: str | None, start: str, children: list[dict] | None = None, **kw: object
) -> dict:
    attrs: dict[str, object] = {"openinference.span.kind": kind} if kind else {}
    attrs.update(kw.pop("attrs", {}))
    span = {
        "span_id": name.lower().replace(" ", "-").replace(".", "-"),
        "span_name": name,
        "timestamp": start,
        "duration": kw.pop("duration", "PT1S"),
        "status_code": kw.pop("status", "Ok"),
        "status_message": kw.pop("message", ""),
        "span_attributes": attrs,
        "child_spans": children or [],
    }
    return span


def _trace(tmp_path: Path, agent: dict) -> Path:
    root = _span("main", None, "2025-01-01T00:00:00Z", [agent], duration="PT1M0.5S")
    path = tmp_path / "trace.json"
    path.write_text(json.dumps({"trace_id": "t1", "spans": [root]}))
    return path


def test_agent_error_fails_the_run_and_chain_error_becomes_agent_step(tmp_path: Path) -> None:
    llm = _span(
        "LiteLLMModel.__call__",
        "LLM",
        "2025-01-01T00:00:02Z",
        attrs={
            "llm.model_name": "m",
            "llm.token_count.prompt": "10",
            "llm.token_count.completion": 3,
        },
    )
    step = _span(
        "Step 1",
        "CHAIN",
        "2025-01-01T00:00:01Z",
        [llm],
        status="Error",
        message="AgentParsingError: x",
    )
    tool = _span("VisitTool", "TOOL", "2025-01-01T00:00:05Z", status="Error", message="boom",
                 attrs={"input.value": '{"url": 1}'})  # fmt: skip
    step2 = _span(
        "Step 2", "CHAIN", "2025-01-01T00:00:04Z", [tool], status="Error", message="wrapped"
    )
    agent = _span("CodeAgent.run", "AGENT", "2025-01-01T00:00:00.5Z", [step2, step], status="Error",
                  message="AgentMaxStepsError", attrs={"input.value": "task"})  # fmt: skip
    (run,) = openinference.parse(_trace(tmp_path, agent))
    assert isinstance(run, RunRecord)
    assert (run.status, run.failure_kind, run.error) == (
        JobStatus.FAILED,
        "agent_error",
        "AgentMaxStepsError",
    )
    assert run.duration_ms == 60_500 and run.input == "task" and run.model == "m"
    assert [(s.seq, s.kind, s.name, s.status) for s in run.steps] == [
        (1, StepKind.AGENT, "CodeAgent.run", StepStatus.ERROR),
        (2, StepKind.MODEL, "m", StepStatus.OK),
        (3, StepKind.TOOL, "VisitTool", StepStatus.ERROR),
    ]
    assert run.steps[0].error == "AgentParsingError: x"
    assert (run.steps[1].input_tokens, run.steps[1].output_tokens) == (10, 3)
    assert run.steps[2].arguments == '{"url":1}' and run.steps[2].error == "boom"


def test_no_final_answer_fails_final_answer_completes(tmp_path: Path) -> None:
    agent = _span("CodeAgent.run", "AGENT", "2025-01-01T00:00:01Z")
    (run,) = openinference.parse(_trace(tmp_path, agent))
    assert isinstance(run, RunRecord)
    assert (run.status, run.failure_kind, run.error) == (
        JobStatus.FAILED,
        "agent_error",
        "no final answer",
    )
    final = _span(
        "answer",
        "TOOL",
        "2025-01-01T00:00:02Z",
        attrs={"tool.name": "final_answer", "output.value": "42"},
    )
    agent = _span("CodeAgent.run", "AGENT", "2025-01-01T00:00:01Z", [final])
    (run,) = openinference.parse(_trace(tmp_path, agent))
    assert isinstance(run, RunRecord)
    assert run.status is JobStatus.COMPLETED and run.output == "42"


def test_bad_spans_give_one_error(tmp_path: Path) -> None:
    agent = _span("CodeAgent.run", "AGENT", "not a time")
    (error,) = openinference.parse(_trace(tmp_path, agent))
    assert isinstance(error, RecordError)
    assert error.where == f"{tmp_path / 'trace.json'}: trace t1"
    assert error.problem.startswith("field 'spans[id=codeagent-run].timestamp': not an ISO-8601")
    agent = _span("CodeAgent.run", "AGENT", "2025-01-01T00:00:01Z", duration="1 second")
    (error,) = openinference.parse(_trace(tmp_path, agent))
    assert isinstance(error, RecordError) and "duration" in error.problem


@pytest.mark.parametrize(
    "text", ['{"trace_id": "t", "spans": [', '{"trace_id": "t", "spans": [],}', '{"spans": []}']
)
def test_broken_files(tmp_path: Path, text: str) -> None:
    path = tmp_path / "t.json"
    path.write_text(text)
    (error,) = openinference.parse(path)
    assert isinstance(error, RecordError)


def test_gaia_model_calls_carry_their_token_limit(gaia_runs: list[RunRecord]) -> None:
    model_steps = [s for r in gaia_runs for s in r.steps if s.kind is StepKind.MODEL]
    assert len(model_steps) == 1230
    assert {s.max_tokens for s in model_steps} == {8192}  # max_completion_tokens
    assert {s.cache_read_tokens for s in model_steps} == {None}
    tools = [s for r in gaia_runs for s in r.steps if s.kind is StepKind.TOOL and s.arguments]
    assert all(s.arguments == canonical_json(json.loads(s.arguments)) for s in tools)


@pytest.mark.parametrize(
    "attrs",
    [
        {
            "llm.model_name": "m",
            "llm.token_count.prompt": 900,
            "llm.token_count.prompt_details.cache_read": 600,
            "llm.token_count.prompt_details.cache_write": "100",
            "llm.invocation_parameters": '{"max_tokens": 512, "temperature": 0}',
        },
        {
            "llm": {
                "model_name": "m",
                "token_count": {"prompt": 900, "prompt_details": {"cache_read": 600,
                                                                  "cache_write": 100}},
                "invocation_parameters": {"max_tokens": 512},
            }
        },
        {
            "llm.model_name": "m",
            "llm.token_count": {"prompt": "900", "prompt_details.cache_read": 600},
            "llm.token_count.prompt_details": {"cache_write": 100},
            "llm": {"invocation_parameters": '{"max_completion_tokens": 512}'},
        },
    ],
    ids=["flat", "nested", "mixed"],
)  # fmt: skip
def test_model_call_details_flat_or_nested(tmp_path: Path, attrs: dict) -> None:
    llm = _span("call", "LLM", "2025-01-01T00:00:02Z", attrs=attrs)
    final = _span("FinalAnswerTool", "TOOL", "2025-01-01T00:00:03Z",
                  attrs={"input.value": '{"kwargs": {}, "args": ["42"]}'})  # fmt: skip
    agent = _span("CodeAgent.run", "AGENT", "2025-01-01T00:00:01Z", [llm, final])
    (run,) = openinference.parse(_trace(tmp_path, agent))
    assert isinstance(run, RunRecord)
    model, tool = run.steps
    assert (model.name, model.input_tokens, model.max_tokens) == ("m", 900, 512)
    assert (model.cache_read_tokens, model.cache_write_tokens) == (600, 100)
    assert tool.arguments == '{"args":["42"],"kwargs":{}}'


def test_invocation_parameters_that_are_not_json_leave_max_tokens_unknown(
    tmp_path: Path,
) -> None:
    llm = _span("call", "LLM", "2025-01-01T00:00:02Z",
                attrs={"llm.invocation_parameters": "max_tokens=5"})  # fmt: skip
    agent = _span("CodeAgent.run", "AGENT", "2025-01-01T00:00:01Z", [llm])
    (run,) = openinference.parse(_trace(tmp_path, agent))
    assert isinstance(run, RunRecord) and run.steps[0].max_tokens is None
    llm["span_attributes"]["llm.invocation_parameters"] = '{"max_tokens": -5}'
    (error,) = openinference.parse(_trace(tmp_path, agent))
    assert isinstance(error, RecordError)
    assert error.problem == (
        "field 'spans[id=call].span_attributes.llm.invocation_parameters.max_tokens': "
        "must be a non-negative integer; got integer -5"
    )
