"""The content hash of an imported run: what tells a re-import whether the run changed.

``content_hash(record, assignment)`` is the SHA-256 (64 lowercase hex digits) of a
canonical JSON serialisation of the ``RunRecord`` as it will be stored: after
``--revision`` (already in the record; for a run that names none, the writer puts the
stored job's revision in first) and ``--assignment`` (the ``assignment`` argument), with

- ``where`` left out (the same run may sit on another line or in another file);
- ``created_at`` left out when ``laid_out`` is True: the importer chose that time
  (``--spread``/``--end``), so a re-import laid out differently is the same run.

Serialisation: ``[run, case, steps, requests]``, each record as the JSON array of its
field values in declaration order (``records.py``) with the trailing ones at their
default dropped, so a field appended to a record class later does not change the hash of
runs that leave it unset; written by orjson (compact, UTF-8, enums as their values,
timestamps as RFC 3339: the parsers give aware UTC, ``…+00:00``). A run's hash is
computed on the import's hot path: arrays rather than objects, and orjson, keep it at
about 10 µs for a run of 10 steps.

The hash covers what the file says, before the writer derives anything (payloads cut at
the size limit, costs estimated from tokens, a status corrected), so a change in those
rules does not make stored runs look changed; a change of field order in ``records.py``
does (every run is then updated once on its next import).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Sequence
from dataclasses import MISSING, fields
from datetime import datetime
from operator import attrgetter
from typing import Any

import orjson

from sopwatch.ingest.records import CaseRecord, HumanRequestRecord, RunRecord, StepRecord


class _Spec:
    """How to turn one record class into a JSON array: its fields' getter and defaults."""

    def __init__(self, cls: type, leave_out: Sequence[str] = ()) -> None:
        chosen = [f for f in fields(cls) if f.name not in leave_out]
        self.names = [f.name for f in chosen]
        self.defaults = [f.default for f in chosen]  # MISSING for required fields
        self.get: Callable[[Any], tuple[Any, ...]] = attrgetter(*self.names)
        # Where the trailing run of fields whose default is None starts.
        self.none_tail = len(self.defaults)
        while self.none_tail and self.defaults[self.none_tail - 1] is None:
            self.none_tail -= 1

    def values(self, obj: object) -> tuple[Any, ...]:
        """The field values, trailing defaults dropped."""
        return self.trim(self.get(obj))

    def trim(self, values: tuple[Any, ...]) -> tuple[Any, ...]:
        """``values`` (in field order) without its trailing defaults."""
        n = len(values)
        start = self.none_tail
        while n > start and values[n - 1] is None:  # the common case, kept cheap
            n -= 1
        defaults = self.defaults
        while n:
            value, default = values[n - 1], defaults[n - 1]
            if value is not default and (default is MISSING or value != default):
                break
            n -= 1
        return values[:n]


_RUN = _Spec(RunRecord, leave_out=("where", "case", "steps", "human_requests"))
_ASSIGNMENT = _RUN.names.index("assignment")
_CREATED = _RUN.names.index("created_at")
_STEP = _Spec(StepRecord)
_REQUEST = _Spec(HumanRequestRecord)
_CASE = _Spec(CaseRecord)


def content_hash(record: RunRecord, assignment: str) -> str:
    """The run's content hash (module docstring) as 64 lowercase hex digits; ``assignment``
    is the name the run is stored under (``--assignment``, else the run's own)."""
    run = list(_RUN.get(record))
    run[_ASSIGNMENT] = assignment
    if record.laid_out:
        run[_CREATED] = None  # chosen by the importer, not part of the content
    payload = [
        _RUN.trim(tuple(run)),
        None if record.case is None else _CASE.values(record.case),
        [_STEP.values(s) for s in record.steps],
        [_REQUEST.values(h) for h in record.human_requests],
    ]
    try:
        text = orjson.dumps(payload)
    except orjson.JSONEncodeError:
        # What orjson cannot write (an integer beyond 64 bits, a lone surrogate) ``limits``
        # refuses before any row is written; hash it all the same, with the json module.
        text = json.dumps(payload, separators=(",", ":"), default=_iso).encode("ascii")
    return hashlib.sha256(text).hexdigest()


def _iso(value: object) -> str:
    """A timestamp for the json module, as orjson writes it."""
    if isinstance(value, datetime):
        return value.isoformat()
    raise TypeError(f"cannot hash a {type(value).__name__}")
