"""Opening what an import reads: files as they come, and standard input.

A file may be gzip-compressed (recognised by its first two bytes, ``1f 8b``, whatever its
name) and its text UTF-8 with or without a byte-order mark (BOM), or UTF-16 (little- or
big-endian) with a BOM, which is decoded. Any other encoding is refused with one
``ReadError`` for the file, never one error per line. Standard input (the path ``-``) is
spooled once to a temporary file, so format detection and parsing can both read it.
"""

from __future__ import annotations

import codecs
import gzip
import io
import os
import shutil
import sys
import tempfile
import zlib
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from sopwatch.domain.errors import InvalidInput

GZIP_MAGIC = b"\x1f\x8b"
#: The path that means standard input, as the command line passes it.
STDIN = Path("-")
#: How messages name standard input.
STDIN_NAME = "<stdin>"
#: Names a directory search takes (each also with ``.gz`` appended).
SUFFIXES = (".json", ".jsonl", ".ndjson")
#: File names a directory is searched for (and their gzip forms).
RUN_FILE_NAMES = SUFFIXES + tuple(suffix + ".gz" for suffix in SUFFIXES)
SAVE_AS_UTF8 = "save it as UTF-8"


class ReadError(Exception):
    """A file cannot be read as text: I/O, broken or cut-off gzip data, or an encoding
    other than UTF-8 / UTF-16 with a BOM. ``problem`` is one line that does not name the
    file (callers report ``<file>: <problem>``)."""

    def __init__(self, problem: str) -> None:
        super().__init__(problem)
        self.problem = problem


@dataclass(frozen=True, slots=True)
class Input:
    """One file to import: ``path`` holds its bytes (for standard input, the spooled copy);
    ``name`` is how records and errors name it (the path as given, or ``<stdin>``)."""

    path: Path
    name: str

    def __str__(self) -> str:
        return self.name

    @property
    def file_name(self) -> str:
        """The last part of ``name`` (e.g. ``gpt-4o-airline.json.gz``)."""
        return Path(self.name).name

    def lines(self) -> Iterator[bytes]:
        """The text's lines as bytes, each ending with ``\\n`` except perhaps the last,
        decompressed and without a BOM; UTF-16 text comes out as UTF-8. UTF-8 is not
        checked here (the JSON reader decodes each line). Raises ``ReadError`` when the
        file cannot be opened or read, its gzip data is broken or cut off, or its
        encoding is not one of those above."""
        with self._open() as (stream, encoding):
            try:
                if encoding is None:
                    yield from stream
                else:
                    text = io.TextIOWrapper(stream, encoding=encoding, newline="\n")
                    for line in text:
                        yield line.encode("utf-8")
            except (OSError, EOFError, zlib.error, UnicodeDecodeError) as exc:
                raise ReadError(_problem(exc)) from None

    def text(self) -> str:
        """The whole text, decompressed and decoded. Raises ``ReadError`` as ``lines``
        does, and for bytes that are not UTF-8 (naming the first bad byte and its offset
        in the text after any BOM)."""
        with self._open() as (stream, encoding):
            try:
                data = stream.read()
                if encoding is not None:
                    return codecs.decode(data, encoding)
                return data.decode("utf-8")
            except UnicodeDecodeError as exc:
                if encoding is not None:
                    raise ReadError(_problem(exc)) from None
                bad = data[exc.start]
                problem = (
                    f"not UTF-8 text (byte 0x{bad:02x} at offset {exc.start:,}): {SAVE_AS_UTF8}"
                )
                raise ReadError(problem) from None
            except (OSError, EOFError, zlib.error) as exc:
                raise ReadError(_problem(exc)) from None

    @contextmanager
    def _open(self) -> Iterator[tuple[BinaryIO, str | None]]:
        """``(binary stream positioned after any BOM, encoding or None for UTF-8)``."""
        try:
            raw = self.path.open("rb")
        except OSError as exc:
            if self.path.is_symlink() and not self.path.exists():
                target = os.readlink(self.path)
                raise ReadError(f"a broken symbolic link (to {target}): nothing to read") from None
            raise ReadError(f"cannot read file: {exc.strerror or exc}") from None
        with raw:
            try:
                stream: BinaryIO = raw
                if raw.read(2) == GZIP_MAGIC:
                    raw.seek(0)
                    stream = gzip.GzipFile(fileobj=raw, mode="rb")  # type: ignore[assignment]
                else:
                    raw.seek(0)
                encoding = _encoding(stream)
            except (OSError, EOFError, zlib.error) as exc:
                raise ReadError(_problem(exc)) from None
            yield stream, encoding


def _encoding(stream: BinaryIO) -> str | None:
    """The text encoding by the first bytes, skipping a UTF-8 BOM: None for UTF-8,
    ``utf-16`` for a UTF-16 BOM (the decoder reads it). Raises ``ReadError`` for UTF-32
    and for text whose first bytes hold NUL (UTF-16/32 without a BOM)."""
    head = stream.peek(4)[:4]  # type: ignore[attr-defined]
    if head.startswith(codecs.BOM_UTF8):
        stream.read(len(codecs.BOM_UTF8))
        return None
    if head in (codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE):
        raise ReadError(f"UTF-32 text: {SAVE_AS_UTF8}")
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    if b"\x00" in head[:2]:
        raise ReadError(
            "not UTF-8 text (NUL bytes at its start, as in UTF-16 or UTF-32 without a "
            f"byte-order mark): {SAVE_AS_UTF8}"
        )
    return None


def _problem(exc: BaseException) -> str:
    """The one-line problem for an exception met while reading a file."""
    if isinstance(exc, EOFError):
        return "the gzip data is cut off (the file ends inside the compressed stream)"
    if isinstance(exc, gzip.BadGzipFile | zlib.error):
        return f"not valid gzip data: {exc}"
    if isinstance(exc, UnicodeDecodeError):
        return f"not valid UTF-16 text ({exc.reason}): {SAVE_AS_UTF8}"
    if isinstance(exc, OSError):
        return f"cannot read file: {exc.strerror or exc}"
    return f"cannot read file: {type(exc).__name__}: {exc}"


def as_input(source: Path | Input) -> Input:
    """``source`` as an ``Input``; a ``Path`` is named by its text."""
    return source if isinstance(source, Input) else Input(source, str(source))


def expand_paths(paths: Iterable[Path]) -> list[Path]:
    """Files to import: ``-`` (standard input) and each file as given; and each
    directory's files found by ``run_files_in``. Raises ``InvalidInput("PATH", ...)`` for
    a path given that does not exist or is neither a regular file nor a directory.
    """
    out: list[Path] = []
    for path in paths:
        if path == STDIN:
            out.append(path)
        elif path.is_dir():
            out.extend(run_files_in(path))
        elif path.is_file():
            out.append(path)
        elif path.is_symlink() and not path.exists():
            raise InvalidInput("PATH", f"{path} is a broken symbolic link (to {os.readlink(path)})")
        elif path.exists():
            raise InvalidInput("PATH", f"{path} is not a regular file or a directory")
        else:
            raise InvalidInput("PATH", f"{path} does not exist")
    return out


def run_files_in(folder: Path) -> list[Path]:
    """The run files under ``folder``, recursively, sorted: regular files named ``*.json``,
    ``*.jsonl``, ``*.ndjson`` or those with ``.gz``, in any case (``RUNS.JSONL``). Left
    out: names starting with ``.`` and everything under such a directory (``.git``,
    editors' and sync tools' hidden copies), a named pipe or socket (reading it would wait
    forever), and symbolic links to directories (not followed, so no loop). A broken
    symbolic link with such a name is kept, so the import reports it (``Input``: one error
    each) rather than skipping it silently."""
    found: list[Path] = []
    for root, folders, names in os.walk(folder):
        folders[:] = [name for name in folders if not name.startswith(".")]
        for name in names:
            if name.startswith(".") or not name.lower().endswith(RUN_FILE_NAMES):
                continue
            path = Path(root) / name
            if path.is_file() or (path.is_symlink() and not path.exists()):
                found.append(path)
    return sorted(found)


@contextmanager
def open_inputs(paths: list[Path], stdin: BinaryIO | None) -> Iterator[list[Input]]:
    """The ``Input`` of each path; ``-`` reads ``stdin`` (None: the process's standard
    input), spooled once to a temporary file that is removed on exit (``-`` given twice
    reads the same copy)."""
    spooled: Path | None = None
    try:
        inputs = []
        for path in paths:
            if path != STDIN:
                inputs.append(Input(path, str(path)))
                continue
            if spooled is None:
                spooled = _spool(stdin)
            inputs.append(Input(spooled, STDIN_NAME))
        yield inputs
    finally:
        if spooled is not None:
            spooled.unlink(missing_ok=True)


def _spool(stdin: BinaryIO | None) -> Path:
    """Copy ``stdin`` (default: the process's standard input, as bytes) to a temporary
    file and return its path."""
    if stdin is None:
        stdin = sys.stdin.buffer
    with tempfile.NamedTemporaryFile(prefix="sopwatch-stdin-", delete=False) as copy:
        shutil.copyfileobj(stdin, copy)
    return Path(copy.name)
