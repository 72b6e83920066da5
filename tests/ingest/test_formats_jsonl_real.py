"""JSONL as agents write it: any JSON payload, arguments as JSON text, epoch timestamps,
integral floats, enum values in any case, model-call details, cut-off lines."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tests.ingest.test_formats_jsonl import _json, _one, _parse, _problem

from sopwatch.domain.enums import (
    CaseStatus,
    HumanRequestStatus,
    HumanRequestType,
    JobStatus,
    Source,
    StepKind,
    StepStatus,
    Verdict,
)
from sopwatch.domain.payload import canonical_json
from sopwatch.ingest.formats import jsonl
from sopwatch.ingest.records import RecordError, RunRecord


@pytest.mark.parametrize(
    ("value", "text"),
    [
        ({"b": [1, 2], "a": "é"}, '{"a":"é","b":[1,2]}'),
        ({"order_id": 8812.0, "qty": 2.5}, '{"order_id":8812,"qty":2.5}'),
        ([3, {"z": None}], '[3,{"z":null}]'),
        (12.5, "12.5"),
        (True, "true"),
        ("as logged", "as logged"),
        ('{"b": 1}', '{"b": 1}'),  # a string payload is kept as it is
    ],
)
def test_run_and_step_payloads_take_any_json(tmp_path: Path, value: object, text: str) -> None:
    step = {"kind": "tool", "name": "t", "result": value, "error": value}
    run = _one(tmp_path, {"id": "r", "input": value, "output": value, "error": value,
                          "steps": [step]})  # fmt: skip
    assert (run.input, run.output, run.error) == (text, text, text)
    assert (run.steps[0].result, run.steps[0].error) == (text, text)
    assert run.status is JobStatus.FAILED and run.steps[0].status is StepStatus.ERROR


def test_arguments_as_json_text_or_object_store_the_same_text(tmp_path: Path) -> None:
    forms = [
        '{"order_id": 8812, "a": 1}',
        '{"a":1,"order_id":8812.0}',
        {"a": 1.0, "order_id": 8812},
    ]
    steps = [{"kind": "tool", "name": "t", "arguments": form} for form in forms]
    steps.append({"kind": "tool", "name": "t", "arguments": "order 8812, please"})
    run = _one(tmp_path, {"id": "r", "steps": steps})
    assert [s.arguments for s in run.steps] == ['{"a":1,"order_id":8812}'] * 3 + [
        "order 8812, please"
    ]


_objects = st.dictionaries(st.text(max_size=5), _json, max_size=4)


@settings(
    max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(value=_objects, indent=st.sampled_from([None, 1, 3]), shuffle=st.randoms())
def test_arguments_text_is_canonical_whatever_the_spacing_and_order(
    tmp_path: Path, value: dict, indent: int | None, shuffle: object
) -> None:
    items = list(value.items())
    shuffle.shuffle(items)  # type: ignore[attr-defined]
    text = json.dumps(dict(items), indent=indent)
    step = {"kind": "tool", "name": "t", "arguments": text}
    (run,) = _parse(tmp_path, {"id": "r", "steps": [step, step | {"arguments": value}]})
    assert isinstance(run, RunRecord)
    assert run.steps[0].arguments == run.steps[1].arguments
    assert run.steps[0].arguments == canonical_json(value)


@pytest.mark.parametrize(
    ("value", "moment"),
    [
        (1772000000, datetime(2026, 2, 25, 6, 13, 20, tzinfo=UTC)),  # epoch seconds
        (1772000000.25, datetime(2026, 2, 25, 6, 13, 20, 250000, tzinfo=UTC)),
        (1772000000250, datetime(2026, 2, 25, 6, 13, 20, 250000, tzinfo=UTC)),  # epoch ms
        (1772000000250.5, datetime(2026, 2, 25, 6, 13, 20, 250500, tzinfo=UTC)),
        (1e11, datetime(1973, 3, 3, 9, 46, 40, tzinfo=UTC)),  # the first milliseconds
        (99_999_999_999, datetime(5138, 11, 16, 9, 46, 39, tzinfo=UTC)),  # still seconds
        ("2026-02-25t06:13:20z", datetime(2026, 2, 25, 6, 13, 20, tzinfo=UTC)),
        ("2026-02-25T06:13:20.5Z", datetime(2026, 2, 25, 6, 13, 20, 500000, tzinfo=UTC)),
        ("2026-02-25 08:13:20+02:00", datetime(2026, 2, 25, 6, 13, 20, tzinfo=UTC)),
    ],
)
def test_timestamps_iso_or_epoch_seconds_or_ms(
    tmp_path: Path, value: object, moment: datetime
) -> None:
    step = {"kind": "gate", "name": "g", "started_at": value}
    request = {"type": "question", "created_at": value, "answered_at": value}
    case = {"id": "c", "queue": "q", "status": "postponed", "postponed_until": value}
    run = _one(tmp_path, {"id": "r", "created_at": value, "started_at": value,
                          "finished_at": value, "steps": [step], "human_requests": [request],
                          "case": case})  # fmt: skip
    assert run.created_at == run.started_at == run.finished_at == moment
    assert run.steps[0].started_at == run.human_requests[0].answered_at == moment
    assert run.case is not None and run.case.postponed_until == moment


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        (float("inf"), "field 'created_at': a number too large to store (1e400 or Infinity) is"),
        (1e300, "field 'created_at': 1e+300 is out of range"),
        ("1772000000", "field 'created_at': not an ISO-8601 timestamp: '1772000000'"),
        ([1], "field 'created_at': must be an ISO-8601 timestamp or epoch seconds/ms; got array"),
    ],
)
def test_bad_timestamps_name_the_field(tmp_path: Path, value: object, problem: str) -> None:
    assert _problem(tmp_path, {"id": "r", "created_at": value}).startswith(problem)


def test_integer_fields_take_integral_floats(tmp_path: Path) -> None:
    step = {"seq": 2.0, "kind": "model", "name": "m", "duration_ms": 900.0}
    step |= {"input_tokens": 1234.0, "output_tokens": 5.0, "max_tokens": 4096.0}
    step |= {"cache_read_tokens": 1000.0, "cache_write_tokens": 0.0}
    request = {"type": "question", "step": 2.0}
    run = _one(tmp_path, {"id": 42.0, "revision": 3.0, "duration_ms": 1500.0,
                          "steps": [step], "human_requests": [request]})  # fmt: skip
    assert (run.external_id, run.revision, run.duration_ms) == ("42", 3, 1500)
    (s,) = run.steps
    assert (s.seq, s.duration_ms, s.input_tokens, s.output_tokens) == (2, 900, 1234, 5)
    assert (s.max_tokens, s.cache_read_tokens, s.cache_write_tokens) == (4096, 1000, 0)
    assert all(type(v) is int for v in (s.seq, s.input_tokens, s.max_tokens))
    assert run.human_requests[0].step_seq == 2
    for field in ("duration_ms", "revision"):
        problem = _problem(tmp_path, {"id": "r", field: 1234.5})
        assert problem == f"field '{field}': must be a non-negative integer; got number 1234.5"


@pytest.mark.parametrize("spell", [str.upper, str.title, str.lower])
def test_every_enum_field_in_any_case(tmp_path: Path, spell: object) -> None:
    def s(word: str) -> str:
        return spell(word)  # type: ignore[operator,no-any-return]

    step = {"kind": s("tool"), "name": "t", "status": s("error")}
    request = {"type": s("approval"), "status": s("denied"), "step": 1}
    case = {"id": "c", "queue": "q", "status": s("in_progress")}
    run = _one(tmp_path, {"id": "r", "status": s("needs_input"), "source": s("trigger"),
                          "verdict": s("rejected"), "steps": [step], "human_requests": [request],
                          "case": case})  # fmt: skip
    assert (run.status, run.source, run.verdict) == (
        JobStatus.NEEDS_INPUT,
        Source.TRIGGER,
        Verdict.REJECTED,
    )
    assert (run.steps[0].kind, run.steps[0].status) == (StepKind.TOOL, StepStatus.ERROR)
    request_record = run.human_requests[0]
    assert (request_record.type, request_record.status) == (
        HumanRequestType.APPROVAL,
        HumanRequestStatus.DENIED,
    )
    assert run.case is not None and run.case.status is CaseStatus.IN_PROGRESS


def test_model_call_details(tmp_path: Path) -> None:
    step = {"kind": "model", "name": "gpt-4o", "input_tokens": 1200, "finish_reason": "length"}
    step |= {"max_tokens": 256, "cache_read_tokens": 1024, "cache_write_tokens": 100}
    (s,) = _one(tmp_path, {"id": "r", "steps": [step]}).steps
    assert (s.finish_reason, s.max_tokens, s.cache_read_tokens, s.cache_write_tokens) == (
        "length",
        256,
        1024,
        100,
    )


def test_a_cut_off_last_line_is_reported_at_its_line_and_column(tmp_path: Path) -> None:
    path = tmp_path / "runs.jsonl"
    path.write_text('{"id": "a"}\n\n{"id": "b", "steps": [{"kind": "model", "na')
    out = list(jsonl.parse(path))
    assert [r.external_id for r in out if isinstance(r, RunRecord)] == ["a"]
    assert out[1] == RecordError(
        where=f"{path}: line 3",
        problem="cut off: the file ends inside this line's JSON (invalid JSON at column 41: "
        "Unterminated string starting at)",
    )
    path.write_text('{"id": "a"}\n{"id": "b",\n')  # a bad line that the end did not cut
    assert list(jsonl.parse(path))[1] == RecordError(
        where=f"{path}: line 2",
        problem="the line ends inside its JSON value (invalid JSON at column 12: "
        "Expecting property name enclosed in double quotes)",
    )


def test_documented_real_log_example_parses_as_described(tmp_path: Path) -> None:
    doc = (Path(__file__).resolve().parents[2] / "docs" / "jsonl-format.md").read_text()
    blocks = re.findall(r"```json\n(.*?)\n```", doc, re.S)
    assert len(blocks) == 2
    run = _one(tmp_path, blocks[1])
    assert (run.external_id, run.status) == ("1007", JobStatus.FAILED)
    assert run.created_at == datetime(2026, 2, 25, 6, 13, 20, tzinfo=UTC)
    assert run.input == '{"email":{"subject":"Invoice INV-4107"}}'
    model, tool = run.steps
    assert model.started_at == datetime(2026, 2, 25, 6, 13, 20, 250000, tzinfo=UTC)
    assert (model.kind, model.input_tokens, model.cache_read_tokens) == (StepKind.MODEL, 1200, 1024)
    assert tool.arguments == '{"country":"DE","vendor_id":8812}'
    assert tool.status is StepStatus.ERROR
