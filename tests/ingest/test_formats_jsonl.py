"""JSONL parser: field mapping, inference, per-line errors, and properties (hypothesis)."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

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
from sopwatch.ingest.formats._common import json_line, json_value
from sopwatch.ingest.records import FileNote, RecordError, RunRecord

DOC = Path(__file__).resolve().parents[2] / "docs" / "jsonl-format.md"


def _parse(tmp_path: Path, *lines: object) -> list[RunRecord | RecordError]:
    path = tmp_path / "runs.jsonl"
    path.write_text("\n".join(x if isinstance(x, str) else json.dumps(x) for x in lines) + "\n")
    return list(jsonl.parse(path))


def _one(tmp_path: Path, obj: object) -> RunRecord:
    (run,) = _parse(tmp_path, obj)
    assert isinstance(run, RunRecord), run
    return run


def _problem(tmp_path: Path, obj: object) -> str:
    (error,) = _parse(tmp_path, obj)
    assert isinstance(error, RecordError), error
    assert error.where == f"{tmp_path / 'runs.jsonl'}: line 1"
    return error.problem


def test_full_record_maps_every_field(tmp_path: Path) -> None:
    request = {"type": "approval", "gate": "g", "question": "ok?", "status": "denied", "step": 5}
    request |= {"created_at": "2026-01-01T08:00:02Z", "answered_at": "2026-01-01T09:00:00Z"}
    request |= {"response": {"reason": "over budget", "by": "ana"}}
    request |= {"expires_at": 1767283200}  # epoch seconds: 2026-01-01T16:00:00Z
    case = {"id": "C-1", "queue": "q", "status": "failed", "title": "t"}
    case["postponed_until"] = "2026-02-01T00:00:00Z"
    model_step = {"kind": "model", "name": "gpt-4o", "input_tokens": 10, "output_tokens": 2}
    model_step |= {"cost_usd": 0.01, "model": "gpt-4o", "duration_ms": 900}
    tool_step = {"seq": 5, "kind": "tool", "name": "crm.get", "connection": "crm"}
    tool_step |= {"arguments": {"b": 1, "a": "x"}, "result": {"ok": False}, "error": "HTTP 503"}
    tool_step |= {"started_at": "2026-01-01T08:00:02Z", "finished_at": "2026-01-01T08:00:02.250Z"}
    record = {"id": 7, "assignment": "refunds", "revision": 3, "source": "trigger"}
    record |= {"status": "failed", "created_at": "2026-01-01T10:00:00+02:00"}
    record |= {"started_at": "2026-01-01T08:00:01Z", "finished_at": "2026-01-01T08:00:03"}
    record |= {"input": "in", "input_type": "email", "output": "out", "verdict": "rejected"}
    record |= {"failure_kind": "tool_error", "error": "HTTP 503", "cost_usd": 0.0123}
    record |= {"model": "gpt-4o", "case": case, "steps": [model_step, tool_step]}
    record |= {"human_requests": [request], "trigger_key": 4711}
    run = _one(tmp_path, record)
    assert run.external_id == "7" and run.assignment == "refunds" and run.revision == 3
    assert run.source is Source.TRIGGER and run.status is JobStatus.FAILED
    assert run.created_at == datetime(2026, 1, 1, 8, 0, tzinfo=UTC)
    assert run.finished_at == datetime(2026, 1, 1, 8, 0, 3, tzinfo=UTC)
    assert run.duration_ms == 2000  # finished - started
    assert run.verdict is Verdict.REJECTED and run.cost_micros == 12_300
    assert run.case is not None and run.case.status is CaseStatus.FAILED and run.case.id == "C-1"
    model, tool = run.steps
    assert (model.seq, model.kind, model.cost_micros, model.duration_ms) == (
        1,
        StepKind.MODEL,
        10_000,
        900,
    )
    assert (tool.seq, tool.kind, tool.status) == (5, StepKind.TOOL, StepStatus.ERROR)
    assert tool.arguments == '{"a":"x","b":1}' and tool.result == '{"ok":false}'
    assert tool.duration_ms == 250 and tool.connection == "crm"
    (request,) = run.human_requests
    assert request.type is HumanRequestType.APPROVAL and request.status is HumanRequestStatus.DENIED
    assert request.step_seq == 5
    assert request.response == '{"by":"ana","reason":"over budget"}'
    assert request.expires_at == datetime(2026, 1, 1, 16, 0, tzinfo=UTC)
    assert run.trigger_key == "4711"


@pytest.mark.parametrize(
    ("extra", "status"),
    [
        ({"error": "x"}, JobStatus.FAILED),
        ({"failure_kind": "max_steps", "finished_at": "2026-01-01T00:00:00Z"}, JobStatus.FAILED),
        ({"human_requests": [{"type": "question"}]}, JobStatus.NEEDS_INPUT),
        ({"human_requests": [{"type": "question", "status": "answered"}]}, JobStatus.RUNNING),
        ({"finished_at": "2026-01-01T00:00:00Z"}, JobStatus.COMPLETED),
        ({}, JobStatus.RUNNING),
    ],
)
def test_status_inference(tmp_path: Path, extra: dict, status: JobStatus) -> None:
    assert _one(tmp_path, {"id": "r", **extra}).status is status


def test_defaults(tmp_path: Path) -> None:
    run = _one(
        tmp_path,
        {"id": "r", "started_at": "2026-01-01T00:00:00", "steps": [{"kind": "gate", "name": "g"}]},
    )
    assert run.source is Source.INGESTED
    assert run.created_at == run.started_at == datetime(2026, 1, 1, tzinfo=UTC)
    assert run.steps[0].seq == 1 and run.steps[0].status is StepStatus.OK
    assert run.cost_micros is None and run.case is None
    assert _one(tmp_path, {"id": "r"}).created_at is None
    assert (
        _one(tmp_path, {"id": "r", "steps": [{"kind": "tool", "name": "t", "arguments": "raw"}]})
        .steps[0]
        .arguments
        == "raw"
    )


JOB = "completed, failed, needs_input, stopped, running"
KINDS = "model, tool, gate, agent"
CASE = "pending, in_progress, completed, failed, postponed, needs_input"
M = {"kind": "model", "name": "m"}


@pytest.mark.parametrize(
    ("obj", "problem"),
    [
        ({"id": "r", "status": "done"}, f"field 'status': must be one of {JOB}; got 'done'"),
        ({"id": "r", "status": "pending"}, f"field 'status': must be one of {JOB}; got 'pending'"),
        (
            {"id": "r", "steps": [M, M, M, {"kind": "tool", "name": "t", "status": "done"}]},
            "field 'steps[3].status': must be one of ok, error; got 'done'",
        ),
        (
            {"id": "r", "steps": [{"kind": "robot", "name": "m"}]},
            f"field 'steps[0].kind': must be one of {KINDS}; got 'robot'",
        ),
        (
            {"id": "r", "steps": [{"name": "m"}]},
            f"field 'steps[0].kind': missing; must be one of {KINDS}",
        ),
        (
            {"id": "r", "revision": "3"},
            "field 'revision': must be a non-negative integer; got string '3'",
        ),
        (
            {"id": "r", "steps": [M | {"input_tokens": 1.5}]},
            "field 'steps[0].input_tokens': must be a non-negative integer; got number 1.5",
        ),
        (
            {"id": "r", "steps": {"kind": "model"}},
            'field \'steps\': must be a list; got object {"kind": "model"}',
        ),
        (
            {"id": "r", "cost_usd": "1"},
            "field 'cost_usd': must be a non-negative number; got string '1'",
        ),
        (
            {"id": "r", "verdict": True},
            "field 'verdict': must be one of accepted, rejected; got true",
        ),
        (
            {"id": "r", "steps": [M | {"finish_reason": 3}]},
            "field 'steps[0].finish_reason': must be a string; got integer 3",
        ),
        (
            {"id": "r", "revision": 2.5},
            "field 'revision': must be a non-negative integer; got number 2.5",
        ),
        (
            {"id": "r", "created_at": True},
            "field 'created_at': must be an ISO-8601 timestamp or epoch seconds/ms; got true",
        ),
        (
            {"id": "r", "steps": [M | {"seq": 1.5}]},
            "field 'steps[0].seq': must be an integer >= 1; got number 1.5",
        ),
        (
            {"id": "r", "steps": [M | {"max_tokens": "512"}]},
            "field 'steps[0].max_tokens': must be a non-negative integer; got string '512'",
        ),
        ({"id": 7.5}, "field 'id': must be a non-blank string or integer; got number 7.5"),
        (
            {"id": "r", "created_at": "monday"},
            "field 'created_at': not an ISO-8601 timestamp: 'monday'",
        ),
        (
            {"id": "r", "case": {"id": 1, "queue": "q"}},
            f"field 'case.status': missing; must be one of {CASE}",
        ),
        (
            {"id": "r", "human_requests": [{"type": "question", "step": 2}]},
            "field 'human_requests[0].step': no step with seq 2 in this run",
        ),
        (
            {"id": "r", "steps": [M | {"seq": 1}, M | {"seq": 1}]},
            "field 'steps[1].seq': duplicate seq 1",
        ),
        ({"id": ""}, "field 'id': must be a non-blank string or integer; got string ''"),
        ({"id": " \t"}, "field 'id': must be a non-blank string or integer; got string ' \\t'"),
        (
            {"id": "r", "status": None, "input": None, "source": 3},
            "field 'source': must be one "
            "of manual, scheduled, trigger, case, api, ingested; got integer 3",
        ),
        ({"id": "r", "steps": [None]}, "field 'steps[0]': must be an object; got null"),
        (
            {"id": "r", "cost_usd": float("nan")},
            "field 'cost_usd': must be a finite number; got NaN (not a number)",
        ),
        (
            {"id": "r", "steps": [M | {"cost_usd": float("inf")}]},
            "field 'steps[0].cost_usd': must be a finite number; got a number too large to "
            "store (1e400 or Infinity)",
        ),
        (
            {"id": "r", "cost_usd": 1e20},
            "field 'cost_usd': 1e+20 USD is more than the maximum 9,223,372,036,854.775807 USD",
        ),
        (
            {"id": "r", "cost_usd": 9.3e12},
            "field 'cost_usd': 9,300,000,000,000 USD is more than the maximum "
            "9,223,372,036,854.775807 USD",
        ),
        (
            {
                "id": "r",
                "steps": [
                    M
                    | {"started_at": "2026-01-01T00:00:01Z", "finished_at": "2026-01-01T00:00:00Z"}
                ],
            },
            "field 'steps[0].finished_at': 2026-01-01T00:00:00Z is before started_at "
            "2026-01-01T00:00:01Z",
        ),
        (
            {"id": "r", "created_at": "0001-01-01T00:00:00+05:00"},
            "field 'created_at': '0001-01-01T00:00:00+05:00' is out of range: timestamps must "
            "lie between 1970-01-01 and 1 day after now",
        ),
        (
            {"id": "r", "case": {"id": "c", "queue": "  ", "status": "pending"}},
            "field 'case.queue': must be a non-blank string; got string '  '",
        ),
        ({"status": "completed"}, "field 'id': missing"),
        ([1, 2], "must be a JSON object; got array [1, 2]"),
    ],
)
def test_field_errors_name_the_field(tmp_path: Path, obj: object, problem: str) -> None:
    assert _problem(tmp_path, obj) == problem


def test_bad_lines_among_good_ones(tmp_path: Path) -> None:
    out = _parse(
        tmp_path,
        {"id": "a", "status": "completed"},
        "",
        "{not json",
        "   ",
        {"id": "b", "status": "done"},
        {"id": "c", "steps": [{"kind": "tool", "name": "t"}]},
        '{"id": "d",}',
    )
    path = tmp_path / "runs.jsonl"
    assert [r.external_id for r in out if isinstance(r, RunRecord)] == ["a", "c"]
    errors = [r for r in out if isinstance(r, RecordError)]
    assert [e.where for e in errors] == [f"{path}: line 3", f"{path}: line 5", f"{path}: line 7"]
    assert errors[0].problem.startswith("invalid JSON at column 2:")
    assert errors[1].problem.startswith("field 'status': must be one of")
    assert errors[2].problem.startswith("invalid JSON at column 12:")


def test_not_utf8_lines_give_one_error_for_the_file(tmp_path: Path) -> None:
    path = tmp_path / "runs.jsonl"
    path.write_bytes(b'{"id": "a"}\n{"id": "\xff"}\n{"id": "c"}\n{"id": "caf\xe9"}\n')
    out = list(jsonl.parse(path))
    assert [r.external_id for r in out if isinstance(r, RunRecord)] == ["a", "c"]
    (error,) = [r for r in out if isinstance(r, RecordError)]
    assert error == RecordError(
        where=str(path),
        problem="not UTF-8 text (byte 0xff at offset 20, line 2): save it as UTF-8; "
        "2 lines with such bytes skipped",
    )
    (error,) = jsonl.parse(tmp_path / "absent.jsonl")
    assert isinstance(error, RecordError) and error.problem.startswith("cannot read file")


def test_raw_surrogates_are_not_utf8_and_a_bom_starting_a_line_is_skipped(tmp_path: Path) -> None:
    """Bytes ED A0 80 (a surrogate encoded raw, as lenient encoders write it) are not UTF-8:
    the line is skipped and counted in the file's one error, as a whole-file format's
    parser refuses them. A BOM at a line's start (``cat`` of files saved with one) is not
    part of the JSON."""
    path = tmp_path / "runs.jsonl"
    path.write_bytes(b'{"id": "a"}\n{"id": "b\xed\xa0\x80"}\n\xef\xbb\xbf{"id": "c"}\n')
    out = list(jsonl.parse(path))
    assert [r.external_id for r in out if isinstance(r, RunRecord)] == ["a", "c"]
    (error,) = [r for r in out if isinstance(r, RecordError)]
    assert error == RecordError(
        where=str(path),
        problem="not UTF-8 text (byte 0xed at offset 21, line 2): save it as UTF-8; "
        "1 line with such bytes skipped",
    )


def test_documented_example_line_parses(tmp_path: Path) -> None:
    match = re.search(r"```json\n(.*?)\n```", DOC.read_text(), re.S)
    assert match is not None
    run = _one(tmp_path, match.group(1))
    assert run.external_id == "run-0042" and run.status is JobStatus.NEEDS_INPUT
    assert [s.kind for s in run.steps] == [StepKind.MODEL, StepKind.TOOL, StepKind.GATE]
    assert run.human_requests[0].step_seq == 3 and run.case is not None


# --- properties -------------------------------------------------------------------------

_text = st.text(max_size=20)
_times = st.datetimes(
    min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1), timezones=st.just(UTC)
)
_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | _text,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(_text, inner, max_size=3),
    max_leaves=8,
)
_step = st.fixed_dictionaries(
    {"kind": st.sampled_from([k.value for k in StepKind]), "name": _text.filter(bool)},
    optional={
        "status": st.sampled_from(["ok", "error"]),
        "arguments": _json,
        "input_tokens": st.integers(0, 10**9),
        "started_at": _times,
        "duration_ms": st.integers(0, 10**9),
        "cost_usd": st.floats(0, 100),
    },
)
_record = st.fixed_dictionaries(
    {"id": _text.filter(str.strip) | st.integers(), "steps": st.lists(_step, max_size=5)},
    optional={
        "status": st.sampled_from(["completed", "failed", "needs_input", "stopped", "running"]),
        "source": st.sampled_from([s.value for s in Source]),
        "input": _text,
        "revision": st.integers(0, 1000),
        "created_at": _times,
        "verdict": st.sampled_from(["accepted", "rejected"]),
    },
)


def _dump(record: dict) -> str:
    return json.dumps(record, default=lambda t: t.isoformat())


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(records=st.lists(_record, min_size=1, max_size=4))
def test_valid_records_round_trip(tmp_path: Path, records: list[dict]) -> None:
    out = _parse(tmp_path, *(_dump(r) for r in records))
    assert len(out) == len(records)
    for run, record in zip(out, records, strict=True):
        assert isinstance(run, RunRecord), run
        assert run.external_id == str(record["id"])
        assert run.status.value == record.get("status", run.status.value)
        assert run.source.value == record.get("source", "ingested")
        assert run.input == record.get("input") and run.revision == record.get("revision")
        assert run.created_at == record.get("created_at")
        assert [s.kind.value for s in run.steps] == [s["kind"] for s in record["steps"]]
        assert [s.seq for s in run.steps] == list(range(1, len(record["steps"]) + 1))
        for step, raw in zip(run.steps, record["steps"], strict=True):
            assert step.name == raw["name"] and step.started_at == raw.get("started_at")
            assert step.input_tokens == raw.get("input_tokens")
            if "arguments" in raw and raw["arguments"] is not None:
                if isinstance(raw["arguments"], str):
                    assert step.arguments == raw["arguments"]
                else:  # canonical JSON of the same value (8812.0 written 8812)
                    assert step.arguments == canonical_json(raw["arguments"])
                    assert json.loads(step.arguments or "") == raw["arguments"]


@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(lines=st.lists(st.text(max_size=40) | st.builds(_dump, _json), max_size=6))
def test_arbitrary_lines_never_raise(tmp_path: Path, lines: list[str]) -> None:
    path = tmp_path / "fuzz.jsonl"
    path.write_text("\n".join(line.replace("\n", " ") for line in lines), encoding="utf-8")
    out = list(jsonl.parse(path))
    notes = [r for r in out if isinstance(r, FileNote)]
    assert all(isinstance(r, RunRecord | RecordError) for r in out if r not in notes)
    assert len(out) - len(notes) <= len(lines)
    blank = not any(line.encode().strip() for line in lines)  # ASCII whitespace, as JSON's
    assert len(notes) == (1 if blank else 0)


_JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**70), 2**70)
    | st.sampled_from([2**63 - 1, 2**63, 2**64 - 1, 2**64, -(2**63), -(2**63) - 1])
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=8)
    | st.sampled_from(["\ud800", "a\udfff", "\ufeff", "\u2028"]),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=4), inner, max_size=4)
    ),
    max_leaves=12,
)


@settings(max_examples=500)
@given(_JSON, st.sampled_from(["", " ", "\n", "\r\n"]))
def test_a_line_reads_as_the_json_module_reads_it(value: object, end: str) -> None:
    """orjson on the hot path gives exactly the json module's values (types included:
    an integer beyond 64 bits stays an integer, NaN and 1e400 are read as Python does)."""
    raw = (json.dumps(value) + end).encode("utf-8", "surrogatepass")
    try:
        expected = repr(json_value(raw.decode("utf-8")))
    except UnicodeDecodeError:
        with pytest.raises(UnicodeDecodeError):
            json_line(raw)
        return
    assert repr(json_line(raw)) == expected
