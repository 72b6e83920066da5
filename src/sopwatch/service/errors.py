"""``NotFound`` with what to try instead: the close names, or how to make one."""

from __future__ import annotations

import difflib
from collections.abc import Sequence

from sopwatch.domain.errors import NotFound

#: Suggestions shown at most; how alike a name must be (``difflib`` ratio, 0–1: difflib's
#: default); and how far behind the best match another may be (our choice: a typo like
#: ``airline-suport`` then finds ``airline-support`` alone, not every ``airline-…``).
MAX_SUGGESTIONS = 3
CUTOFF = 0.6
BEHIND_BEST = 0.1


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
    the same name in another case; then the most alike (``difflib`` ratio at least
    ``CUTOFF`` and within ``BEHIND_BEST`` of the best); then names containing ``name``
    (all case-insensitive; ``retail`` finds ``retail-toolorchestra``)."""
    key = name.lower()
    matcher = difflib.SequenceMatcher(b=key)
    scored: list[tuple[float, str]] = []
    for candidate in names:
        matcher.set_seq1(candidate.lower())
        ratio = matcher.ratio()
        if ratio >= CUTOFF:
            scored.append((ratio, candidate))
    scored.sort(key=lambda pair: -pair[0])
    best = scored[0][0] if scored else 1.0
    alike = [n for ratio, n in scored if ratio >= best - BEHIND_BEST]
    containing = [n for n in names if key and key in n.lower()]
    found = dict.fromkeys([*alike, *containing])
    return [n for n in found if n != name][:limit]


def did_you_mean(suggestions: Sequence[str]) -> str:
    """``did you mean 'a'?``, ``did you mean 'a' or 'b'?``, ``did you mean 'a', 'b' or 'c'?``"""
    quoted = [repr(s) for s in suggestions]
    if len(quoted) == 1:
        return f"did you mean {quoted[0]}?"
    return f"did you mean {', '.join(quoted[:-1])} or {quoted[-1]}?"
