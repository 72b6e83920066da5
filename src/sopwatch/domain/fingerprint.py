"""Error fingerprints: one normalised line per kind of failure, so repeats group together.

The same failure raised with different values ("unexpected keyword argument 'query'" and
"... 'page_down'") must land in the same failure cluster (docs/architecture.md "Monitoring": failure
clusters group by error fingerprint). ``fingerprint`` keeps the line that names the error,
replaces the values in it with placeholders and trims it to ``MAX_FINGERPRINT_CHARS``.
An error logged as a JSON object is first read as its code and message
(``domain.payload.summarize_error``), so ``{"error":"invalid_grant"}`` and
``{"error":{"code":"rate_limited",…}}`` stay apart instead of both becoming ``<obj>``.
"""

from __future__ import annotations

import re
from functools import lru_cache

from sopwatch.domain.payload import summarize_error

#: Longest fingerprint kept (our choice: the first line, ~200 chars).
MAX_FINGERPRINT_CHARS = 200
#: Longest slice of the chosen line that the patterns look at (our choice: bounds the cost
#: of a pathological multi-megabyte error text; the result is cut to 200 chars anyway).
_MAX_SCAN_CHARS = 2_000

_URL = re.compile(r"\b[A-Za-z][A-Za-z0-9+.\-]*://[^\s'\"<>]+")
_UUID = re.compile(
    r"\b[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\b"
)
# A quote opens only where a word does not continue before it (so "don't" is no quote).
_SINGLE_QUOTED = re.compile(r"(?<!\w)'(?:[^'\\\n]|\\.)*'(?!\w)")
_DOUBLE_QUOTED = re.compile(r'"(?:[^"\\\n]|\\.)*"')
_BRACED = re.compile(r"\{[^{}]*\}")
_BRACKETED = re.compile(r"\[[^\[\]]*\]")
_HEX = re.compile(r"\b(?:0x[0-9a-fA-F]+|(?=[0-9a-fA-F]*\d)[0-9a-fA-F]{8,})\b")
_PATH = re.compile(r"(?<![\w/\\<])(?:[A-Za-z]:)?[\w.\-~]*(?:[\\/][\w.\-]+){2,}[\\/]?")
# A number may carry a unit of up to 3 letters ("30s", "100ms", "5MB"), which is kept.
_NUMBER = re.compile(r"(?<![\w.<])\d+(?:\.\d+)?(?:[eE][-+]?\d+)?(?=[A-Za-z%]{0,3}(?!\w))")
# A word mixing letters with a run of 3 or more digits is an identifier (flight HAT290,
# voucher V0004, certificate_7504069): a value, not part of the error's name; names with
# short numbers (gpt4, v2, x86_64) stay.
_MIXED_ID = re.compile(r"\b(?=\w*[A-Za-z])(?=\w*\d{3})\w+\b")
_SPACE = re.compile(r"\s+")
# A model name: optional vendor prefixes (``openai/``, ``models/``, ``us.anthropic.``), a
# model family, then a version or variant (a digit, or a dash and a letter), up to the end
# of the token. Kept whole: the model is part of the cause ("model_not_found" for which
# model). Families after the providers' model lists (our choice of list).
_MODEL = re.compile(
    r"(?<![\w\-./:@])(?:[A-Za-z][\w\-]*[./])*"
    r"(?:(?:gpt|chatgpt|claude|gemini|gemma|llama|codellama|mistral|mixtral|codestral|"
    r"ministral|magistral|pixtral|deepseek|qwen|qwq|phi|grok|text-embedding|text-davinci|"
    r"davinci|babbage|dall-e|whisper|tts|sonar|jamba|nova|kimi|glm)(?=[\-.:_]?\d|-[A-Za-z])"
    r"|command-(?:r|a|light|nightly)\b|o[1-9](?=\b|-))"
    r"(?:[\w@]|[\-.:/](?=\w))*",
    re.IGNORECASE,
)
#: Model names are hidden behind private-use characters from here on while normalising.
_MODEL_MARK = 0xE000
_MAX_MODELS = 64
# A JSON error's code that reads as a code: one short token of letters, digits and
# separators (our choice: 60 characters).
_CODE_LIKE = re.compile(r"[\w.\-:/]{1,60}")
# HTTP error statuses name the failure ("401 Unauthorized", "HTTP 503", "Error code: 400"),
# so a 4xx/5xx number right after such a word, or before a capitalised reason, is kept.
_STATUS = re.compile(r"[45]\d\d")
_STATUS_BEFORE = re.compile(r"(?i)\b(?:http|status|code)\b\W{0,3}$")
_STATUS_AFTER = re.compile(r" [A-Z][a-z]")


def _number(match: re.Match[str]) -> str:
    """``<num>`` for a number, except an HTTP error status in its usual context."""
    value = match.group()
    if _STATUS.fullmatch(value):
        before = match.string[max(0, match.start() - 16) : match.start()]
        if _STATUS_BEFORE.search(before) or _STATUS_AFTER.match(match.string, match.end()):
            return value
    return "<num>"


def _mixed_id(match: re.Match[str]) -> str:
    """``<id>`` for an identifier, but a number with a short unit (``30s``, ``100ms``,
    ``5MB``) is left for ``_NUMBER``, which keeps the unit."""
    value = match.group()
    if re.fullmatch(r"\d+(?:[A-Za-z%]{1,3})", value):
        return value
    return "<id>"


def _error_line(text: str) -> str:
    """The line that names the error: the first non-empty one, or the last one of a
    Python traceback (whose first line is only "Traceback (most recent call last):")."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    if not lines:
        return ""
    if lines[0].startswith("Traceback (most recent call last)"):
        return lines[-1]
    return lines[0]


def _summary_parts(error: str) -> tuple[str | None, str]:
    """``(code, line)`` a fingerprint is made from: for a JSON error object its code (None
    when it has none, or the code is the message) and the error line of its message (as
    ``payload.error_line`` reads it); for plain text no code and the error line itself."""
    summary = summarize_error(error)
    if summary is None:
        return None, ""
    line = _error_line(summary.message)
    if summary.code is None or summary.code == line:
        return None, line
    return _error_line(summary.code), line


def _code(code: str) -> str:
    """A JSON error's code as the fingerprint keeps it: verbatim when it reads as a code
    (``invalid_grant``, ``429``, ``E1001``, ``RESOURCE_EXHAUSTED``: it names the cause),
    else normalised like a message."""
    return code if _CODE_LIKE.fullmatch(code) else _normalise(code)


def _protect_models(text: str) -> tuple[str, list[str]]:
    """``text`` with each model name replaced by one private-use character (no pattern
    below touches those), and the names in order, for ``_restore``."""
    names: list[str] = []

    def hide(match: re.Match[str]) -> str:
        if len(names) >= _MAX_MODELS:
            return match.group()
        names.append(match.group())
        return chr(_MODEL_MARK + len(names) - 1)

    return _MODEL.sub(hide, text), names


def _restore(text: str, names: list[str]) -> str:
    """Put back the model names ``_protect_models`` took out."""
    for i, name in enumerate(names):
        text = text.replace(chr(_MODEL_MARK + i), name)
    return text


def _quoted(match: re.Match[str]) -> str:
    """``<str>`` for a quoted string, except a quoted model name, which stays."""
    inner = match.group()[1:-1]
    if len(inner) == 1 and _MODEL_MARK <= ord(inner) < _MODEL_MARK + _MAX_MODELS:
        return match.group()
    return "<str>"


def _collapse(pattern: re.Pattern[str], placeholder: str, text: str) -> str:
    """Replace innermost matches of a bracket ``pattern`` until none is left (≤ 5 levels)."""
    for _ in range(5):
        new = pattern.sub(placeholder, text)
        if new == text:
            break
        text = new
    return text


@lru_cache(maxsize=8_192)
def fingerprint(error: str | None) -> str:
    """Normalise an error text to a fingerprint (≤ 200 chars, one line).

    Steps: read a JSON error object as ``code: message`` (``payload.summarize_error``) and
    keep its code verbatim when it reads as one (``invalid_grant``, ``429``, ``E1001``:
    the code is what tells causes apart); keep the error line (first non-empty line;
    last line of a traceback); keep model names whole (``claude-3-haiku-20240307``,
    ``gpt-4o-2024-08-06``, ``models/gemini-1.5-pro-002``, also when quoted); replace
    URLs with ``<url>``, UUIDs with ``<uuid>``, quoted strings ('…' and "…") with
    ``<str>``, ``{…}`` and ``[…]`` literals with ``<obj>``/``<list>``, hex ids (``0x…``
    or ≥ 8 hex digits with a digit) with ``<hex>``, paths with ≥ 2 separators with
    ``<path>``, words mixing letters with 3+ digits (``HAT290``, ``certificate_7504069``) with
    ``<id>``, numbers with ``<num>`` (except HTTP 4xx/5xx statuses such as ``401
    Unauthorized`` or ``HTTP 503``, which name the failure); collapse whitespace.
    ``None`` or blank gives ``""``.

    Example: ``TypeError: PageDownTool.forward() got an unexpected keyword argument 'query'``
    → ``TypeError: PageDownTool.forward() got an unexpected keyword argument <str>``;
    ``{"error":"invalid_grant","error_description":"Token 42 expired"}`` →
    ``invalid_grant: Token <num> expired``; ``{"error":{"code":429,"message":"Resource
    has been exhausted"}}`` → ``429: Resource has been exhausted``. Results are memoised
    (errors repeat a lot within a window).
    """
    if not error:
        return ""
    code, line = _summary_parts(error)
    text = _normalise(line[:_MAX_SCAN_CHARS])
    if code is not None:
        text = f"{_code(code)}: {text}"
    return text[:MAX_FINGERPRINT_CHARS]


def _normalise(text: str) -> str:
    """One line with its values replaced by placeholders (``fingerprint``'s steps)."""
    text, models = _protect_models(text)
    text = _URL.sub("<url>", text)
    text = _UUID.sub("<uuid>", text)
    text = _SINGLE_QUOTED.sub(_quoted, text)
    text = _DOUBLE_QUOTED.sub(_quoted, text)
    text = _collapse(_BRACED, "<obj>", text)
    text = _collapse(_BRACKETED, "<list>", text)
    text = _HEX.sub("<hex>", text)
    text = _PATH.sub("<path>", text)
    text = _MIXED_ID.sub(_mixed_id, text)
    text = _NUMBER.sub(_number, text)
    text = _SPACE.sub(" ", text).strip()
    return _restore(text, models)


_NAME_NUMBER = re.compile(r"(?<![A-Za-z0-9_])\d+(?![A-Za-z0-9_])")


def normalise_step_name(name: str) -> str:
    """A step name with free-standing numbers replaced by ``N`` (``Step 7`` → ``Step N``),
    so numbered agent steps of different jobs group together; tool names stay as they are
    (``search_v2`` keeps its digit because it is part of a word)."""
    return _NAME_NUMBER.sub("N", name)
