"""Robustness of the import, property-based: generated and mutated files of every format.

The inputs come from ``fuzz_inputs`` (small files shaped like the bundled real ones, then
mutated in their JSON tree and in their bytes; ``bench/fuzz_import.py`` draws from the
same generators). Three layers:

- the parsers (no database, many examples): ``read_runs`` never raises, named or
  detected (an undetectable file raises ``InvalidInput`` at call time, which the importer
  turns into one error for the file), and everything it yields is a well-formed
  ``RunRecord``, a printable ``RecordError`` or a ``FileNote``, each located in the file
  (an empty file yields one note);
- detection: when it picks a file's format, it reads what naming that format reads (the
  cases behind it, encodings and concatenated documents, are spelled out in
  ``test_formats_agree``);
- the import (SQLite and PostgreSQL): ``import_paths`` never raises, every record read is
  stored or reported, whole-file errors name the file, and the rows of another assignment
  stay exactly as they were.
"""

from __future__ import annotations

import itertools
import random
import re
from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, assume, given, note, settings
from hypothesis import strategies as st
from tests.conftest import BUNDLED_DATA
from tests.ingest.fuzz_inputs import FORMATS, FuzzInput, draw_input, run_count, snapshot

from sopwatch.domain.errors import InvalidInput
from sopwatch.ingest.formats import detect_format, read_runs
from sopwatch.ingest.formats._common import EMPTY_NOTE
from sopwatch.ingest.importer import ImportOptions, import_paths
from sopwatch.ingest.records import FileNote, RecordError, RunRecord
from sopwatch.store.assignments import assignments
from sopwatch.store.base import utcnow
from sopwatch.store.jobs import jobs, steps
from sopwatch.store.teams import ensure_team

SEEDS = st.integers(min_value=0, max_value=2**64 - 1)
_NAMES = itertools.count()
# tau guesses the model from the file name (``<model>-<domain>.json``): give it one.
_STEM = "gpt-4o-airline"


def _draw(fmt: str, seed: int) -> FuzzInput:
    """The input ``seed`` gives, with its mutations and bytes noted for a failing example."""
    item = draw_input(fmt, random.Random(seed))
    note(f"mutations: {item.mutations}")
    note(f"bytes ({len(item.data):,}): {item.data[:3000]!r}")
    return item


def _write(folder: Path, item: FuzzInput) -> Path:
    path = folder / f"{_STEM}{item.suffix}"
    path.write_bytes(item.data)
    return path


def _located(where: str, path: Path) -> bool:
    """True when an error or record location names ``path`` (the file, or a place in it)."""
    return where == str(path) or where.startswith(f"{path}: ")


def _check_record(record: RunRecord, path: Path) -> None:
    """What the writer relies on in a record, whatever the file held."""
    assert _located(record.where, path), record.where
    assert isinstance(record.external_id, str) and record.external_id.strip()
    times = [record.created_at, record.started_at, record.finished_at]
    times += [s.started_at for s in record.steps]
    times += [t for h in record.human_requests for t in (h.created_at, h.answered_at)]
    if record.case is not None:
        times.append(record.case.postponed_until)
    assert all(t is None or t.utcoffset() == timedelta(0) for t in times), times
    seqs = [s.seq for s in record.steps]
    assert all(type(seq) is int and seq >= 1 for seq in seqs), seqs
    assert len(set(seqs)) == len(seqs), seqs
    assert {h.step_seq for h in record.human_requests} <= {*seqs, None}
    texts = [record.input, record.output, record.error, record.model, record.failure_kind]
    texts += [t for s in record.steps for t in (s.name, s.arguments, s.result, s.error, s.model)]
    assert all(t is None or isinstance(t, str) for t in texts)


def _check_error(error: RecordError, path: Path) -> None:
    assert _located(error.where, path), error.where
    assert isinstance(error.problem, str) and error.problem
    str(error).encode("utf-8")  # printable: no lone surrogate reaches a terminal


def _check_note(note: FileNote, path: Path) -> None:
    assert _located(note.where, path), note.where
    assert isinstance(note.note, str) and note.note
    str(note).encode("utf-8")


@pytest.fixture(scope="module")
def scratch(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder for the parser examples (module-scoped: hypothesis reruns the test body)."""
    return tmp_path_factory.mktemp("fuzz")


# --------------------------------------------------------------------------- parsers


@pytest.mark.parametrize("fmt", FORMATS)
@settings(max_examples=400, deadline=None)
@given(seed=SEEDS, detect=st.booleans())
def test_parsers_never_raise_and_yield_well_formed_items(
    scratch: Path, fmt: str, seed: int, detect: bool
) -> None:
    item = _draw(fmt, seed)
    path = _write(scratch, item)
    try:
        stream = read_runs(path, None if detect else fmt)
    except InvalidInput as exc:
        assert detect, "a named format never fails at call time"
        assert exc.field == "--format" and exc.problem
        assert item.mutations, "a valid file is always detected"
        return
    out = list(stream)
    for found in out:
        assert isinstance(found, RunRecord | RecordError | FileNote), type(found)
        if isinstance(found, RunRecord):
            _check_record(found, path)
        elif isinstance(found, RecordError):
            _check_error(found, path)
        else:
            _check_note(found, path)
    if not item.data.strip():
        assert out == [FileNote(where=str(path), note=EMPTY_NOTE)]
    if not item.mutations:
        assert not any(isinstance(found, RecordError) for found in out), out
        assert sum(isinstance(found, RunRecord) for found in out) == run_count(fmt, item.tree)


@pytest.mark.parametrize("fmt", [*FORMATS, None])
@pytest.mark.parametrize(
    "data", [b"", b" \n\t\r\n", b"\xef\xbb\xbf\n"], ids=["0-bytes", "blanks", "bom"]
)
def test_an_empty_file_yields_one_note(tmp_path: Path, fmt: str | None, data: bytes) -> None:
    """Named or detected, an empty file is a note (it imports nothing), never an error."""
    path = tmp_path / f"{_STEM}.json"
    path.write_bytes(data)
    assert list(read_runs(path, fmt)) == [FileNote(where=str(path), note=EMPTY_NOTE)]


@pytest.mark.parametrize("fmt", ["tau", "tau2", "openinference"])
@settings(max_examples=200, deadline=None)
@given(seed=SEEDS)
def test_detection_reads_what_the_named_format_reads(scratch: Path, fmt: str, seed: int) -> None:
    item = _draw(fmt, seed)
    path = _write(scratch, item)
    try:
        detected = detect_format(path)
    except InvalidInput:
        return
    assume(detected == fmt)  # another format's shape: detection is a heuristic
    assert list(read_runs(path, None)) == list(read_runs(path, fmt))


# --------------------------------------------------------------------------- import


class Kept:
    """The assignment ``keep``, imported from valid files before any fuzzing, and its rows."""

    def __init__(self, engine: sa.Engine, folder: Path) -> None:
        with engine.begin() as conn:
            self.team_id = ensure_team(conn, "fuzz").id
        rng = random.Random("keep")
        paths = []
        for fmt in FORMATS:
            item = draw_input(fmt, rng, mutate=False)
            paths.append(folder / f"keep-{fmt}-{_STEM}{item.suffix}")
            paths[-1].write_bytes(item.data)
        result = import_paths(engine, paths, self.options("keep", None))
        assert result.errors == [] and result.imported >= len(FORMATS)
        self.rows = snapshot(engine, self.team_id, "keep")
        assert self.rows

    def options(self, assignment: str | None, fmt: str | None) -> ImportOptions:
        """Import options for this team."""
        return ImportOptions(
            team_id=self.team_id,
            assignment=assignment,
            fmt=fmt,
            spread=timedelta(days=7),
            end=utcnow(),
        )


@pytest.fixture
def kept(engine: sa.Engine, tmp_path: Path) -> Kept:
    """``keep`` imported once per test (the examples share it: they never write to it)."""
    return Kept(engine, tmp_path)


_UNASSIGNED = re.compile(r"^(1) run has no assignment|^([\d,]+) runs have no assignment")


def _unassigned(errors: list[RecordError], path: Path) -> int:
    """Runs counted in the file's one 'no assignment' error (0 without one)."""
    for error in errors:
        match = _UNASSIGNED.match(error.problem)
        if error.where == str(path) and match:
            return int((match.group(1) or match.group(2)).replace(",", ""))
    return 0


def _stored(engine: sa.Engine, team_id: int, name: str) -> tuple[int, int]:
    """(jobs, steps) stored in the assignment ``name``."""
    with engine.connect() as conn:
        found = conn.execute(
            sa.select(assignments.c.id).where(
                assignments.c.team_id == team_id, assignments.c.name == name
            )
        ).scalar_one_or_none()
        if found is None:
            return 0, 0
        job_ids = sa.select(jobs.c.id).where(jobs.c.assignment_id == found)
        count_jobs = conn.execute(sa.select(sa.func.count()).select_from(job_ids.subquery()))
        count_steps = conn.execute(
            sa.select(sa.func.count()).select_from(steps).where(steps.c.job_id.in_(job_ids))
        )
        return int(count_jobs.scalar_one()), int(count_steps.scalar_one())


@pytest.mark.parametrize("fmt", FORMATS)
@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(seed=SEEDS, detect=st.booleans(), own_assignment=st.booleans())
def test_import_never_raises_counts_every_record_and_changes_nothing_else(
    engine: sa.Engine,
    tmp_path: Path,
    kept: Kept,
    fmt: str,
    seed: int,
    detect: bool,
    own_assignment: bool,
) -> None:
    """Each example imports into an assignment of its own (``fuzz-<n>``); JSONL files may
    instead name theirs (no ``--assignment``), as their ``assignment`` field says. Notes
    (``FileNote``) are listed apart and count as no record."""
    item = _draw(fmt, seed)
    folder = tmp_path / f"example-{next(_NAMES)}"
    folder.mkdir()
    path = _write(folder, item)
    name = folder.name
    override = None if own_assignment and fmt == "jsonl" else name
    fmt_option = None if detect else fmt
    try:
        expected = list(read_runs(path, fmt_option))
    except InvalidInput:
        expected = [RecordError(where=str(path), problem="undetectable", records=0)]

    result = import_paths(engine, [path], kept.options(override, fmt_option))

    assert result.files == 1
    notes = [str(found) for found in expected if isinstance(found, FileNote)]
    assert result.notes == notes
    expected = [found for found in expected if not isinstance(found, FileNote)]
    read = sum(isinstance(found, RunRecord) for found in expected)
    read += sum(found.records for found in expected if isinstance(found, RecordError))
    assert result.read == read  # every record found, readable or not
    for error in result.errors:
        assert _located(error.where, path), error.where
    unassigned = _unassigned(result.errors, path)
    assert unassigned == 0 or any(e.records == unassigned for e in result.errors)
    stored = result.imported + result.updated + result.unchanged
    assert stored + result.refused == result.read, result  # the counts add up
    if override is not None:
        assert result.unchanged == result.updated == 0  # the assignment is new
        assert _stored(engine, kept.team_id, name) == (result.imported, result.steps)
    if not item.mutations and override is not None:
        assert result.errors == [] and result.imported == run_count(fmt, item.tree)
    assert snapshot(engine, kept.team_id, "keep") == kept.rows


def test_keep_snapshot_sees_a_change(engine: sa.Engine, tmp_path: Path) -> None:
    """The snapshot the import property compares is sensitive: a changed step shows."""
    keep = Kept(engine, tmp_path)
    with engine.begin() as conn:
        conn.execute(sa.update(steps).where(steps.c.seq == 1).values(name="changed"))
    assert snapshot(engine, keep.team_id, "keep") != keep.rows


def test_the_bundled_real_files_pass_the_same_checks() -> None:
    """The well-formedness the parser property demands holds for the real files too."""
    paths = [
        BUNDLED_DATA / "tau-bench" / "gpt-4o-airline.json",
        *sorted(BUNDLED_DATA.glob("tau2-bench/*.json")),
    ]
    for path in paths:
        out = list(read_runs(path, None))
        assert out
        for found in out:
            assert isinstance(found, RunRecord), found
            _check_record(found, path)
