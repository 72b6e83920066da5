"""File formats sopwatch imports runs from, and detection of a file's format.

Each parser is pure (reads the file, writes nothing) and never raises on bad input: it
yields ``RunRecord`` for good records, ``RecordError`` for bad ones and ``FileNote`` for
what it says once about the whole file (it is empty; what its records lack and what was
inferred instead), in file order. Files may be gzip-compressed and UTF-8 or UTF-16 with a
BOM (``ingest.files``); a whole-file JSON format's file may hold several documents one
after another (``_documents``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

from sopwatch.domain.errors import InvalidInput
from sopwatch.domain.options import FORMATS as FORMATS
from sopwatch.ingest.files import Input, as_input
from sopwatch.ingest.formats import detect, jsonl, openinference, tau, tau2
from sopwatch.ingest.formats._common import EMPTY_NOTE
from sopwatch.ingest.formats._documents import Documents
from sopwatch.ingest.records import FileNote, ParsedItem

_PARSERS: dict[str, Callable[[Path | Input], Iterator[ParsedItem]]] = {
    "tau": tau.parse,
    "tau2": tau2.parse,
    "openinference": openinference.parse,
    "jsonl": jsonl.parse,
}
_DOCUMENT_PARSERS: dict[str, Callable[[Input, Documents], Iterator[ParsedItem]]] = {
    "tau": tau.parse,
    "tau2": tau2.parse,
    "openinference": openinference.parse,
}


def read_runs(source: Path | Input, fmt: str | None = None) -> Iterator[ParsedItem]:
    """The runs of a file in file order, as ``RunRecord``/``RecordError``/``FileNote``.

    ``source`` is a path or a ``files.Input`` (which names the file in messages). ``fmt``
    is one of ``FORMATS``; None detects it (``formats.detect``), and reads what naming the
    detected format reads. An empty file (0 bytes or only blanks) yields one ``FileNote``
    and nothing else. A tau, tau2 or openinference file may hold several JSON documents one
    after another: each is read, in the file's format (``formats._documents``). Raises
    ``InvalidInput("--format", ...)`` at call time for an unknown ``fmt`` or a file whose
    format cannot be detected (its ``problem`` says why and does not repeat the path, so
    callers report it as ``<path>: <problem>``); after that, bad records come out as
    ``RecordError``.
    """
    source = as_input(source)
    if fmt is None:
        fmt, documents = detect.detect(source)
        if fmt == detect.EMPTY:
            return iter([FileNote(where=source.name, note=EMPTY_NOTE)])
        if isinstance(documents, Documents) and fmt in _DOCUMENT_PARSERS:
            return _DOCUMENT_PARSERS[fmt](source, documents)
    parser = _PARSERS.get(fmt)
    if parser is None:
        raise InvalidInput("--format", f"must be one of {', '.join(FORMATS)}; got {fmt!r}")
    return parser(source)


def detect_format(source: Path | Input) -> str:
    """The format of a file: one of ``FORMATS`` (rules in ``formats.detect``).

    Raises ``InvalidInput("--format", ...)`` saying what the file looks like when it is
    unreadable, empty, not valid JSON, or none of the formats (e.g. a TRAIL annotation
    file, or lines of JSON objects without ``id``: the closest format's reason is given);
    the problem text does not name the path (the caller does).
    """
    found, _ = detect.detect(as_input(source))
    if found == detect.EMPTY:
        raise InvalidInput("--format", "the file is empty; cannot detect its format")
    return found
