"""Detected and named formats read a file the same way: encodings, and files of several
JSON documents one after another (``cat a.json b.json``), each imported whichever way the
format is chosen."""

from __future__ import annotations

import codecs
import json
import random
from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from tests.ingest.fuzz_inputs import FORMATS, draw_input, run_count

from sopwatch.domain.errors import InvalidInput
from sopwatch.ingest.formats import read_runs
from sopwatch.ingest.importer import ImportOptions, import_paths
from sopwatch.ingest.records import FileNote, RecordError, RunRecord
from sopwatch.store.base import utcnow
from sopwatch.store.teams import ensure_team

# tau guesses the model from the file name (``<model>-<domain>.json``): give it one.
_STEM = "gpt-4o-airline"


def _options(engine: sa.Engine, fmt: str | None) -> ImportOptions:
    """Options importing into assignment ``a`` of team ``agree``."""
    with engine.begin() as conn:
        team_id = ensure_team(conn, "agree").id
    return ImportOptions(
        team_id=team_id, assignment="a", fmt=fmt, spread=timedelta(days=1), end=utcnow()
    )


# --------------------------------------------------------------------------- encodings


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("bom", [codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE], ids=["le", "be"])
def test_utf16_with_a_bom_reads_as_its_utf8_text_named_and_detected(
    tmp_path: Path, fmt: str, bom: bytes
) -> None:
    """UTF-16 with a byte-order mark is decoded on purpose, by detection and by every
    parser: the file reads exactly as the same text saved as UTF-8."""
    item = draw_input(fmt, random.Random(f"utf-16-{fmt}"), mutate=False)
    path = tmp_path / f"{_STEM}{item.suffix}"
    path.write_bytes(item.data)
    as_utf8 = list(read_runs(path, fmt))
    assert sum(isinstance(found, RunRecord) for found in as_utf8) == run_count(fmt, item.tree)
    codec = "utf-16-le" if bom == codecs.BOM_UTF16_LE else "utf-16-be"
    path.write_bytes(bom + item.data.decode("utf-8").encode(codec))
    assert list(read_runs(path, fmt)) == as_utf8
    assert list(read_runs(path, None)) == as_utf8


_SURROGATE = b"\xed\xa0\x80"  # U+D800 encoded raw, as lenient encoders write it: not UTF-8
_TAU_RUN = '{"task_id": 1, "trial": 0, "traj": []}'
_NOT_UTF8 = "not UTF-8 text (byte 0xed at offset {}): save it as UTF-8"
_UTF32 = "UTF-32 text: save it as UTF-8"
_NUL = (
    "not UTF-8 text (NUL bytes at its start, as in UTF-16 or UTF-32 without a byte-order "
    "mark): save it as UTF-8"
)
#: Files no path reads, each with its format and the one problem every path reports.
_NOT_READ = {
    "tau-raw-surrogate": (
        "tau",
        f"[{_TAU_RUN}, ".encode() + b'{"task_id": "' + _SURROGATE + b'", "trial": 0, "traj": []}]',
        _NOT_UTF8.format(54),
    ),
    "tau2-raw-surrogate": (
        "tau2",
        b'{"simulations": [{"id": "s' + _SURROGATE + b'", "messages": []}]}\n',
        _NOT_UTF8.format(26),
    ),
    "openinference-raw-surrogate": (
        "openinference",
        b'{"trace_id": "t' + _SURROGATE + b'", "spans": []}',
        _NOT_UTF8.format(15),
    ),
    "tau-utf-32": ("tau", f"[{_TAU_RUN}]".encode("utf-32"), _UTF32),
    "tau2-utf-32-be": (
        "tau2",
        codecs.BOM_UTF32_BE + '{"simulations": []}'.encode("utf-32-be"),
        _UTF32,
    ),
    "tau-utf-32-without-bom": ("tau", f"[{_TAU_RUN}]".encode("utf-32-le"), _NUL),
}


@pytest.mark.parametrize("fmt", ["tau", "tau2", "openinference"])
def test_a_bom_more_before_the_document_is_skipped_named_and_detected(
    tmp_path: Path, fmt: str
) -> None:
    """A second BOM (a tool added one to a file that had one) is skipped like whitespace,
    as at the start of a JSONL line: named and detected read the runs of the UTF-8 text."""
    item = draw_input(fmt, random.Random(f"bom-{fmt}"), mutate=False)
    path = tmp_path / f"{_STEM}{item.suffix}"
    path.write_bytes(item.data)
    as_utf8 = list(read_runs(path, fmt))
    assert sum(isinstance(found, RunRecord) for found in as_utf8) == run_count(fmt, item.tree)
    path.write_bytes(codecs.BOM_UTF8 * 2 + item.data)
    assert list(read_runs(path, fmt)) == as_utf8
    assert list(read_runs(path, None)) == as_utf8


@pytest.mark.parametrize("case", _NOT_READ)
def test_a_file_not_in_utf8_is_one_error_named_or_detected(tmp_path: Path, case: str) -> None:
    """Raw surrogates and UTF-32 are refused whole, with the same problem whether the
    format is named or detected (detection raises it at call time; the importer reports
    it as ``<file>: <problem>``, as it reports the named parser's error)."""
    fmt, data, problem = _NOT_READ[case]
    path = tmp_path / f"{_STEM}.json"
    path.write_bytes(data)
    assert list(read_runs(path, fmt)) == [RecordError(where=str(path), problem=problem)]
    with pytest.raises(InvalidInput) as info:
        read_runs(path, None)
    assert info.value.problem == problem


def test_importing_a_file_not_in_utf8_reports_the_same_named_or_detected(
    engine: sa.Engine, tmp_path: Path
) -> None:
    for case, (fmt, data, problem) in _NOT_READ.items():
        path = tmp_path / f"{case}.json"
        path.write_bytes(data)
        for named in (fmt, None):
            result = import_paths(engine, [path], _options(engine, named))
            assert (result.read, result.imported) == (0, 0), case
            assert result.errors == [RecordError(where=str(path), problem=problem)], case


# --------------------------------------------------------------------------- concatenated documents


def _simulation(sim_id: str, **more: object) -> dict[str, object]:
    return {"id": sim_id, "termination_reason": "user_stop", "messages": []} | more


def _tau2(*simulations: dict[str, object]) -> str:
    return json.dumps({"simulations": list(simulations)})


def _read_both(path: Path, fmt: str) -> list[RunRecord | RecordError | FileNote]:
    """What ``fmt`` named reads, checked to be what detection reads."""
    named = list(read_runs(path, fmt))
    assert list(read_runs(path, None)) == named
    return named


def _runs(items: list[RunRecord | RecordError | FileNote]) -> list[tuple[str, str]]:
    return [(item.external_id, item.where) for item in items if isinstance(item, RunRecord)]


def test_two_one_line_documents_are_both_read(tmp_path: Path) -> None:
    """``cat a.json b.json`` of two one-line tau2 files: the runs of both, each located in
    its document (detection used to take the first line for the whole file)."""
    path = tmp_path / "runs.json"
    path.write_text(f"{_tau2(_simulation('s1'))}\n{_tau2(_simulation('s2'))}\n")
    out = _read_both(path, "tau2")
    assert _runs(out) == [
        ("s1", f"{path}: document 1: simulation 0 (id s1)"),
        ("s2", f"{path}: document 2: simulation 0 (id s2)"),
    ]
    assert not any(isinstance(item, RecordError) for item in out)


@pytest.mark.parametrize("fmt", ["tau", "tau2", "openinference"])
@pytest.mark.parametrize("style", ["one-line", "pretty", "bom", "no-newline"])
def test_concatenated_files_read_as_each_file_alone(tmp_path: Path, fmt: str, style: str) -> None:
    """Each document of a concatenation reads as its file alone would (the same runs, in
    order), named or detected; pretty-printed, with a BOM each, or with no newline between."""
    rng = random.Random(f"concatenated-{fmt}")
    items = [draw_input(fmt, rng, mutate=False) for _ in range(2)]
    texts = [
        json.dumps(item.tree, indent=2) if style == "pretty" else item.data.decode()
        for item in items
    ]
    alone = []
    for index, text in enumerate(texts):
        path = tmp_path / f"{index}-{_STEM}.json"
        path.write_text(text)
        alone.append([run_id for run_id, _ in _runs(list(read_runs(path, fmt)))])
        assert len(alone[-1]) == run_count(fmt, items[index].tree)
    joined = {"bom": lambda t: "\ufeff" + t + "\n", "no-newline": lambda t: t}
    path = tmp_path / f"{_STEM}.json"
    path.write_text("".join(joined.get(style, lambda t: t + "\n")(t) for t in texts))
    out = _read_both(path, fmt)
    assert [run_id for run_id, _ in _runs(out)] == alone[0] + alone[1]
    wheres = [where for _, where in _runs(out)]
    assert all(w.startswith(f"{path}: document 1") for w in wheres[: len(alone[0])])
    assert all(w.startswith(f"{path}: document 2") for w in wheres[len(alone[0]) :])


@pytest.mark.parametrize(
    ("tail", "problem"),
    [
        ('{"simulations": [', "invalid JSON at line 2 column 18: Expecting value"),
        ("]\n", "invalid JSON at line 2 column 1: Expecting value"),
        ("\x0c", "invalid JSON at line 2 column 1: Expecting value"),
    ],
    ids=["cut-off-document", "stray-bracket", "form-feed"],
)
def test_text_after_the_documents_is_one_error_and_they_still_load(
    tmp_path: Path, tail: str, problem: str
) -> None:
    """What follows the last document and is not JSON is never dropped silently: one error
    at its line and column (as ``--format tau2`` always said), and the documents before it
    load."""
    path = tmp_path / "runs.json"
    path.write_text(f"{_tau2(_simulation('s1'))}\n{tail}")
    out = _read_both(path, "tau2")
    assert _runs(out) == [("s1", f"{path}: document 1: simulation 0 (id s1)")]
    assert out[-1] == RecordError(where=f"{path}: document 2", problem=problem)


def test_the_first_document_decides_the_format(tmp_path: Path) -> None:
    """A tau list followed by a tau2 document: read as tau, the second is refused by name."""
    path = tmp_path / f"{_STEM}.json"
    path.write_text('[{"task_id": 1, "trial": 0, "traj": []}]\n' + _tau2(_simulation("s1")))
    out = _read_both(path, "tau")
    assert _runs(out) == [("1-0", f"{path}: document 1: item 0")]
    (error,) = [item for item in out if isinstance(item, RecordError)]
    assert error.where == f"{path}: document 2"
    assert error.problem.startswith("must be a JSON list of runs (tau-bench); got object")


@pytest.mark.parametrize("fmt", ["tau2", None])
def test_import_of_concatenated_documents_lists_errors_in_document_order(
    engine: sa.Engine, tmp_path: Path, fmt: str | None
) -> None:
    """Errors found by the parser and by the writer (a duplicate id across documents) come
    in document order, then record order, named or detected."""
    path = tmp_path / "runs.json"
    bad = {"id": "bad", "messages": "none"}
    path.write_text(
        _tau2(_simulation("s1"), bad)
        + "\n"
        + _tau2(_simulation("s1"), bad | {"id": "worse"}, _simulation("s2"))
        + "\n"
    )
    result = import_paths(engine, [path], _options(engine, fmt))
    assert (result.read, result.imported, result.refused) == (5, 2, 3)  # 2 unreadable
    assert [error.where for error in result.errors] == [
        f"{path}: document 1: simulation 1 (id bad)",
        f"{path}: document 2: simulation 0 (id s1)",
        f"{path}: document 2: simulation 1 (id worse)",
    ]
    assert "duplicate id 's1' in this import" in result.errors[1].problem
