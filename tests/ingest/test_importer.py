"""The import service on both databases: bad records refused alone, duplicates, the
``imported`` flag, which paths are read, and the wording of whole-file errors."""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from tests.conftest import BUNDLED_DATA

from sopwatch.domain.errors import InvalidInput
from sopwatch.ingest import importer, writer
from sopwatch.ingest.importer import ImportOptions, expand_paths, import_paths
from sopwatch.ingest.records import RecordError, RunRecord
from sopwatch.store.audit import audit_events
from sopwatch.store.jobs import jobs, steps
from sopwatch.store.teams import ensure_team

AT = "2026-03-01T10:00:00Z"
TAU = BUNDLED_DATA / "tau-bench" / "gpt-4o-airline.json"


def _options(engine: sa.Engine, assignment: str | None = "a", **extra: object) -> ImportOptions:
    with engine.begin() as conn:
        team = ensure_team(conn, "t")
    fields: dict[str, object] = {
        "team_id": team.id,
        "assignment": assignment,
        "fmt": None,
        "spread": timedelta(days=7),
        "end": datetime(2026, 3, 2, tzinfo=UTC),
    }
    fields.update(extra)
    return ImportOptions(**fields)  # type: ignore[arg-type]


def _jsonl(path: Path, *rows: object) -> Path:
    path.write_text("".join((r if isinstance(r, str) else json.dumps(r)) + "\n" for r in rows))
    return path


def _run(name: str, **extra: object) -> dict[str, object]:
    return {"id": name, "status": "completed", "created_at": AT, **extra}


def _stored(engine: sa.Engine) -> list[str]:
    with engine.connect() as conn:
        return sorted(conn.execute(sa.select(jobs.c.external_id)).scalars())


def test_jobs_are_marked_imported(engine: sa.Engine, tmp_path: Path) -> None:
    path = _jsonl(tmp_path / "r.jsonl", _run("a"), _run("b"))
    result = import_paths(engine, [path], _options(engine))
    assert (result.imported, result.errors) == (2, [])
    with engine.connect() as conn:
        assert set(conn.execute(sa.select(jobs.c.imported)).scalars()) == {True}


def test_a_value_the_limits_miss_still_refuses_only_its_record(
    engine: sa.Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Belt and braces: with the checks switched off, the database's refusal (an
    OverflowError on SQLite, ``integer out of range`` on PostgreSQL) still costs only the
    bad record, named by its line, and nothing stored before."""
    first = _jsonl(tmp_path / "first.jsonl", _run("before"))
    assert import_paths(engine, [first], _options(engine)).imported == 1
    monkeypatch.setattr(writer, "problems", lambda record, now: None)
    bad = {"kind": "model", "name": "m", "seq": 2**70}
    path = _jsonl(tmp_path / "r.jsonl", _run("ok-1"), _run("bad", steps=[bad]), _run("ok-2"))
    result = import_paths(engine, [path], _options(engine))
    assert result.imported == 2 and result.steps == 0
    (error,) = result.errors
    assert error.where == f"{path}: line 2"
    assert error.problem.startswith("the database refused it: ")
    assert _stored(engine) == ["before", "ok-1", "ok-2"]


def test_bad_records_the_limits_miss_are_found_by_halving_the_batch(
    engine: sa.Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A refused batch is written again in halves: of 40 runs with two the database
    refuses, the 38 others are stored, and each refusal names its own line."""
    monkeypatch.setattr(writer, "problems", lambda record, now: None)
    rows: list[object] = [_run(f"r{i}", steps=[{"kind": "tool", "name": "t"}]) for i in range(40)]
    rows[3] = _run("bad-a", steps=[{"kind": "model", "name": "m", "seq": 2**70}])
    rows[31] = _run("bad-b", duration_ms=2**64)
    path = _jsonl(tmp_path / "r.jsonl", *rows)
    result = import_paths(engine, [path], _options(engine))
    assert (result.imported, result.steps) == (38, 38)
    assert [e.where for e in result.errors] == [f"{path}: line 4", f"{path}: line 32"]
    assert all(e.problem.startswith("the database refused it: ") for e in result.errors)
    assert len(_stored(engine)) == 38 and "bad-a" not in _stored(engine)


def test_a_bad_record_in_a_big_batch_costs_nothing_else(engine: sa.Engine, tmp_path: Path) -> None:
    rows: list[object] = [_run(f"r{i}", steps=[{"kind": "model", "name": "m"}]) for i in range(30)]
    rows[17] = '{"id": "bad", "input": "\\ud800"}'
    path = _jsonl(tmp_path / "r.jsonl", *rows)
    result = import_paths(engine, [path], _options(engine))
    assert (result.imported, result.steps) == (29, 29)
    assert [str(e) for e in result.errors] == [
        f"{path}: line 18: field 'input': a lone surrogate \\ud800 at position 0, "
        "which is not valid Unicode"
    ]
    with engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(steps)).scalar_one() == 29


def test_duplicates_across_batches_are_errors_the_first_is_kept(
    engine: sa.Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(importer, "BATCH_SIZE", 2)
    rows = [_run("x"), _run("y"), _run("z"), _run("x", status="failed"), _run("y"), _run("y")]
    path = _jsonl(tmp_path / "r.jsonl", *rows)
    result = import_paths(engine, [path], _options(engine))
    assert (result.imported, result.unchanged) == (3, 0)
    assert [(e.where, e.problem) for e in result.errors] == [
        (
            f"{path}: line {n}",
            f"field 'id': duplicate id '{x}' in this import; the first one was kept",
        )
        for n, x in ((4, "x"), (5, "y"), (6, "y"))
    ]
    with engine.connect() as conn:
        status = conn.execute(sa.select(jobs.c.status).where(jobs.c.external_id == "x"))
        assert status.scalar_one() == "completed"


def test_a_refused_first_copy_does_not_make_the_second_a_duplicate(
    engine: sa.Engine, tmp_path: Path
) -> None:
    path = _jsonl(tmp_path / "r.jsonl", _run("x", duration_ms=2**63), _run("x"))
    result = import_paths(engine, [path], _options(engine))
    assert result.imported == 1
    (error,) = result.errors
    assert error.where == f"{path}: line 1" and "duration_ms" in error.problem


def test_the_same_id_under_two_assignments_is_no_duplicate(
    engine: sa.Engine, tmp_path: Path
) -> None:
    path = _jsonl(tmp_path / "r.jsonl", _run("x", assignment="one"), _run("x", assignment="two"))
    result = import_paths(engine, [path], _options(engine, assignment=None))
    assert (result.imported, result.errors) == (2, [])


def test_missing_assignment_is_one_error_per_file(engine: sa.Engine, tmp_path: Path) -> None:
    result = import_paths(engine, [TAU], _options(engine, assignment=None))
    assert (result.imported, result.read, result.refused, result.file_errors) == (0, 200, 200, 0)
    assert result.errors == [
        RecordError(
            where=str(TAU),
            problem="200 runs have no assignment: give --assignment NAME "
            "(or an 'assignment' field in JSONL)",
        )
    ]


@pytest.mark.parametrize(
    ("assignment", "end", "field"),
    [
        ("a" * 201, None, "--assignment"),
        ("  ", None, "--assignment"),
        ("a", datetime(2199, 1, 1, tzinfo=UTC), "--end"),
    ],
)
def test_bad_options_are_refused_before_anything_is_read(
    engine: sa.Engine, tmp_path: Path, assignment: str, end: datetime | None, field: str
) -> None:
    path = _jsonl(tmp_path / "r.jsonl", _run("a"))
    options = _options(engine, assignment=assignment)
    if end is not None:
        options.end = end
    with pytest.raises(InvalidInput) as info:
        import_paths(engine, [path], options)
    assert info.value.field == field
    assert _stored(engine) == []


def test_whole_file_errors_name_the_path_once(engine: sa.Engine, tmp_path: Path) -> None:
    other = tmp_path / "other.json"
    other.write_text(json.dumps([1, 2], indent=1))
    broken = tmp_path / "broken.json"
    broken.write_text("{\n  nope")
    result = import_paths(engine, [other, broken], _options(engine))
    assert [e.where for e in result.errors] == [str(other), str(broken)]
    problems = [e.problem for e in result.errors]
    assert problems[0].startswith("a JSON array is none of the formats")
    assert problems[1].startswith("not JSON or JSONL (invalid JSON at line 2 column 3")
    for error in result.errors:
        assert str(error).count(error.where) == 1 and "--format:" not in str(error)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs named pipes (POSIX)")
def test_expand_paths_takes_only_regular_files(tmp_path: Path) -> None:
    folder = tmp_path / "runs"
    (folder / "sub").mkdir(parents=True)
    (folder / "b.jsonl").write_text("{}")
    (folder / "sub" / "a.json").write_text("{}")
    (folder / "notes.txt").write_text("x")
    (folder / "dir.json").mkdir()
    os.mkfifo(folder / "pipe.jsonl")
    (folder / "link.json").symlink_to(folder / "missing.json")  # kept: reported on import
    assert expand_paths([folder]) == [
        folder / "b.jsonl",
        folder / "link.json",
        folder / "sub" / "a.json",
    ]
    with pytest.raises(InvalidInput, match="not a regular file or a directory") as info:
        expand_paths([folder / "pipe.jsonl"])
    assert info.value.field == "PATH"
    with pytest.raises(InvalidInput, match="does not exist"):
        expand_paths([folder / "absent.jsonl"])


def test_result_counts_survive_a_failed_batch(
    engine: sa.Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A batch retried record by record counts each record once."""
    monkeypatch.setattr(writer, "problems", lambda record, now: None)
    rows = [_run("a", assignment="one"), _run("b", assignment="two", duration_ms=2**63)]
    path = _jsonl(tmp_path / "r.jsonl", *rows, _run("c", assignment="one"))
    result = import_paths(engine, [path], _options(engine, assignment=None))
    assert (result.imported, result.unchanged, len(result.errors)) == (2, 0, 1)
    assert _stored(engine) == ["a", "c"]


def test_records_carry_their_location(tmp_path: Path) -> None:
    from sopwatch.ingest.formats import read_runs

    path = _jsonl(tmp_path / "r.jsonl", _run("a"), "", _run("b"))
    out = list(read_runs(path))
    assert [r.where for r in out if isinstance(r, RunRecord)] == [
        f"{path}: line 1",
        f"{path}: line 3",
    ]


def test_an_import_that_stores_jobs_writes_one_audit_event(
    engine: sa.Engine, tmp_path: Path
) -> None:
    with engine.begin() as conn:
        team = ensure_team(conn, "audit")
    runs = tmp_path / "runs.jsonl"
    runs.write_text(
        json.dumps({"id": "a", "status": "completed", "created_at": "2026-01-01T00:00:00Z"}) + "\n"
    )
    options = ImportOptions(
        team_id=team.id, assignment="audited", fmt=None, spread=timedelta(days=1),
        end=datetime(2026, 1, 2, tzinfo=UTC), actor="alice",
    )  # fmt: skip
    import_paths(engine, [runs], options)
    import_paths(engine, [runs], options)  # stores nothing: no second event
    with engine.connect() as conn:
        events = conn.execute(sa.select(audit_events)).all()
    assert len(events) == 1
    assert (events[0].actor, events[0].action) == ("alice", "jobs.imported")
    assert events[0].details["imported"] == 1


def test_a_batch_ends_at_its_step_cap(
    engine: sa.Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Runs with many steps make smaller batches (``BATCH_STEPS``); all are stored."""
    monkeypatch.setattr(importer, "BATCH_STEPS", 3)
    two = [{"kind": "tool", "name": "t"}, {"kind": "tool", "name": "u"}]
    path = _jsonl(tmp_path / "r.jsonl", *[_run(f"r{i}", steps=two) for i in range(5)])
    done: list[int] = []
    result = import_paths(engine, [path], _options(engine), lambda _, runs: done.append(runs))
    assert done == [2, 4, 5]
    assert (result.imported, result.steps) == (5, 10)
