"""JSON payloads as agents log them: canonical text for storage, pretty text for people,
and the message and code inside an error object.

Agents put JSON wherever they like: a run's ``input``, ``output`` and ``error`` and a step's
``arguments``, ``result`` and ``error`` may be any JSON value. sopwatch stores a string as
it is and any other value as canonical JSON text (sorted keys, no spaces, non-ASCII as it
is, integral floats as integers: ``canonical_json``), so two logs of the same value store
the same text and compare equal (loop detection, re-import).

The error rule (``summarize_error``), for an error given as a JSON object (or JSON text of
one), checked in this order, first non-empty value wins:

- ``message``: ``message``, ``error.message``, ``error_description``, ``detail``, ``msg``,
  ``error`` when it is a string; else the canonical JSON of the whole object.
- ``code``: ``code``, ``error.code``, ``type``, ``error.type``, ``status``,
  ``status_code``, ``error.status``; else ``error`` when it is a string and was not taken
  as the message. Numbers become their decimal text. A ``type`` of just ``error`` is a
  wrapper, not a code (Anthropic: ``{"type": "error", "error": {"type":
  "overloaded_error", …}}`` reads ``overloaded_error: Overloaded``), so the next key is read.

So ``{"error": "invalid_grant", "error_description": "Token expired"}`` reads
``invalid_grant: Token expired`` and ``{"error": {"message": "Rate limited", "code":
"rate_limited"}}`` reads ``rate_limited: Rate limited``. Plain text errors stay as they are.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from typing import Any

_CANONICAL = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False)
# Only for text holding a lone surrogate, which neither database can store: escaped, it is
# ASCII (``\ud800``) and reads back as the same value.
_ESCAPED = json.JSONEncoder(sort_keys=True, separators=(",", ":"))
_SURROGATE = re.compile("[\ud800-\udfff]")
#: Floats with no fraction below this magnitude are written as integers (RFC 8785 writes
#: such numbers without a fraction; 2**53 is where floats stop holding every integer).
_EXACT = 2.0**53

_MESSAGE_KEYS = ("message", "error.message", "error_description", "detail", "msg")
_CODE_KEYS = ("code", "error.code", "type", "error.type", "status", "status_code", "error.status")
#: Code values that only say "this is an error" (a wrapper's ``type``), skipped.
_WRAPPER_CODES = frozenset({"error"})


def canonical_json(value: object) -> str:
    """Canonical JSON text: sorted keys, no spaces, so the same value always gives the
    same text (``{"a":1,"order_id":8812}``). Rules (docs/jsonl-format.md, *Payloads*):

    - non-ASCII text is written as it is (``{"answer":"日本"}``); only a text holding a lone
      surrogate (``\\ud800``, which no UTF-8 encoder can write) is written all in ASCII,
      every non-ASCII character as ``\\uXXXX``;
    - a float with no fraction and magnitude below 2**53 is written as the integer
      (``8812.0`` → ``8812``, ``-0.0`` → ``0``), as RFC 8785 does, so ``8812`` and
      ``8812.0`` are one value (loop detection, re-import); other floats as Python's
      ``repr`` (shortest round-trip);
    - ``NaN``, ``Infinity`` and ``-Infinity`` (which Python's json module reads and writes)
      are kept as Python writes them: such text is not strict JSON, but reads back with
      Python's json module and loses nothing.

    Hot path of the import: a float pass runs only when the text shows an integral float
    (``.0``), the surrogate test only on non-ASCII text. Raises ``TypeError``/
    ``ValueError`` for what JSON cannot hold (never for parsed JSON).
    """
    text = _CANONICAL.encode(value)
    if ".0" in text:
        text = _CANONICAL.encode(_integral(value))
    if not text.isascii() and _SURROGATE.search(text) is not None:
        return _ESCAPED.encode(_integral(value))
    return text


def _integral(value: Any) -> Any:
    """``value`` with every float that has no fraction (and magnitude below 2**53)
    replaced by its integer, in nested lists and objects too."""
    if isinstance(value, float):
        return int(value) if value.is_integer() and abs(value) < _EXACT else value
    if isinstance(value, dict):
        return {key: _integral(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_integral(item) for item in value]
    return value


def json_text(value: object) -> str | None:
    """How a payload is stored: None stays None, a string stays as it is, any other JSON
    value (object, array, number, boolean) becomes ``canonical_json``."""
    if value is None or isinstance(value, str):
        return value
    return canonical_json(value)


def parse_json_text(text: str | None) -> object | None:
    """``text`` parsed when it holds a JSON object or array, else None (plain text).

    Only text starting with ``{`` or ``[`` (after blanks) is tried, so ordinary strings
    cost one comparison.
    """
    if not text:
        return None
    head = text.lstrip()[:1]
    if head not in ("{", "["):
        return None
    try:
        value: object = json.loads(text)
    except (ValueError, RecursionError):
        return None
    return value if isinstance(value, dict | list) else None


def pretty(text: str | None) -> str | None:
    """Stored payload text for people: a JSON object or array indented by 2 spaces, any
    other text unchanged; None stays None."""
    value = parse_json_text(text)
    if value is None:
        return text
    shown = json.dumps(value, indent=2, ensure_ascii=False, sort_keys=True)
    try:
        shown.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate: keep it escaped
        return json.dumps(value, indent=2, sort_keys=True)
    return shown


@dataclass(frozen=True, slots=True)
class ErrorSummary:
    """What an error says: its ``message`` and its ``code`` (None when it has none)."""

    message: str
    code: str | None = None

    def line(self) -> str:
        """``code: message``, or the message alone when there is no code or the message
        already is the code."""
        if self.code is None or self.code == self.message:
            return self.message
        return f"{self.code}: {self.message}"


def summarize_error(error: object) -> ErrorSummary | None:
    """The message and code of an error (the rule in this module's docstring).

    ``error`` is stored error text (a JSON object's text is parsed) or an already parsed
    JSON value. None or blank gives None; plain text gives ``ErrorSummary(text)``.
    """
    if error is None:
        return None
    value: Any = error
    if isinstance(error, str):
        if not error.strip():
            return None
        parsed = parse_json_text(error)
        if parsed is None:
            return ErrorSummary(error)
        value = parsed
    if not isinstance(value, dict):
        text = value if isinstance(value, str) else canonical_json(value)
        return ErrorSummary(text)
    message = _first(value, _MESSAGE_KEYS)
    code = _first(value, _CODE_KEYS, skip=_WRAPPER_CODES)
    bare = value.get("error")
    if message is None and isinstance(bare, str) and bare:
        message = bare
    elif code is None and isinstance(bare, str) and bare:
        code = bare
    return ErrorSummary(message if message is not None else canonical_json(value), code)


def error_line(error: str | None) -> str | None:
    """``summarize_error(error).line()``: the one line reports and fingerprints use."""
    summary = summarize_error(error)
    return None if summary is None else summary.line()


def _first(
    obj: dict[str, Any], keys: tuple[str, ...], skip: frozenset[str] = frozenset()
) -> str | None:
    """The first of ``keys`` (``a.b`` looks inside an object) holding a non-empty string
    (not in ``skip``, compared in lower case) or a number (as text)."""
    for key in keys:
        value: Any = obj
        for part in key.split("."):
            value = value.get(part) if isinstance(value, dict) else None
        if isinstance(value, str) and value.strip() and value.strip().lower() not in skip:
            return value
        if isinstance(value, int | float) and not isinstance(value, bool):
            return str(value)
    return None


#: Hex digits of SHA-256 a report shows (our choice: 48 bits, so two different texts of
#: one window share a digest with odds under one in a billion, short enough to read out).
DIGEST_CHARS = 12


def short_digest(text: str) -> str:
    """The first ``DIGEST_CHARS`` hex digits of the SHA-256 of ``text`` (UTF-8), e.g.
    ``short_digest("{}")`` == ``"44136fa355b3"``: it names a payload in a report without
    printing it, and a person can compute it to find the payload again."""
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:DIGEST_CHARS]
