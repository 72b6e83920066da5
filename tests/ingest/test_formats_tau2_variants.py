"""tau2-bench files as seen in the wild, made from the bundled files' own simulations: a
bare array of simulations, values written as text, simulations with only id, messages and
reward_info; and the model-call details the real files carry."""

from __future__ import annotations

import gzip
import json
from collections import Counter
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from tests.conftest import BUNDLED_DATA

from sopwatch.domain.enums import JobStatus, StepKind, Verdict
from sopwatch.ingest.formats import detect_format, read_runs, tau2
from sopwatch.ingest.records import FileNote, RecordError, RunRecord

TAU2 = BUNDLED_DATA / "tau2-bench"
HANDOFF = "transfer_to_human_agents"


def _doc(prefix: str) -> dict[str, Any]:
    (path,) = TAU2.glob(f"{prefix}*.json")
    return json.loads(path.read_text())


def _split(out: list[object]) -> tuple[list[RunRecord], list[RecordError], list[str]]:
    runs = [r for r in out if isinstance(r, RunRecord)]
    errors = [r for r in out if isinstance(r, RecordError)]
    notes = [r.note for r in out if isinstance(r, FileNote)]
    assert len(runs) + len(errors) + len(notes) == len(out)
    return runs, errors, notes


def _write(tmp_path: Path, doc: object, name: str = "sims.json") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(doc, indent=1))
    return path


@pytest.fixture(scope="module")
def claude() -> dict[str, Any]:
    return _doc("claude-sonnet-4-5")


def test_a_bare_array_of_simulations(tmp_path: Path, claude: dict[str, Any]) -> None:
    wrapped = _write(tmp_path, claude, "wrapped.json")
    bare = _write(tmp_path, claude["simulations"], "bare.json")
    assert detect_format(bare) == "tau2"
    expected, _, _ = _split(list(read_runs(wrapped)))
    runs, errors, notes = _split(list(read_runs(bare)))
    assert errors == [] and len(runs) == 50
    assert [(r.external_id, r.status, r.verdict, r.cost_micros) for r in runs] == [
        (r.external_id, r.status, r.verdict, r.cost_micros) for r in expected
    ]
    assert {r.model for r in runs} == {None} and {r.input_type for r in runs} == {None}
    assert notes == [
        "a JSON array of simulations without tau2's 'info' block: the agent's model and the "
        "domain are unknown"
    ]


def _as_text(sim: dict[str, Any]) -> dict[str, Any]:
    """``sim`` as a str()-ing exporter writes it: numbers as text, None as "None",
    reward_info as a Python dict literal."""
    out = dict(sim)
    out["duration"] = str(sim["duration"])
    out["agent_cost"] = str(sim["agent_cost"])
    out["user_cost"] = "None"
    out["reward_info"] = repr(sim["reward_info"])
    messages = []
    for message in sim["messages"]:
        message = dict(message)
        for key in ("cost", "tool_calls", "usage", "raw_data"):
            if message.get(key) is None:
                message[key] = "None"
        if message.get("cost") != "None":
            message["cost"] = str(message["cost"])
        if isinstance(message.get("usage"), dict):
            message["usage"] = {k: str(v) for k, v in message["usage"].items()}
        messages.append(message)
    out["messages"] = messages
    return out


def test_values_written_as_text(tmp_path: Path, claude: dict[str, Any]) -> None:
    expected, _, _ = _split(list(tau2.parse(_write(tmp_path, claude, "plain.json"))))
    text = dict(claude, simulations=[_as_text(sim) for sim in claude["simulations"]])
    assert isinstance(text["simulations"][0]["reward_info"], str)
    assert text["simulations"][0]["reward_info"].startswith("{'reward': 1.0")
    runs, errors, notes = _split(list(tau2.parse(_write(tmp_path, text))))
    assert (errors, notes) == ([], [])
    assert [replace(r, where="") for r in runs] == [replace(r, where="") for r in expected]


@pytest.mark.parametrize(
    ("field", "value", "problem"),
    [
        ("agent_cost", "cheap", "field 'agent_cost': must be a number; got string 'cheap'"),
        ("duration", "1_000", "field 'duration': must be a number; got string '1_000'"),
        (
            "reward_info",
            "{'reward': __import__('os')}",
            "field 'reward_info': must be an object, or JSON or Python-dict text of one; got",
        ),
        (
            "reward_info",
            "{'reward': 1.0, 'x': '" + "y" * 1_000_000 + "'}",
            "field 'reward_info': text of 1,000,024 characters is too long to read as a "
            "Python literal (at most 1,000,000)",
        ),
        ("reward_info", "[1, 2]", "field 'reward_info': must be an object; got array [1, 2]"),
        ("reward_info", "{'reward': 'full'}", "field 'reward_info.reward': must be a number"),
    ],
)
def test_text_that_is_not_what_the_field_needs_is_refused_alone(
    tmp_path: Path, claude: dict[str, Any], field: str, value: str, problem: str
) -> None:
    sims = [dict(sim) for sim in claude["simulations"][:3]]
    sims[1][field] = value
    path = _write(tmp_path, dict(claude, simulations=sims))
    runs, errors, _ = _split(list(tau2.parse(path)))
    assert [r.external_id for r in runs] == [sims[0]["id"], sims[2]["id"]]
    (error,) = errors
    assert error.where == f"{path}: simulation 1 (id {sims[1]['id']})"
    assert error.problem.startswith(problem), error.problem


def _bare_minimum(sim: dict[str, Any]) -> dict[str, Any]:
    """Only ``id``, ``messages`` (without timestamps) and ``reward_info``."""
    messages = [{k: v for k, v in m.items() if k != "timestamp"} for m in sim["messages"]]
    return {"id": sim["id"], "messages": messages, "reward_info": sim["reward_info"]}


def test_only_id_messages_and_reward(tmp_path: Path, claude: dict[str, Any]) -> None:
    sims = claude["simulations"]
    full, _, _ = _split(list(tau2.parse(_write(tmp_path, claude, "full.json"))))
    path = _write(tmp_path, [_bare_minimum(sim) for sim in sims])
    assert detect_format(path) == "tau2"
    runs, errors, notes = _split(list(read_runs(path)))
    assert errors == [] and len(runs) == 50
    for run, before in zip(runs, full, strict=True):
        handoff = any(s.name == HANDOFF for s in run.steps)
        assert run.status is (JobStatus.NEEDS_INPUT if handoff else JobStatus.COMPLETED)
        assert run.verdict is before.verdict and run.verdict is not None
        assert run.created_at is None and run.duration_ms is None
        assert len(run.steps) == len(before.steps)
    statuses = Counter(r.status for r in runs)
    assert statuses[JobStatus.NEEDS_INPUT] == sum(1 for r in full if r.human_requests)
    assert notes == [
        "a JSON array of simulations without tau2's 'info' block: the agent's model and the "
        "domain are unknown",
        "50 of 50 simulations have no termination_reason: status inferred from the messages "
        "(transfer_to_human_agents called: needs_input; else completed)",
        "50 of 50 simulations have no times at all: laid out evenly over --spread ending at --end",
    ]


def test_times_are_taken_from_the_messages_when_the_run_has_none(
    tmp_path: Path, claude: dict[str, Any]
) -> None:
    sim = claude["simulations"][0]
    bare = {"id": sim["id"], "messages": sim["messages"], "reward_info": sim["reward_info"]}
    path = _write(tmp_path, {"info": claude["info"], "simulations": [bare]})
    (run, *notes) = tau2.parse(path)
    assert isinstance(run, RunRecord)
    stamps = sorted(m["timestamp"] for m in sim["messages"])
    assert run.started_at is not None and run.started_at.isoformat()[:26] == stamps[0]
    assert run.finished_at is not None and run.finished_at.isoformat()[:26] == stamps[-1]
    assert run.model == "claude-sonnet-4-5"
    assert [n.note for n in notes if isinstance(n, FileNote)][1] == (
        "1 of 1 simulation has no start_time/end_time: taken from their first and last "
        "message timestamps"
    )


def test_empty_simulations_is_a_note(tmp_path: Path) -> None:
    path = _write(tmp_path, {"info": {}, "simulations": []})
    assert [str(item) for item in tau2.parse(path)] == [
        f"{path}: no simulations: nothing to import"
    ]


# --- model-call details ----------------------------------------------------------------


def _model_steps(prefix: str) -> list[Any]:
    (path,) = TAU2.glob(f"{prefix}*.json")
    runs, errors, _ = _split(list(tau2.parse(path)))
    assert errors == []
    return [s for r in runs for s in r.steps if s.kind is StepKind.MODEL]


def test_finish_reasons_and_cache_counts_of_the_real_files() -> None:
    claude = _model_steps("claude-sonnet-4-5")
    assert Counter(s.finish_reason for s in claude) == {"end_turn": 250, "tool_use": 217, None: 50}
    # Anthropic's raw usage: cache counts 0, consistent with prompt_tokens, so known zeros
    assert Counter((s.cache_read_tokens, s.cache_write_tokens) for s in claude) == {
        (0, 0): 467,
        (None, None): 50,  # the canned greeting has no usage
    }
    ironshell = _model_steps("ironshell")
    assert Counter(s.finish_reason for s in ironshell) == {"stop": 267, "tool_calls": 208, None: 50}
    assert {s.cache_read_tokens for s in ironshell} == {None}


def _one_message(tmp_path: Path, message: dict[str, Any], info: object = None) -> Any:
    sim = {"id": "s", "termination_reason": "agent_stop", "messages": [message]}
    doc = {"info": info or {}, "simulations": [sim]}
    path = tmp_path / "one.json.gz"
    path.write_bytes(gzip.compress(json.dumps(doc).encode()))
    (run, *_) = read_runs(path)
    assert isinstance(run, RunRecord), run
    return run.steps[0]


@pytest.mark.parametrize(
    ("message", "details"),
    [
        (
            {"usage": {"prompt_tokens": 900, "prompt_tokens_details": {"cached_tokens": 512}},
             "raw_data": {"choices": [{"finish_reason": "length"}]}},
            ("length", 512, None),
        ),
        (
            {"usage": {"prompt_tokens": "900", "cache_read_input_tokens": "300",
                       "cache_creation_input_tokens": "100"}, "finish_reason": "stop"},
            ("stop", 300, 100),
        ),
        (
            {"usage": {"prompt_tokens": 900}, "raw_data": {"stop_reason": "end_turn", "usage": {
                "input_tokens": 500, "cache_read_input_tokens": 300,
                "cache_creation_input_tokens": 100}}},
            ("end_turn", 300, 100),  # 500 + 300 + 100 = 900: parts of prompt_tokens
        ),
        (
            {"usage": {"prompt_tokens": 500}, "raw_data": {"usage": {
                "input_tokens": 500, "cache_read_input_tokens": 300}}},
            (None, None, None),  # the prompt count leaves the cache out: unknown
        ),
    ],
)  # fmt: skip
def test_model_call_details_from_usage_and_raw_data(
    tmp_path: Path, message: dict[str, Any], details: tuple[object, ...]
) -> None:
    step = _one_message(tmp_path, {"role": "assistant", "content": "x", **message})
    assert (step.finish_reason, step.cache_read_tokens, step.cache_write_tokens) == details


def test_max_tokens_from_the_agents_llm_args(tmp_path: Path) -> None:
    info = {"agent_info": {"llm": "m", "llm_args": {"max_completion_tokens": "2048"}}}
    step = _one_message(tmp_path, {"role": "assistant", "content": "x"}, info)
    assert (step.max_tokens, step.model) == (2048, "m")


def test_verdict_from_reward_text(tmp_path: Path) -> None:
    sims = [
        {"id": i, "messages": [], "reward_info": info}
        for i, info in enumerate(["{'reward': 1.0}", '{"reward": "0.0"}', "None", {"reward": "1"}])
    ]
    runs, errors, _ = _split(list(tau2.parse(_write(tmp_path, sims))))
    assert errors == []
    assert [r.verdict for r in runs] == [Verdict.ACCEPTED, Verdict.REJECTED, None, Verdict.ACCEPTED]
