"""Format detection and ``read_runs`` dispatch, on the real files and made-up ones."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from tests.conftest import BUNDLED_DATA

from sopwatch.domain.errors import InvalidInput
from sopwatch.ingest.files import as_input
from sopwatch.ingest.formats import FORMATS, detect_format, read_runs
from sopwatch.ingest.formats._documents import Documents
from sopwatch.ingest.formats.detect import detect
from sopwatch.ingest.records import RecordError, RunRecord

TRAIL = BUNDLED_DATA / "trail"  # gzip-compressed


def _trail(sub: str) -> Path:
    return TRAIL / sub


def test_formats_tuple() -> None:
    assert FORMATS == ("tau", "tau2", "openinference", "jsonl")


def test_real_tau_and_tau2_files() -> None:
    assert detect_format(BUNDLED_DATA / "tau-bench" / "gpt-4o-airline.json") == "tau"
    tau2_files = sorted((BUNDLED_DATA / "tau2-bench").glob("*.json"))
    assert len(tau2_files) == 4
    assert {detect_format(p) for p in tau2_files} == {"tau2"}


@pytest.mark.trail
def test_real_trail_traces_and_annotations() -> None:
    traces = sorted(_trail("GAIA").glob("*.json.gz"))
    assert len(traces) == 113
    assert {detect_format(p) for p in traces[:10]} == {"openinference"}
    with pytest.raises(InvalidInput, match="TRAIL annotation file") as info:
        detect_format(_trail("annotations_gaia") / "0035f455b3ff2295167a844f04d85d34.json.gz")
    assert info.value.field == "--format"
    assert info.value.problem.startswith("a TRAIL annotation file")
    assert "--format" not in info.value.problem
    broken = _trail("annotations_gaia") / "a96c6811716c0473b86a23321db79c34.json.gz"
    with pytest.raises(InvalidInput, match=r"invalid JSON at line 39 column 5"):
        detect_format(broken)
    (error,) = read_runs(broken, "openinference")
    assert error == RecordError(
        where=str(broken), problem="invalid JSON at line 39 column 5: Expecting value"
    )


@pytest.mark.parametrize(
    ("content", "fmt"),
    [
        ('{"id": "a"}\n{"id": "b"}\n', "jsonl"),
        ('{"id": 1}', "jsonl"),
        ('\n\n{"id": "a", "spans_seen": 3}\n', "jsonl"),
        ('{not json\n{"id": "b"}\n', "jsonl"),  # a bad first line does not hide JSONL
        ('{"status": "x"}\n{"id": "b"}\n', "jsonl"),
        (json.dumps([{"task_id": 1, "trial": 0, "traj": []}], indent=2), "tau"),
        (json.dumps({"info": {}, "simulations": []}, indent=2), "tau2"),
        (json.dumps({"info": {}, "simulations": []}), "tau2"),
        (json.dumps({"trace_id": "t", "spans": []}, indent=1), "openinference"),
    ],
)
def test_detects_made_up_files(tmp_path: Path, content: str, fmt: str) -> None:
    path = tmp_path / "f.json"
    path.write_text(content)
    assert detect_format(path) == fmt


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("", "is empty"),
        ("\n  \n", "is empty"),
        ('{"simulations": [', "not JSON or JSONL (invalid JSON at line 1 column"),
        ('{\n  "a": 1,\n}', "not JSON or JSONL (invalid JSON at line 3 column 1"),
        (json.dumps({"id": "x", "errors": []}, indent=2), "keys errors, id is none of the formats"),
        ("[1, 2]", "a JSON array is none of the formats"),
        ("hello", "not JSON or JSONL"),
    ],
)
def test_undetectable_files_raise_invalid_input(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "f.json"
    path.write_text(content)
    with pytest.raises(InvalidInput, match=message.replace("(", r"\(")) as info:
        detect_format(path)
    assert info.value.field == "--format"


def test_missing_file_and_unknown_format(tmp_path: Path) -> None:
    with pytest.raises(InvalidInput, match="cannot read"):
        detect_format(tmp_path / "absent.json")
    path = tmp_path / "f.jsonl"
    path.write_text('{"id": "a"}\n')
    with pytest.raises(
        InvalidInput, match="must be one of tau, tau2, openinference, jsonl; got 'csv'"
    ):
        read_runs(path, "csv")


def test_read_runs_detects_and_dispatches(tmp_path: Path) -> None:
    path = tmp_path / "f.jsonl"
    path.write_text('{"id": "a"}\n{"id": "b", "status": "nope"}\n')
    out = list(read_runs(path))
    assert isinstance(out[0], RunRecord) and isinstance(out[1], RecordError)
    (run,) = [r for r in read_runs(BUNDLED_DATA / "tau2-bench" / next(
        p.name for p in (BUNDLED_DATA / "tau2-bench").glob("gpt-oss*.json")
    )) if isinstance(r, RunRecord) and r.external_id.startswith("ea8de2d6")]  # fmt: skip
    assert run.status.value == "needs_input"


def test_detection_hands_the_documents_it_read_over(tmp_path: Path) -> None:
    """Detection reads a whole-file document at most once and hands it to the parser: the
    whole file when it had to (pretty-printed), else the first line when that is the whole
    file; a first line with more after it is not taken for the whole file."""
    fmt, documents = detect(as_input(BUNDLED_DATA / "tau-bench" / "gpt-4o-airline.json"))
    assert fmt == "tau" and isinstance(documents, Documents)
    assert [len(value) for value in documents.values] == [200] and documents.end is None
    path = tmp_path / "runs.json"
    one = json.dumps({"simulations": [{"id": "s1", "messages": []}]})
    path.write_text(one + "\n\n")
    assert detect(as_input(path)) == ("tau2", Documents((json.loads(one),)))
    path.write_text(one + "\n" + one.replace("s1", "s2") + "\n")
    fmt, documents = detect(as_input(path))
    assert fmt == "tau2" and isinstance(documents, Documents)
    assert [value["simulations"][0]["id"] for value in documents.values] == ["s1", "s2"]


_SIM = {"id": "s1", "messages": [{"role": "user", "content": "hi"}], "reward_info": {}}


@pytest.mark.parametrize(
    ("content", "fmt"),
    [
        (json.dumps([_SIM, _SIM | {"id": "s2"}], indent=2), "tau2"),  # a bare array
        (json.dumps([_SIM]), "tau2"),
        (json.dumps([{"id": 1, "messages": []}, {"messages": []}]), "tau2"),
        ('{"id": "a", "status": "COMPLETED"}\n', "jsonl"),
    ],
)
def test_detects_variants(tmp_path: Path, content: str, fmt: str) -> None:
    path = tmp_path / "f.ndjson"
    path.write_text(content)
    assert detect_format(path) == fmt


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (
            '{"run": 1, "ok": true}\n{"run": 2}\n\n{"run": 3}\n',
            "looks like JSONL (3 lines, each a JSON object) but no line has an 'id'",
        ),
        (
            '{"run": 1}\n[1]\n{"run": 3',
            "looks like JSONL (3 lines, 1 of them JSON objects; line 2 is array [1]) "
            "but no line has an 'id'",
        ),
        (
            '{"run": 1}\n{"run": 2}\n{"run": 3, "x": "cut',
            "looks like JSONL (3 lines, 2 of them JSON objects; line 3: invalid JSON at "
            "column 17: Unterminated string starting at) but no line has an 'id'",
        ),
        (
            json.dumps([{"messages": []}, {"messages": []}]),
            "looks like tau2 (a JSON array of objects with 'messages') but none has an 'id'",
        ),
        (
            json.dumps([{"task_id": 1, "trial": 0, "traj": []}, {"task_id": 2}], indent=1),
            "looks like tau (a list of {task_id, trial, traj}) but only 1 of its first 2 "
            "items have that shape, not most (item 1 has no 'traj')",
        ),
        (
            json.dumps([{"id": "a", "messages": []}, {"id": "b"}, {"id": "c", "task_id": 1}]),
            "looks like tau2 (a JSON array of simulations) but only 1 of its first 3 items "
            "have that shape, not most (item 1 has no 'messages' list)",
        ),
        (
            json.dumps({"info": {}, "simulations": "none"}, indent=1),
            "looks like tau2 but its 'simulations' is string 'none', not a list",
        ),
        (
            json.dumps({"trace_id": "t", "spans": {}}, indent=1),
            "looks like openinference but its 'spans' is object {}, not a list",
        ),
        (
            json.dumps({"task_id": 1, "trial": 0, "traj": []}, indent=1),
            "looks like one tau-bench run: a tau file is a JSON list of them",
        ),
        (
            json.dumps([{"a": 1, "b": 2}], indent=1),
            "a JSON array of objects (keys of the first: a, b) is none of the formats",
        ),
        (b'{"simulations": [\xe9]}', "not UTF-8 text (byte 0xe9 at offset 17): save it as UTF-8"),
    ],
)
def test_the_closest_format_says_why_it_refused(
    tmp_path: Path, content: str | bytes, message: str
) -> None:
    path = tmp_path / "f.jsonl"
    path.write_bytes(content if isinstance(content, bytes) else content.encode())
    with pytest.raises(InvalidInput) as info:
        detect_format(path)
    assert info.value.problem.startswith(message), info.value.problem
    assert "Extra data" not in info.value.problem


def test_an_id_past_the_sniffed_lines_still_means_jsonl(tmp_path: Path) -> None:
    path = tmp_path / "f.jsonl"
    path.write_text('{"run": 1}\n' * 30 + '{"id": "late"}\n')
    assert detect_format(path) == "jsonl"
    out = list(read_runs(path))
    assert [r.external_id for r in out if isinstance(r, RunRecord)] == ["late"]
    assert len([r for r in out if isinstance(r, RecordError)]) == 30


def test_empty_file_reads_as_one_note(tmp_path: Path) -> None:
    path = tmp_path / "f.json"
    path.write_text("   \n")
    assert [str(item) for item in read_runs(path)] == [
        f"{path}: the file is empty: nothing to import"
    ]


def _tau_run(task: int) -> dict[str, object]:
    return {"task_id": task, "trial": 0, "reward": 1.0, "traj": [{"role": "user", "content": "hi"}]}


def _simulation(index: int) -> dict[str, object]:
    return {
        "id": f"sim-{index}",
        "task_id": str(index),
        "termination_reason": "agent_stop",
        "messages": [{"role": "user", "content": "hi"}],
    }


@pytest.mark.parametrize(
    ("items", "fmt", "bad"),
    [
        # one simulation of a bare tau2 array without its messages (it has a task_id, as
        # tau2 simulations do: once reported as "looks like tau … item 0 has no 'traj'")
        (
            [{"id": "sim-0", "task_id": "0"}] + [_simulation(i) for i in range(1, 4)],
            "tau2",
            "simulation 0 (id sim-0): field 'messages': missing",
        ),
        (
            [_tau_run(0), {"task_id": 1, "trial": 0}, _tau_run(2)],
            "tau",
            "item 1: field 'traj': missing",
        ),
    ],
)
def test_one_bad_item_does_not_refuse_the_file(
    tmp_path: Path, items: list[object], fmt: str, bad: str
) -> None:
    path = tmp_path / "runs.json"
    path.write_text(json.dumps(items, indent=1))
    assert detect_format(path) == fmt
    out = list(read_runs(path))
    errors = [str(item) for item in out if isinstance(item, RecordError)]
    assert errors == [f"{path}: {bad}"]
    assert len([item for item in out if isinstance(item, RunRecord)]) == len(items) - 1


def test_jsonl_saved_as_latin_1_is_jsonl_with_its_lines_named(tmp_path: Path) -> None:
    """Every line holds a byte that is not UTF-8: detected as JSONL all the same, so the
    error names the first line and how many were skipped, as naming the format does."""
    path = tmp_path / "runs.jsonl"
    path.write_bytes(
        '{"id": "a", "input": "café"}\n{"id": "b", "input": "été"}\n'.encode("latin-1")
    )
    assert detect_format(path) == "jsonl"
    expected = [
        f"{path}: not UTF-8 text (byte 0xe9 at offset 25, line 1): save it as UTF-8; "
        "2 lines with such bytes skipped"
    ]
    assert [str(item) for item in read_runs(path)] == expected
    assert [str(item) for item in read_runs(path, "jsonl")] == expected


def test_a_one_line_jsonl_file_cut_short_reports_the_cut_off_line(tmp_path: Path) -> None:
    path = tmp_path / "runs.jsonl"
    path.write_text('{"id": "a", "status": "completed", "input": "hello wor')
    assert detect_format(path) == "jsonl"
    (error,) = read_runs(path)
    assert str(error) == (
        f"{path}: line 1: cut off: the file ends inside this line's JSON (invalid JSON at "
        "column 45: Unterminated string starting at)"
    )


def test_a_one_line_document_cut_short_is_still_not_jsonl(tmp_path: Path) -> None:
    path = tmp_path / "sims.json"
    path.write_text('{"simulations": [{"id": "a", "mess')
    with pytest.raises(InvalidInput) as info:
        detect_format(path)
    assert info.value.problem.startswith("not JSON or JSONL (invalid JSON at line 1 column 30")
