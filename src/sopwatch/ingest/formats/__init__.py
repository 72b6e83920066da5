"""File formats sopwatch imports runs from, and detection of a file's format.

Each parser is pure (reads the file, writes nothing) and never raises on bad input: it
yields ``RunRecord`` for good records and ``RecordError`` for bad ones, in file order.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, BinaryIO

from sopwatch.domain.errors import InvalidInput
from sopwatch.ingest.formats import jsonl, openinference, tau, tau2
from sopwatch.ingest.formats._common import json_error
from sopwatch.ingest.records import RecordError, RunRecord

FORMATS = ("tau", "tau2", "openinference", "jsonl")

_PARSERS: dict[str, Callable[[Path], Iterator[RunRecord | RecordError]]] = {
    "tau": tau.parse,
    "tau2": tau2.parse,
    "openinference": openinference.parse,
    "jsonl": jsonl.parse,
}
#: Detection read no whole-file document (JSONL is parsed line by line by its parser).
_UNREAD = object()
_DOCUMENT_PARSERS: dict[str, Callable[[Any, Path], Iterator[RunRecord | RecordError]]] = {
    "tau": tau.parse_document,
    "tau2": tau2.parse_document,
    "openinference": openinference.parse_document,
}
_SNIFF_LINES = 20  # non-blank lines looked at to recognise JSONL whose first line is bad


def read_runs(path: Path, fmt: str | None = None) -> Iterator[RunRecord | RecordError]:
    """The runs of the file at ``path`` in file order, as ``RunRecord``/``RecordError``.

    ``fmt`` is one of ``FORMATS``; None detects it with ``detect_format``. Raises
    ``InvalidInput("--format", ...)`` at call time for an unknown ``fmt`` or a file whose
    format cannot be detected (its ``problem`` does not repeat the path, so callers report
    it as ``<path>: <problem>``); after that, bad records come out as ``RecordError``.
    """
    if fmt is None:
        fmt, doc = _detect(path)
        if doc is not _UNREAD and fmt in _DOCUMENT_PARSERS:
            return _DOCUMENT_PARSERS[fmt](doc, path)
    parser = _PARSERS.get(fmt)
    if parser is None:
        raise InvalidInput("--format", f"must be one of {', '.join(FORMATS)}; got {fmt!r}")
    return parser(path)


def detect_format(path: Path) -> str:
    """The format of the file at ``path``: one of ``FORMATS``.

    Looks at the first non-blank lines: a first line that is a whole JSON value is judged by
    its shape (an object with ``id`` is ``jsonl``); a later one of the first 20 that is an
    object with ``id`` also means ``jsonl`` (the first line is just bad). Otherwise the
    whole file is read as one JSON document: a list of ``{task_id, trial, traj}`` is
    ``tau``, an object with ``simulations`` is ``tau2``, one with ``spans`` is
    ``openinference``. Raises ``InvalidInput("--format", ...)`` saying what the file looks
    like when it is unreadable, empty, not valid JSON, or none of these (e.g. a TRAIL
    annotation file); the problem text does not name the path (the caller does).
    """
    return _detect(path)[0]


def _detect(path: Path) -> tuple[str, object]:
    """``(format, document)``: the whole-file JSON document when detection had to read it
    (tau, tau2, openinference), else ``_UNREAD``. Raises as ``detect_format``."""
    try:
        with path.open("rb") as fh:
            lines = list(_first_lines(fh))
    except OSError as exc:
        raise InvalidInput("--format", f"cannot read file: {exc.strerror or exc}") from None
    if not lines:
        raise InvalidInput("--format", "the file is empty; cannot detect its format")
    first = _loads(lines[0])
    found = _shape(first, single_line=True)
    if found is not None:
        return found, (_UNREAD if found == "jsonl" else first)
    if any(_is_jsonl_run(_loads(line)) for line in lines[1:]):
        return "jsonl", _UNREAD
    return _detect_document(path)


def _first_lines(fh: BinaryIO) -> Iterator[bytes]:
    """Up to ``_SNIFF_LINES`` non-blank lines of a binary file."""
    count = 0
    for line in fh:
        if line.isspace():
            continue
        yield line
        count += 1
        if count >= _SNIFF_LINES:
            return


def _loads(line: bytes) -> object:
    """``line`` parsed as JSON, or None when it is not valid JSON."""
    try:
        return json.loads(line)
    except (ValueError, RecursionError):
        return None


def _is_jsonl_run(obj: object) -> bool:
    """True for an object that looks like one JSONL run: it has an ``id`` and no document keys."""
    return isinstance(obj, dict) and "id" in obj and _shape(obj, single_line=False) is None


def _shape(doc: object, *, single_line: bool) -> str | None:
    """The format a parsed JSON value has, or None.

    ``single_line``: the value was one line of the file, so an object with ``id`` is JSONL.
    """
    if isinstance(doc, list):
        items = [item for item in doc[:5] if isinstance(item, dict)]
        if items and all("traj" in item and "task_id" in item for item in items):
            return "tau"
        return None
    if not isinstance(doc, dict):
        return None
    if isinstance(doc.get("simulations"), list):
        return "tau2"
    if isinstance(doc.get("spans"), list):
        return "openinference"
    if single_line and "id" in doc:
        return "jsonl"
    return None


def _detect_document(path: Path) -> tuple[str, object]:
    """Detect a file that is one (multi-line) JSON document; raise ``InvalidInput`` if none."""
    try:
        doc = json.loads(path.read_text(encoding="utf-8-sig"))
    except OSError as exc:
        raise InvalidInput("--format", f"cannot read file: {exc.strerror or exc}") from None
    except UnicodeDecodeError as exc:
        raise InvalidInput("--format", f"not UTF-8: {exc}") from None
    except (ValueError, RecursionError) as exc:
        problem = f"not JSON or JSONL ({json_error(exc)}); cannot detect its format"
        raise InvalidInput("--format", problem) from None
    found = _shape(doc, single_line=False)
    if found is not None:
        return found, doc
    raise InvalidInput("--format", _describe(doc))


_JSON_NAMES = {
    list: "a JSON array",
    str: "a JSON string",
    int: "a JSON number",
    float: "a JSON number",
}


def _describe(doc: object) -> str:
    """What an unrecognised JSON document looks like, in JSON words, and what each format
    expects; a TRAIL annotation file (``errors`` and ``scores`` of one trace) is named."""
    if isinstance(doc, dict) and "errors" in doc and ("scores" in doc or "trace_id" in doc):
        return (
            "a TRAIL annotation file (the errors and scores found in one trace), not a run: "
            "import the trace files it annotates (e.g. the GAIA folder) instead"
        )
    if isinstance(doc, dict):
        keys = ", ".join(sorted(str(key) for key in doc)[:8])
        looks = f"a JSON object with keys {keys}" if keys else "an empty JSON object"
    elif doc is None or isinstance(doc, bool):
        looks = f"JSON {json.dumps(doc)}"
    else:
        looks = _JSON_NAMES.get(type(doc), "a JSON value")
    return (
        f"{looks} is none of the formats tau (a list of {{task_id, trial, traj}}), "
        "tau2 (an object with 'simulations'), openinference (an object with 'spans'), "
        "jsonl (one object with 'id' per line); name one with --format if it is one of them"
    )
