"""The import service on both databases with files as they come: errors in file and line
order, notes for empty files, standard input, the same tool call stored as the same text
whatever the format, and bad model-call details refused alone."""

from __future__ import annotations

import gzip
import io
import json
from pathlib import Path

import sqlalchemy as sa
from tests.ingest.test_importer import _jsonl, _options, _run, _stored

from sopwatch.ingest import importer
from sopwatch.ingest.files import STDIN
from sopwatch.ingest.importer import import_paths
from sopwatch.store.jobs import steps

ARGUMENTS = ('{"order_id": 8812, "a": 1}', '{"a":1,"order_id":8812}', {"a": 1, "order_id": 8812})


def test_errors_come_in_file_and_line_order(engine: sa.Engine, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(importer, "BATCH_SIZE", 2)
    first = _jsonl(
        tmp_path / "first.jsonl",
        {"id": "untimed-bad", "duration_ms": 2**63},  # laid out last, refused by the writer
        _run("a"),
        _run("b", duration_ms=2**63),  # refused by the writer, after line 5 was parsed
        _run("c"),
        "{not json",
        _run("a"),  # a duplicate, found by the writer
    )
    second = _jsonl(tmp_path / "second.jsonl", "[1]", _run("d", status="DONE"), _run("e"))
    result = import_paths(engine, [second, first], _options(engine))
    assert [e.where for e in result.errors] == [
        f"{second}: line 1",
        f"{second}: line 2",
        f"{first}: line 1",
        f"{first}: line 3",
        f"{first}: line 5",
        f"{first}: line 6",
    ]
    assert _stored(engine) == ["a", "c", "e"]


def test_empty_files_are_notes_not_errors(engine: sa.Engine, tmp_path: Path) -> None:
    empty = tmp_path / "empty.json"
    empty.write_text("")
    blank = tmp_path / "blank.jsonl.gz"
    blank.write_bytes(gzip.compress(b"\n\n  \n"))
    good = _jsonl(tmp_path / "good.jsonl", _run("a"))
    result = import_paths(engine, [empty, blank, good], _options(engine))
    assert (result.files, result.imported, result.errors) == (3, 1, [])
    assert result.notes == [
        f"{empty}: the file is empty: nothing to import",
        f"{blank}: the file is empty: nothing to import",
    ]


def test_stdin_is_read_once_and_named(engine: sa.Engine, tmp_path: Path) -> None:
    text = "".join(json.dumps(r) + "\n" for r in (_run("a"), _run("b", status="DONE")))
    stdin = io.BytesIO(gzip.compress(text.encode()))
    result = import_paths(engine, [STDIN], _options(engine), stdin=stdin)
    assert result.imported == 1
    (error,) = result.errors
    assert error.where == "<stdin>: line 2" and "DONE" in error.problem
    assert _stored(engine) == ["a"]


def test_the_same_call_is_stored_as_the_same_text_in_every_format(
    engine: sa.Engine, tmp_path: Path
) -> None:
    jsonl_runs = [
        _run(f"j{i}", steps=[{"kind": "tool", "name": "lookup", "arguments": form}])
        for i, form in enumerate(ARGUMENTS)
    ]
    paths = [_jsonl(tmp_path / "runs.jsonl", *jsonl_runs)]
    calls = [
        {"id": f"c{i}", "name": "lookup", "arguments": form} for i, form in enumerate(ARGUMENTS)
    ]
    sim = {"id": "t2", "termination_reason": "agent_stop", "start_time": "2026-03-01T10:00:00",
           "messages": [{"role": "assistant", "content": None, "tool_calls": calls}]}  # fmt: skip
    paths.append(tmp_path / "tau2.json")
    paths[-1].write_text(json.dumps({"info": {}, "simulations": [sim]}))
    tau_calls = [
        {"id": f"c{i}", "function": {"name": "lookup", "arguments": form}}
        for i, form in enumerate(ARGUMENTS)
    ]
    traj = [{"role": "assistant", "content": None, "tool_calls": tau_calls}]
    tau_item = {"task_id": 1, "trial": 0, "reward": 1, "traj": traj}
    paths.append(tmp_path / "tau.json")
    paths[-1].write_text(json.dumps([tau_item], indent=1))
    span = {
        "span_id": "s",
        "span_name": "lookup",
        "timestamp": "2026-03-01T10:00:00Z",
        "span_attributes": {"openinference.span.kind": "TOOL", "input.value": ARGUMENTS[0]},
    }
    paths.append(tmp_path / "trace.json")
    paths[-1].write_text(json.dumps({"trace_id": "t", "spans": [span]}))  # fmt: skip
    result = import_paths(engine, paths, _options(engine))
    assert (result.imported, result.errors) == (6, [])
    with engine.connect() as conn:
        stored = conn.execute(sa.select(steps.c.arguments).where(steps.c.name == "lookup"))
        texts = list(stored.scalars())
    assert len(texts) == 10 and set(texts) == {'{"a":1,"order_id":8812}'}


def test_bad_model_call_details_refuse_only_their_run(engine: sa.Engine, tmp_path: Path) -> None:
    model = {"kind": "model", "name": "m", "input_tokens": 100}
    path = _jsonl(
        tmp_path / "r.jsonl",
        _run("a", steps=[model | {"cache_read_tokens": 80, "finish_reason": "stop"}]),
        _run("b", steps=[model | {"cache_read_tokens": 101}]),
        _run("c", steps=[model | {"finish_reason": "x" * 41}]),
        _run("d", steps=[model | {"max_tokens": 4096.0}]),
    )
    result = import_paths(engine, [path], _options(engine))
    assert [str(e) for e in result.errors] == [
        f"{path}: line 2: field 'steps[0].cache_read_tokens': 101 is more than the step's "
        "input_tokens 100, which include it",
        f"{path}: line 3: field 'steps[0].finish_reason': 41 characters; at most 40 fit",
    ]
    assert _stored(engine) == ["a", "d"]


def test_latin1_lines_are_one_error_and_the_rest_load(engine: sa.Engine, tmp_path: Path) -> None:
    path = tmp_path / "r.jsonl"
    good = json.dumps(_run("a")) + "\n"
    bad = json.dumps(_run("b", input="caf\u00e9"), ensure_ascii=False) + "\n"
    path.write_bytes(good.encode() + bad.encode("latin-1") + json.dumps(_run("c")).encode())
    offset = len(good) + bad.index("\u00e9")
    result = import_paths(engine, [path], _options(engine))
    assert [str(e) for e in result.errors] == [
        f"{path}: not UTF-8 text (byte 0xe9 at offset {offset}, line 2): save it as UTF-8; "
        "1 line with such bytes skipped"
    ]
    assert _stored(engine) == ["a", "c"]
