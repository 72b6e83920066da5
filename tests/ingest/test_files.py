"""Reading files as they come: gzip by magic bytes, UTF-8 with or without BOM, UTF-16 with
a BOM, one clear error for any other encoding, standard input spooled once, and which
files a directory search takes."""

from __future__ import annotations

import codecs
import gzip
import io
import json
from pathlib import Path

import pytest
from tests.conftest import BUNDLED_DATA

from sopwatch.domain.errors import InvalidInput
from sopwatch.ingest.files import STDIN, Input, ReadError, expand_paths, open_inputs
from sopwatch.ingest.formats import detect_format, read_runs
from sopwatch.ingest.records import FileNote, RecordError, RunRecord

LINES = '{"id": "a", "input": "caf\u00e9"}\n{"id": "b"}\n'
TAU2 = next((BUNDLED_DATA / "tau2-bench").glob("gpt-oss-120b_*.json"))


def _ids(out: list[object]) -> list[str]:
    return [r.external_id for r in out if isinstance(r, RunRecord)]


@pytest.mark.parametrize(
    "encode",
    [
        lambda text: text.encode("utf-8"),
        lambda text: codecs.BOM_UTF8 + text.encode("utf-8"),
        lambda text: text.encode("utf-16"),  # with a BOM, native order
        lambda text: codecs.BOM_UTF16_LE + text.encode("utf-16-le"),
        lambda text: codecs.BOM_UTF16_BE + text.encode("utf-16-be"),
        lambda text: gzip.compress(codecs.BOM_UTF16_BE + text.encode("utf-16-be")),
    ],
    ids=["utf8", "utf8-bom", "utf16", "utf16-le", "utf16-be", "gzip-utf16-be"],
)
def test_jsonl_in_every_accepted_encoding(tmp_path: Path, encode: object) -> None:
    path = tmp_path / "runs.jsonl"
    path.write_bytes(encode(LINES))  # type: ignore[operator]
    out = list(read_runs(path))
    assert _ids(out) == ["a", "b"]
    assert out[0].input == "caf\u00e9"  # type: ignore[union-attr]


@pytest.mark.parametrize("name", ["t.json", "t.json.gz", "t.data"])
def test_gzip_is_recognised_by_its_magic_bytes_not_its_name(tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    path.write_bytes(gzip.compress(TAU2.read_bytes()))
    assert detect_format(path) == "tau2"
    assert len(_ids(list(read_runs(path)))) == 25
    plain = tmp_path / "plain.json.gz"  # a .gz name on plain text is read as plain text
    plain.write_text(LINES)
    assert _ids(list(read_runs(plain))) == ["a", "b"]


def test_utf16_document_with_bom(tmp_path: Path) -> None:
    path = tmp_path / "t.json"
    path.write_bytes(TAU2.read_text(encoding="utf-8").encode("utf-16"))
    assert len(_ids(list(read_runs(path)))) == 25


@pytest.mark.parametrize(
    ("data", "problem"),
    [
        (
            b'{"simulations": [\xff]}',
            "not UTF-8 text (byte 0xff at offset 17",  # JSONL adds: line 1 ... skipped
        ),
        (codecs.BOM_UTF32_LE + '{"id": 1}'.encode("utf-32-le"), "UTF-32 text: save it as UTF-8"),
        (
            '{"id": 1}\n'.encode("utf-16-le"),
            "not UTF-8 text (NUL bytes at its start, as in UTF-16 or UTF-32 without a "
            "byte-order mark): save it as UTF-8",
        ),
        (codecs.BOM_UTF16_LE + b"{\x00\x00\xdc", "not valid UTF-16 text (illegal encoding)"),
        (b"\x1f\x8bnot gzip at all", "not valid gzip data"),
    ],
    ids=["latin1-document", "utf32", "utf16-without-bom", "bad-utf16", "bad-gzip"],
)
def test_other_encodings_give_one_error_naming_the_file(
    tmp_path: Path, data: bytes, problem: str
) -> None:
    path = tmp_path / "t.json"
    path.write_bytes(data)
    with pytest.raises(ReadError) as info:
        Input(path, str(path)).text()
    assert info.value.problem.startswith(problem)
    for fmt in ("jsonl", "tau2"):
        (error,) = read_runs(path, fmt)
        assert isinstance(error, RecordError) and error.where == str(path)
        assert error.problem.startswith(problem)


def test_latin1_jsonl_is_one_error_and_the_utf8_lines_load(tmp_path: Path) -> None:
    path = tmp_path / "runs.jsonl"
    path.write_bytes(LINES.encode("latin-1") + b'{"id": "c"}\n')
    out = list(read_runs(path))
    assert _ids(out) == ["b", "c"]
    (error,) = [r for r in out if isinstance(r, RecordError)]
    assert str(error) == (
        f"{path}: not UTF-8 text (byte 0xe9 at offset 25, line 1): save it as UTF-8; "
        "1 line with such bytes skipped"
    )


def test_a_cut_off_gzip_file_loads_what_came_before(tmp_path: Path) -> None:
    lines = "".join(json.dumps({"id": f"r{i}", "input": "x" * 200}) + "\n" for i in range(400))
    data = gzip.compress(lines.encode())
    path = tmp_path / "runs.jsonl.gz"
    path.write_bytes(data[: len(data) // 2])
    out = list(read_runs(path))
    ids = _ids(out)
    assert 0 < len(ids) < 400 and ids == [f"r{i}" for i in range(len(ids))]
    (error,) = [r for r in out if isinstance(r, RecordError)]
    assert error.where == f"{path}: line {len(ids) + 1}"
    assert error.problem == "the gzip data is cut off (the file ends inside the compressed stream)"


@pytest.mark.parametrize("data", [b"", b"\n \t\r\n", gzip.compress(b""), codecs.BOM_UTF8])
def test_an_empty_file_is_a_note_in_every_format(tmp_path: Path, data: bytes) -> None:
    path = tmp_path / "empty.json"
    path.write_bytes(data)
    note = FileNote(where=str(path), note="the file is empty: nothing to import")
    assert list(read_runs(path)) == [note]
    for fmt in ("tau", "tau2", "openinference", "jsonl"):
        assert list(read_runs(path, fmt)) == [note]


def test_expand_paths_takes_ndjson_and_gz_and_keeps_stdin(tmp_path: Path) -> None:
    names = ["a.json", "b.jsonl", "c.ndjson", "d.json.gz", "e.jsonl.gz", "f.ndjson.gz"]
    for name in [*names, "g.gz", "h.txt", "i.json.bz2", "jsonl"]:
        (tmp_path / name).write_text("{}")
    assert expand_paths([tmp_path]) == [tmp_path / name for name in names]
    assert expand_paths([STDIN, tmp_path / "h.txt"]) == [STDIN, tmp_path / "h.txt"]


def test_a_directory_is_searched_in_any_case_without_hidden_files(tmp_path: Path) -> None:
    names = ["A.JSONL", "b.Json", "c.NDJSON.GZ", "sub/d.json"]
    hidden = [".e.json", ".cache/f.jsonl", "sub/.g.json", ".git/objects/h.json"]
    for name in [*names, *hidden]:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("{}")
    assert expand_paths([tmp_path]) == sorted(tmp_path / name for name in names)
    assert expand_paths([tmp_path / ".e.json"]) == [tmp_path / ".e.json"]  # named: taken


def test_a_broken_symbolic_link_is_kept_to_be_reported(tmp_path: Path) -> None:
    (tmp_path / "runs.jsonl").symlink_to(tmp_path / "gone.jsonl")
    (tmp_path / "notes.txt").symlink_to(tmp_path / "gone.txt")  # not a run file's name
    assert expand_paths([tmp_path]) == [tmp_path / "runs.jsonl"]
    with pytest.raises(ReadError, match=r"a broken symbolic link \(to .*gone.jsonl\)"):
        list(Input(tmp_path / "runs.jsonl", "runs.jsonl").lines())
    with pytest.raises(InvalidInput, match="is a broken symbolic link"):
        expand_paths([tmp_path / "runs.jsonl"])


def test_stdin_is_spooled_once_and_removed(tmp_path: Path) -> None:
    stdin = io.BytesIO(gzip.compress(LINES.encode()))
    file = tmp_path / "f.jsonl"
    file.write_text('{"id": "z"}\n')
    with open_inputs([STDIN, file, STDIN], stdin) as inputs:
        first, plain, again = inputs
        assert (first.name, plain.name, again.name) == ("<stdin>", str(file), "<stdin>")
        assert first.path == again.path and first.path.is_file()
        assert detect_format(first) == "jsonl"  # detection and parsing both read the copy
        out = list(read_runs(first))
        assert _ids(out) == ["a", "b"]
        assert out[0].where == "<stdin>: line 1"  # type: ignore[union-attr]
    assert not first.path.exists()
