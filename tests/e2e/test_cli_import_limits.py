"""Bad values in imported runs: one clear error per bad record naming its line and field,
the good records of the same file still load, nothing stored is lost, no traceback, and
SQLite and PostgreSQL give the same answer (every test runs on both)."""

from __future__ import annotations

import json
import os
import signal
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import BUNDLED_DATA
from tests.e2e.conftest import Cli, Ran

TAU = BUNDLED_DATA / "tau-bench" / "gpt-4o-airline.json"
GPT_OSS = next((BUNDLED_DATA / "tau2-bench").glob("gpt-oss-120b_*.json"))
AT = "2026-03-01T10:00:00Z"
M = {"kind": "model", "name": "m"}


def _good(name: str) -> dict[str, object]:
    return {"id": name, "status": "completed", "created_at": AT}


def _import_with_bad_line(cli: Cli, tmp_path: Path, bad: str) -> tuple[Ran, dict]:
    """Store one job, then import good, ``bad``, good: the summary of the second import."""
    path = tmp_path / "runs.jsonl"
    path.write_text(json.dumps(_good("before")) + "\n")
    assert cli("import", str(path), "-a", "lim").code == 0
    path.write_text(f"{json.dumps(_good('ok-1'))}\n{bad}\n{json.dumps(_good('ok-2'))}\n")
    ran = cli("import", str(path), "-a", "lim", "--json")
    assert "Traceback" not in ran.out + ran.err
    return ran, ran.json()


BAD_LINES = [
    # 1. numbers out of the columns' range
    ('{"id": "bad", "duration_ms": 100000000000000000000000000}', "duration_ms", "more than"),
    ('{"id": "bad", "cost_usd": 1e20}', "cost_usd", "more than"),
    ('{"id": "bad", "cost_usd": NaN}', "cost_usd", "finite"),
    ('{"id": "bad", "cost_usd": Infinity}', "cost_usd", "finite"),
    ('{"id": "bad", "cost_usd": 1e400}', "cost_usd", "finite"),
    (
        json.dumps({"id": "bad", "steps": [M | {"seq": 100000000000000000000}]}),
        "steps[0].seq",
        "more than",
    ),
    (
        json.dumps({"id": "bad", "steps": [M, M | {"input_tokens": 2**63}]}),
        "steps[1].input_tokens",
        "more than",
    ),
    (
        json.dumps({"id": "bad", "steps": [M | {"output_tokens": 2**62}] * 2}),
        "steps[].output_tokens",
        "sum",
    ),
    # 2. text the databases cannot hold alike
    ('{"id": "bad", "input": "\\ud800"}', "input", "surrogate"),
    (
        '{"id": "bad", "steps": [{"kind": "tool", "name": "t", "result": "\\udfff"}]}',
        "steps[0].result",
        "",
    ),
    ('{"id": "bad", "input": "a\\u0000b"}', "input", "NUL"),
    ('{"id": "bad", "steps": [{"kind": "tool", "name": "t\\u0000"}]}', "steps[0].name", "NUL"),
    (json.dumps({"id": "x" * 201}), "id", "200"),
    (json.dumps({"id": "bad", "steps": [M | {"name": "n" * 201}]}), "steps[0].name", "200"),
    (
        json.dumps({"id": "bad", "steps": [M | {"connection": "c" * 201}]}),
        "steps[0].connection",
        "200",
    ),
    (json.dumps({"id": "bad", "steps": [M | {"model": "m" * 201}]}), "steps[0].model", "200"),
    (json.dumps({"id": "bad", "model": "m" * 201}), "model", "200"),
    (json.dumps({"id": "bad", "input_type": "t" * 101}), "input_type", "100"),
    (json.dumps({"id": "bad", "failure_kind": "k" * 101}), "failure_kind", "100"),
    (
        json.dumps({"id": "bad", "human_requests": [{"type": "question", "gate": "g" * 201}]}),
        "human_requests[0].gate",
        "200",
    ),
    (
        json.dumps({"id": "bad", "case": {"id": "c" * 201, "queue": "q", "status": "pending"}}),
        "case.id",
        "200",
    ),
    (
        json.dumps({"id": "bad", "case": {"id": "c", "queue": "q" * 101, "status": "pending"}}),
        "case.queue",
        "100",
    ),
    (
        json.dumps(
            {
                "id": "bad",
                "case": {"id": "c", "queue": "q", "status": "pending", "title": "t" * 501},
            }
        ),
        "case.title",
        "500",
    ),
    # 4. accepted silently but wrong
    (
        json.dumps({"id": "bad", "started_at": AT, "finished_at": "2026-03-01T09:00:00Z"}),
        "finished_at",
        "before",
    ),
    (
        json.dumps(
            {
                "id": "bad",
                "created_at": AT,
                "human_requests": [
                    {"type": "question", "created_at": AT, "answered_at": "2026-03-01T09:59:59Z"}
                ],
            }
        ),
        "human_requests[0].answered_at",
        "before",
    ),
    (json.dumps({"id": "   "}), "id", "blank"),
    (json.dumps({"id": "bad", "created_at": "9999-12-31T23:59:59Z"}), "created_at", "after now"),
    (json.dumps({"id": "bad", "created_at": "0001-01-01T00:00:00Z"}), "created_at", "1970"),
    (json.dumps({"id": "bad", "started_at": "1969-12-31T23:59:59Z"}), "started_at", "1970"),
    (
        json.dumps({"id": "bad", "created_at": "0001-01-01T00:00:00+05:00"}),
        "created_at",
        "",
    ),
    (
        json.dumps({"id": "bad", "steps": [M | {"started_at": "2999-01-01T00:00:00Z"}]}),
        "steps[0].started_at",
        "after now",
    ),
]


@pytest.mark.parametrize(("bad", "field", "words"), BAD_LINES)
def test_a_bad_value_refuses_only_its_record_naming_line_and_field(
    cli: Cli, tmp_path: Path, bad: str, field: str, words: str
) -> None:
    ran, summary = _import_with_bad_line(cli, tmp_path, bad)
    assert ran.code == 1
    (error,) = summary["errors"]
    assert error.startswith(f"{tmp_path / 'runs.jsonl'}: line 2: field '{field}")
    assert words in error
    assert summary["imported"] == 2
    jobs = cli("jobs", "lim", "--limit", "100", "--json").json()
    assert sorted(j["job_id"] for j in jobs) == ["before", "ok-1", "ok-2"]


def test_assignment_names_too_long(cli: Cli, tmp_path: Path) -> None:
    path = tmp_path / "runs.jsonl"
    rows = [_good("a") | {"assignment": "own"}, _good("b") | {"assignment": "a" * 201}]
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    ran = cli("import", str(path), "--json")
    assert (ran.code, ran.json()["imported"]) == (1, 1)
    (error,) = ran.json()["errors"]
    assert error.startswith(f"{path}: line 2: field 'assignment': ") and "200" in error
    ran = cli("import", str(path), "-a", "a" * 201)
    assert ran.code == 2
    assert "--assignment" in ran.err and "200" in ran.err and "Traceback" not in ran.err


def test_text_summary_prints_a_lone_surrogate_safely(cli: Cli, tmp_path: Path) -> None:
    path = tmp_path / "runs.jsonl"
    path.write_text('{"id": "\\ud800x", "status": "completed"}\n')
    ran = cli("import", str(path), "-a", "lim")
    assert ran.code == 1
    assert "Traceback" not in ran.out + ran.err
    assert "line 1: field 'id'" in ran.out


def test_tau2_agent_cost_out_of_range_names_the_tau2_field(cli: Cli, tmp_path: Path) -> None:
    doc = json.loads(GPT_OSS.read_text())
    doc["simulations"][3]["agent_cost"] = 1e30
    path = tmp_path / "tau2.json"
    path.write_text(json.dumps(doc))
    summary = cli("import", str(path), "-a", "oss", "--json").json()
    (error,) = summary["errors"]
    assert f"{path}: simulation 3 (id " in error and "field 'agent_cost'" in error
    assert summary["imported"] == 24


def test_duplicate_id_in_one_import_is_an_error_and_the_first_is_kept(
    cli: Cli, tmp_path: Path
) -> None:
    first = tmp_path / "a.jsonl"
    first.write_text(json.dumps(_good("r1")) + "\n" + json.dumps(_good("r2")) + "\n")
    second = tmp_path / "b.jsonl"
    failed = {"id": "r1", "status": "failed", "created_at": AT}
    second.write_text(json.dumps(failed) + "\n" + json.dumps(_good("r1")) + "\n")
    ran = cli("import", str(first), str(second), "-a", "dup", "--json")
    assert ran.code == 1
    summary = ran.json()
    assert (summary["imported"], summary["unchanged"]) == (2, 0)
    assert summary["errors"] == [
        f"{second}: line {n}: field 'id': duplicate id 'r1' in this import; the first one was kept"
        for n in (1, 2)
    ]
    assert cli("job", "r1", "-a", "dup", "--json").json()["status"] == "completed"
    # importing the first file again is still idempotent: nothing added, no error
    again = cli("import", str(first), "-a", "dup", "--json")
    assert again.code == 0
    assert (again.json()["imported"], again.json()["unchanged"]) == (0, 2)


def test_runs_without_assignment_give_one_error_per_file(cli: Cli, tmp_path: Path) -> None:
    ran = cli("import", str(TAU), str(GPT_OSS), "--json")
    assert ran.code == 1
    summary = ran.json()
    assert summary["errors"] == [
        f"{TAU}: 200 runs have no assignment: give --assignment NAME "
        "(or an 'assignment' field in JSONL)",
        f"{GPT_OSS}: 25 runs have no assignment: give --assignment NAME "
        "(or an 'assignment' field in JSONL)",
    ]
    assert summary["imported"] == 0


def test_jsonl_lines_without_assignment_are_counted_and_the_others_load(
    cli: Cli, tmp_path: Path
) -> None:
    path = tmp_path / "runs.jsonl"
    rows = [_good("a") | {"assignment": "own"}, _good("b"), _good("c") | {"assignment": "own"}]
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    summary = cli("import", str(path), "--json").json()
    assert summary["imported"] == 2
    assert summary["errors"] == [
        f"{path}: 1 run has no assignment: give --assignment NAME "
        "(or an 'assignment' field in JSONL)"
    ]


def test_undetectable_file_names_its_path_once_in_json_words(cli: Cli, tmp_path: Path) -> None:
    path = tmp_path / "x.json"
    path.write_text(json.dumps({"a": 1, "b": None}, indent=2))
    nulls = tmp_path / "null.json"
    nulls.write_text("null")
    summary = cli("import", str(path), str(nulls), "-a", "x", "--json").json()
    first, second = summary["errors"]
    assert first.startswith(f"{path}: a JSON object with keys a, b is none of the formats")
    assert first.count(str(path)) == 1 and "--format:" not in first
    assert second.startswith(f"{nulls}: JSON null is none of the formats")
    assert "NoneType" not in second


def test_trail_annotation_file_is_named_as_such(cli: Cli, tmp_path: Path) -> None:
    path = tmp_path / "0035f455.json"
    annotation = {"trace_id": "0035f455", "errors": [], "scores": [{"overall": 3}]}
    path.write_text(json.dumps(annotation, indent=2))
    (error,) = cli("import", str(path), "-a", "x", "--json").json()["errors"]
    assert error.startswith(f"{path}: a TRAIL annotation file")
    assert "--format" not in error and error.count(str(path)) == 1


@pytest.fixture
def alarm() -> Iterator[None]:
    """Fail (instead of hanging forever) if the test takes more than 20 s."""

    def on_alarm(signum: int, frame: object) -> None:
        raise TimeoutError("the import hung")

    previous = signal.signal(signal.SIGALRM, on_alarm)
    signal.alarm(20)
    yield
    signal.alarm(0)
    signal.signal(signal.SIGALRM, previous)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs named pipes (POSIX)")
def test_named_pipe_in_a_directory_is_not_read(cli: Cli, tmp_path: Path, alarm: None) -> None:
    folder = tmp_path / "runs"
    folder.mkdir()
    (folder / "good.jsonl").write_text(json.dumps(_good("g")) + "\n")
    os.mkfifo(folder / "pipe.jsonl")
    ran = cli("import", str(folder), "-a", "fifo", "--json")
    assert ran.code == 0, ran.out + ran.err
    assert (ran.json()["files"], ran.json()["imported"]) == (1, 1)
