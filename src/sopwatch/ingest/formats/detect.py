"""Which format a file is in, judged by its content; and, when none fits, why the closest
format refused it.

Rules, in order (``detect``):

1. No non-blank line: the file is empty (``EMPTY``; it imports nothing).
2. The first non-blank line is a whole JSON value: an object with ``id`` (and no document
   keys) is jsonl; an object with ``simulations`` is tau2, with ``spans`` openinference, a
   list is judged as in 4. When more follows that line, the file is read as in 4.
3. One of the first 20 non-blank lines is an object with ``id`` (and no document keys):
   jsonl (the first line is just bad). Also, when the file is not one JSON document, any
   later line that is such an object. And when the first line cannot be read: one of the
   first lines is such an object once its bytes that are not UTF-8 are replaced (JSONL
   saved in another encoding), or the file is that one line and it opens a JSON object
   without a whole-file format's keys (``simulations``, ``spans``): a JSONL run cut short
   or broken. The JSONL parser then names the line and what is wrong with it.
4. Else the file is read as its parsers read it: one JSON document, or several one after
   another (``_documents``), the first of which decides: a list is tau when most of its
   first ``SAMPLE`` (20) items (more than half of those there are) are objects with
   ``task_id`` and ``traj``, and tau2 (a bare array of simulations) when most are objects
   with a ``messages`` list and no ``traj``, one of them with an ``id``; so one bad item
   does not refuse the file, the parser reports it as a bad record. An object with
   ``simulations`` is tau2, with ``spans`` openinference.
5. Else the file is refused, saying what it looks like and what the closest format
   misses: lines of JSON objects none of which has ``id`` -> "looks like JSONL (N lines,
   each a JSON object) but no line has an 'id'", a TRAIL annotation file by name, etc.

Detection decodes exactly what the parsers decode (strict UTF-8 lines, ``json_line``), and
hands the documents it read to the parser, so a detected format reads what naming it reads.
"""

from __future__ import annotations

import codecs
import json
import re
from collections.abc import Callable

from sopwatch.domain.errors import InvalidInput
from sopwatch.ingest.files import Input, ReadError
from sopwatch.ingest.formats._common import json_error, json_line, json_value, show
from sopwatch.ingest.formats._documents import Documents, documents_of
from sopwatch.ingest.records import FileNote

EMPTY = "empty"
#: Detection read no documents: the parser reads the file (JSONL, line by line).
UNREAD = object()
_JSON_BLANKS = b" \t\r\n"  # a line of only these is blank, to the parsers too
_SNIFF_LINES = 20  # non-blank lines looked at to recognise JSONL whose first line is bad
#: List items looked at to tell tau from tau2: the majority of them decides (our choice:
#: enough that one or two bad items do not decide, few enough to stay instant).
SAMPLE = 20
_FORMATS_TEXT = (
    "tau (a list of {task_id, trial, traj}), tau2 (an object with 'simulations', or a "
    "list of simulations with 'id' and 'messages'), openinference (an object with "
    "'spans'), jsonl (one object with 'id' per line)"
)


def detect(source: Input) -> tuple[str, Documents | object]:
    """``(format, documents)``: the format (one of the parsers' names, or ``EMPTY``) and
    the file's ``Documents`` when detection had to read them, else ``UNREAD``.

    Raises ``InvalidInput("--format", ...)`` when the file cannot be read or no format
    fits; the problem says why (and does not name the path: the caller does).
    """
    lines, whole = _first_lines(source)
    if not lines:
        return EMPTY, UNREAD
    first = _loads(lines[0])
    found = _shape(first, single_line=True)
    if found == "jsonl":
        return found, UNREAD
    if found is not None and whole and len(lines) == 1:
        return found, Documents((first,))  # the line is the whole file
    if found is None and any(_is_jsonl_run(_loads(line)) for line in lines[1:]):
        return "jsonl", UNREAD
    if first is None and _unreadable_runs(lines, whole):
        return "jsonl", UNREAD
    return _detect_document(source, many_lines=len(lines) > 1)


#: Keys of a whole-file format's document (tau2, openinference), as JSON text.
_DOCUMENT_KEYS = re.compile(rb'"(simulations|spans)"\s*:')


def _unreadable_runs(lines: list[bytes], whole: bool) -> bool:
    """True when lines that cannot be read are JSONL runs all the same (rule 3): one is a
    run once its bytes that are not UTF-8 are replaced, or the file is one line that
    opens a JSON object without a document's keys."""
    if any(_is_jsonl_run(_loads(line, errors="replace")) for line in lines):
        return True
    opening = lines[0].lstrip(_JSON_BLANKS).removeprefix(codecs.BOM_UTF8).lstrip(_JSON_BLANKS)
    alone = whole and len(lines) == 1
    return alone and opening.startswith(b"{") and _DOCUMENT_KEYS.search(opening) is None


def _first_lines(source: Input) -> tuple[list[bytes], bool]:
    """Up to ``_SNIFF_LINES`` non-blank lines (what could be read of a file cut short), and
    whether they are all the file holds (it ended, and could be read to its end)."""
    lines: list[bytes] = []
    try:
        for line in source.lines():
            if not line.strip(_JSON_BLANKS):
                continue
            if len(lines) >= _SNIFF_LINES:
                return lines, False
            lines.append(line)
    except ReadError as exc:
        if not lines:
            raise InvalidInput("--format", exc.problem) from None
        return lines, False
    return lines, True


def _loads(line: bytes, errors: str = "strict") -> object:
    """``line`` parsed as JSON, or None when it is not valid JSON in UTF-8 (as the parsers
    read it: ``json_line``); with ``errors="replace"``, bytes that are not UTF-8 are read
    as U+FFFD (to recognise JSONL saved in another encoding, never to import it)."""
    try:
        if errors == "strict":
            return json_line(line)
        return json_value(line.decode("utf-8", errors))
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
        sample = doc[:SAMPLE]
        runs = [item for item in sample if _is_tau_run(item)]
        if len(runs) * 2 > len(sample):
            return "tau"
        simulations = [item for item in sample if _is_simulation(item)]
        if len(simulations) * 2 > len(sample) and any("id" in s for s in simulations):
            return "tau2"
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


def _is_simulation(item: object) -> bool:
    """A tau2 simulation: an object with a ``messages`` list and no tau ``traj``."""
    return isinstance(item, dict) and isinstance(item.get("messages"), list) and "traj" not in item


def _is_tau_run(item: object) -> bool:
    """A tau-bench run: an object with ``task_id`` and ``traj``."""
    return isinstance(item, dict) and "traj" in item and "task_id" in item


def _detect_document(source: Input, *, many_lines: bool) -> tuple[str, Documents | object]:
    """Detect a file by its JSON documents, the first of which decides; raise
    ``InvalidInput`` if none fits."""
    try:
        documents = documents_of(source.text(), source.name)
    except ReadError as exc:
        raise InvalidInput("--format", exc.problem) from None
    if isinstance(documents.end, FileNote):
        return EMPTY, UNREAD  # blanks the lines did not count as blank (Unicode spaces)
    first = documents.values[0] if documents.values else None
    found = _shape(first, single_line=False) if documents.values else None
    if found is not None:
        return found, documents
    if documents.values and not documents.several:
        raise InvalidInput("--format", describe(first))
    if many_lines and _jsonl_with_late_ids(source):
        return "jsonl", UNREAD
    if not documents.values:
        problem = documents.end.problem if documents.end is not None else "no JSON"
        raise InvalidInput("--format", f"not JSON or JSONL ({problem}); cannot detect its format")
    raise InvalidInput("--format", f"its first JSON document: {describe(first)}")


def _jsonl_with_late_ids(source: Input) -> bool:
    """For a file of several lines that is not one JSON document: True if a line past the
    sniffed ones is a JSONL run (an object with ``id``), so the file is JSONL; else raise
    ``InvalidInput`` saying it looks like JSONL without ids when at least one line is a
    JSON object; else False. Reads the whole file (only on this failure path)."""
    total = objects = 0
    first_bad: str | None = None
    with_id = False
    try:
        for lineno, line in enumerate(source.lines(), 1):
            if line.isspace() or not line:
                continue
            total += 1
            try:
                obj = json_line(line)
            except (ValueError, RecursionError) as exc:
                if first_bad is None:
                    first_bad = f"line {lineno}: {_line_error(exc)}"
                continue
            if isinstance(obj, dict):
                objects += 1
                with_id = with_id or _is_jsonl_run(obj)
            elif first_bad is None:
                first_bad = f"line {lineno} is {show(obj)}"
    except ReadError:
        pass
    if objects == 0 or with_id:
        return with_id
    if objects == total:
        shape = f"{total:,} lines, each a JSON object"
    else:
        shape = f"{total:,} lines, {objects:,} of them JSON objects; {first_bad}"
    raise InvalidInput("--format", f"looks like JSONL ({shape}) but no line has an 'id'")


def _line_error(exc: ValueError | RecursionError) -> str:
    """A bad line's JSON error at its column (the line number is given by the caller)."""
    if isinstance(exc, json.JSONDecodeError):
        return f"invalid JSON at column {exc.colno}: {exc.msg}"
    if isinstance(exc, UnicodeDecodeError):
        return "not UTF-8"
    return json_error(exc)


_JSON_NAMES = {
    list: "a JSON array",
    str: "a JSON string",
    int: "a JSON number",
    float: "a JSON number",
}


def describe(doc: object) -> str:
    """What an unrecognised JSON document looks like, in JSON words, what the closest
    format misses, and what each format expects; a TRAIL annotation file (``errors`` and
    ``scores`` of one trace) is named."""
    closest = _closest(doc)
    if closest is not None:
        return closest
    if isinstance(doc, dict):
        keys = ", ".join(sorted(str(key) for key in doc)[:8])
        looks = f"a JSON object with keys {keys}" if keys else "an empty JSON object"
    elif isinstance(doc, list) and doc and all(isinstance(item, dict) for item in doc[:SAMPLE]):
        keys = ", ".join(sorted(str(key) for key in doc[0])[:8]) or "none"
        looks = f"a JSON array of objects (keys of the first: {keys})"
    elif doc is None or isinstance(doc, bool):
        looks = f"JSON {json.dumps(doc)}"
    else:
        looks = _JSON_NAMES.get(type(doc), "a JSON value")
    return (
        f"{looks} is none of the formats {_FORMATS_TEXT}; name one with --format if it "
        "is one of them"
    )


def _closest(doc: object) -> str | None:
    """Why a document that resembles one format is not it, or None."""
    if isinstance(doc, dict):
        if "errors" in doc and ("scores" in doc or "trace_id" in doc):
            return (
                "a TRAIL annotation file (the errors and scores found in one trace), not a "
                "run: import the trace files it annotates (e.g. the GAIA folder) instead"
            )
        for key, fmt in (("simulations", "tau2"), ("spans", "openinference")):
            if key in doc:
                return f"looks like {fmt} but its '{key}' is {show(doc[key])}, not a list"
        if "traj" in doc and "task_id" in doc:
            return "looks like one tau-bench run: a tau file is a JSON list of them"
        if "messages" in doc and "id" in doc:
            return (
                "looks like one tau2 simulation: a tau2 file is a JSON list of them "
                "(or an object with 'simulations')"
            )
        return None
    if not isinstance(doc, list):
        return None
    sample = doc[:SAMPLE]
    if sum(map(_is_simulation, sample)) * 2 > len(sample):
        return "looks like tau2 (a JSON array of objects with 'messages') but none has an 'id'"
    if any(isinstance(item, dict) and "messages" in item for item in sample):
        return _minority("tau2 (a JSON array of simulations)", _simulation_lacks, sample)
    if any(isinstance(item, dict) and "task_id" in item for item in sample):
        return _minority("tau (a list of {task_id, trial, traj})", _tau_lacks, sample)
    return None


def _minority(looks: str, lacks: Callable[[object], str | None], sample: list[object]) -> str:
    """Why a list whose items resemble one format is not it: too few of its first items
    have that format's shape (``lacks`` says what an item misses, None when it has it)."""
    bad = [(index, problem) for index, item in enumerate(sample) if (problem := lacks(item))]
    index, problem = bad[0]
    return (
        f"looks like {looks} but only {len(sample) - len(bad):,} of its first "
        f"{len(sample):,} items have that shape, not most (item {index} {problem})"
    )


def _tau_lacks(item: object) -> str | None:
    if not isinstance(item, dict):
        return "is not an object"
    missing = [key for key in ("task_id", "traj") if key not in item]
    return f"has no '{missing[0]}'" if missing else None


def _simulation_lacks(item: object) -> str | None:
    if not isinstance(item, dict):
        return "is not an object"
    if "traj" in item:
        return "has a tau 'traj'"
    return None if isinstance(item.get("messages"), list) else "has no 'messages' list"
