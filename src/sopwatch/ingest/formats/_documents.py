"""The whole-file JSON formats (tau, tau2, openinference): a file holds one JSON document,
or several one after another (``cat a.json b.json``, one-line or pretty-printed), each read
in the file's format.

A file of one document reads as before: its records are located as ``<file>: item 3``. In
a file of several, each document's are ``<file>: document 2: item 3`` (documents count
from 1), and text after the last document that is not JSON is one ``RecordError`` at
``<file>: document N`` giving the line and column in the file; the documents before it
still load. Format detection reads a file the same way (``detect``), so a detected format
reads what naming it reads.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from sopwatch.ingest.files import Input, ReadError
from sopwatch.ingest.formats._common import EMPTY_NOTE, json_error, skip_blanks
from sopwatch.ingest.records import FileNote, ParsedItem, RecordError

#: A format's reader of one document: ``(document, source, where)`` -> its items, located
#: at ``where`` (the file's name, or ``<file>: document N``).
DocumentParser = Callable[[Any, Input, str], Iterator[ParsedItem]]

_DECODER = json.JSONDecoder()


@dataclass(frozen=True, slots=True)
class Documents:
    """The JSON documents of a file, in file order, and ``end``: None when the text ends
    after the last one; else what ended the reading, yielded after the documents' items:
    a ``RecordError`` (the file cannot be read, or text that is not JSON) or the
    ``FileNote`` of an empty file."""

    values: tuple[Any, ...]
    end: RecordError | FileNote | None = None

    @property
    def several(self) -> bool:
        """True when the file is not exactly one document: each is then named by number."""
        return len(self.values) > 1 or (bool(self.values) and self.end is not None)


def documents_of(text: str, name: str) -> Documents:
    """The documents in ``text`` (the file ``name``'s). Blanks (JSON whitespace, BOMs)
    may surround each; a text that is only blanks (any Unicode whitespace) is empty."""
    if not text.strip():
        return Documents((), FileNote(where=name, note=EMPTY_NOTE))
    values: list[Any] = []
    at = skip_blanks(text, 0)
    while at < len(text):
        try:
            value, at = _DECODER.raw_decode(text, at)
        except (ValueError, RecursionError) as exc:
            where = f"{name}: document {len(values) + 1}" if values else name
            error = RecordError(where=where, problem=json_error(exc), records=0)
            return Documents(tuple(values), error)
        values.append(value)
        at = skip_blanks(text, at)
    if not values:
        return Documents((), FileNote(where=name, note=EMPTY_NOTE))
    return Documents(tuple(values))


def read_documents(source: Input) -> Documents:
    """The documents of ``source`` (plain or gzip, UTF-8 or UTF-16 with a BOM); never
    raises: a file that cannot be read (I/O, gzip, encoding: ``files.ReadError``) is
    ``Documents((), RecordError(where=<file>))``."""
    try:
        text = source.text()
    except ReadError as exc:
        return Documents((), RecordError(where=source.name, problem=exc.problem, records=0))
    return documents_of(text, source.name)


def parse_documents(
    source: Input, parse_document: DocumentParser, documents: Documents | None = None
) -> Iterator[ParsedItem]:
    """Each document's items in file order (``parse_document`` over each), then
    ``documents.end`` if any; documents are located as ``<file>: document N`` when the
    file holds several. ``documents`` are those detection read, else the file is read
    (lazily, on the first item). Named and detected formats both come here, so their
    records are built alike, down to the stack depth a deeply nested value meets."""
    if documents is None:
        documents = read_documents(source)
    for number, value in enumerate(documents.values, 1):
        where = f"{source.name}: document {number}" if documents.several else source.name
        yield from parse_document(value, source, where)
    if documents.end is not None:
        yield documents.end
