"""Enumerated values from other tools are read in any case and with a Python enum's class
prefix (``str()`` of a ``(str, Enum)`` member): tau2's ``termination_reason``,
OpenInference's span kind and status code."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from sopwatch.domain.enums import JobStatus, StepKind, StepStatus
from sopwatch.ingest.formats import openinference, tau2
from sopwatch.ingest.formats._common import enum_name
from sopwatch.ingest.records import RunRecord


@pytest.mark.parametrize(
    ("value", "name"),
    [
        ("AGENT_STOP", "agent_stop"),
        ("User_Stop", "user_stop"),
        ("TerminationReason.USER_STOP", "user_stop"),
        ("tau2.data_model.TerminationReason.MAX_STEPS", "max_steps"),
        (" llm ", "llm"),
        ("not.a reason", "not.a reason"),  # not an enum member's name: kept, lower case
        (7, None),
    ],
)
def test_enum_name(value: object, name: str | None) -> None:
    assert enum_name(value) == name


def _tau2_status(tmp_path: Path, reason: str) -> tuple[JobStatus, str | None]:
    simulation = {
        "id": "s1",
        "termination_reason": reason,
        "start_time": "2026-01-01T00:00:00Z",
        "messages": [{"role": "user", "content": "hi"}],
    }
    path = tmp_path / "sims.json"
    path.write_text(json.dumps({"simulations": [simulation]}))
    (run,) = [r for r in tau2.parse(path) if isinstance(r, RunRecord)]
    return run.status, run.failure_kind


@pytest.mark.parametrize(
    ("reason", "status", "kind"),
    [
        ("AGENT_STOP", JobStatus.COMPLETED, None),
        ("User_Stop", JobStatus.COMPLETED, None),
        ("TerminationReason.USER_STOP", JobStatus.COMPLETED, None),
        ("TerminationReason.MAX_STEPS", JobStatus.FAILED, "max_steps"),
        ("Too_Many_Errors", JobStatus.FAILED, "too_many_errors"),
        ("TerminationReason.SOMETHING_NEW", JobStatus.FAILED, "something_new"),
    ],
)
def test_tau2_termination_reason_in_any_case(
    tmp_path: Path, reason: str, status: JobStatus, kind: str | None
) -> None:
    assert _tau2_status(tmp_path, reason) == (status, kind)


def _span(name: str, kind: str, start: str, children: list[dict], status: str = "Ok") -> dict:
    attrs: dict[str, object] = {"openinference.span.kind": kind}
    if kind.lower().endswith("llm"):
        attrs |= {"llm.model_name": "m", "llm.token_count.prompt": 5}
    if name == "answer":
        attrs |= {"tool.name": "final_answer", "output.value": "42"}
    return {
        "span_id": name,
        "span_name": name,
        "timestamp": start,
        "duration": "PT1S",
        "status_code": status,
        "span_attributes": attrs,
        "child_spans": children,
    }


@pytest.mark.parametrize(
    ("llm", "tool", "agent", "error"),
    [
        ("llm", "tool", "agent", "error"),
        ("Llm", "Tool", "Agent", "ERROR"),
        ("OpenInferenceSpanKindValues.LLM", "OpenInferenceSpanKindValues.TOOL",
         "OpenInferenceSpanKindValues.AGENT", "StatusCode.ERROR"),
    ],
)  # fmt: skip
def test_openinference_span_kinds_in_any_case(
    tmp_path: Path, llm: str, tool: str, agent: str, error: str
) -> None:
    calls = [
        _span("call", llm, "2025-01-01T00:00:01Z", []),
        _span("lookup", tool, "2025-01-01T00:00:02Z", [], status=error),
        _span("answer", tool, "2025-01-01T00:00:03Z", []),
    ]
    root = _span("run", agent, "2025-01-01T00:00:00Z", calls)
    path = tmp_path / "trace.json"
    path.write_text(json.dumps({"trace_id": "t1", "spans": [root]}))
    (run,) = openinference.parse(path)
    assert isinstance(run, RunRecord)
    assert [(s.kind, s.name, s.status) for s in run.steps] == [
        (StepKind.MODEL, "m", StepStatus.OK),
        (StepKind.TOOL, "lookup", StepStatus.ERROR),
        (StepKind.TOOL, "answer", StepStatus.OK),
    ]
    assert (run.status, run.output) == (JobStatus.COMPLETED, "42")
