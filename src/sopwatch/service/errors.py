"""``NotFound`` with what to try instead: the close names, or how to make one."""

from __future__ import annotations

import difflib
from collections.abc import Sequence

from sopwatch.domain.errors import NotFound

#: Suggestions shown at most, and how alike a name must be (``difflib`` ratio, 0–1; 0.6 is
#: difflib's default: ``airline`` finds ``airline-support``, ``x`` finds nothing).
MAX_SUGGESTIONS = 3
CUTOFF = 0.6


class UnknownName(NotFound):
    """``what`` called ``key`` does not exist; ``hint`` says what to try instead.

    ``str()`` is ``<what>: '<key>' not found; <hint>`` (one line).
    """

    def __init__(self, what: str, key: object, hint: str) -> None:
        super().__init__(what, key)
        self.hint = hint
        self.args = (f"{what}: {key!r} not found; {hint}",)


def close_names(name: str, names: Sequence[str], limit: int = MAX_SUGGESTIONS) -> list[str]:
    """Up to ``limit`` of ``names`` that ``name`` was probably meant to be, best first:
    the same name in another case, then ``difflib`` close matches (case-insensitive)."""
    lowered: dict[str, str] = {}
    for candidate in names:
        lowered.setdefault(candidate.lower(), candidate)
    same = [n for n in names if n != name and n.lower() == name.lower()]
    close = difflib.get_close_matches(name.lower(), list(lowered), n=limit, cutoff=CUTOFF)
    found = list(dict.fromkeys([*same, *(lowered[c] for c in close)]))
    return [n for n in found if n != name][:limit]


def did_you_mean(suggestions: Sequence[str]) -> str:
    """``did you mean 'a'?``, ``did you mean 'a' or 'b'?``, ``did you mean 'a', 'b' or 'c'?``"""
    quoted = [repr(s) for s in suggestions]
    if len(quoted) == 1:
        return f"did you mean {quoted[0]}?"
    return f"did you mean {', '.join(quoted[:-1])} or {quoted[-1]}?"
