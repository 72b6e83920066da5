"""Typed values of the JSONL format: ids, optional strings, counts and enums, each
raising ``FieldError`` naming the field (``at + name``) with what was wrong.

Hot path (a million steps per import): a type test first, the wording only on failure.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any, TypeVar, overload

from sopwatch.ingest.formats._common import FieldError, show

E = TypeVar("E", bound=StrEnum)


def id_text(value: object, field: str) -> str:
    """An external id: a non-blank string, or an integer (or integral float such as
    ``7.0``) turned into its decimal text."""
    if type(value) is int:
        return str(value)
    if type(value) is float and value.is_integer():
        return str(int(value))
    if type(value) is not str or not value.strip():
        problem = (
            "missing"
            if value is None
            else f"must be a non-blank string or integer; got {show(value)}"
        )
        raise FieldError(field, problem)
    return value


def opt_str(value: object, at: str, name: str) -> str | None:
    """A string or None; raises ``FieldError`` (field ``at + name``) for any other JSON type."""
    if value is None:
        return None
    if type(value) is str:
        return value
    raise FieldError(at + name, f"must be a string; got {show(value)}")


def count(value: object, at: str, name: str) -> int | None:
    """A non-negative integer or None; an integral float (``1234.0``) counts as its
    integer, any other float, a string or a boolean is a ``FieldError``."""
    if value is None:
        return None
    if type(value) is int and value >= 0:
        return value
    if type(value) is float and value >= 0 and value.is_integer():
        return int(value)
    raise FieldError(at + name, f"must be a non-negative integer; got {show(value)}")


_REQUIRED: Any = object()


@overload
def enum_value(table: dict[str, E], value: object, at: str, name: str) -> E: ...
@overload
def enum_value(table: dict[str, E], value: object, at: str, name: str, default: E) -> E: ...
@overload
def enum_value(
    table: dict[str, E], value: object, at: str, name: str, default: None
) -> E | None: ...
def enum_value(
    table: dict[str, E], value: object, at: str, name: str, default: E | None = _REQUIRED
) -> E | None:
    """Look ``value`` up in ``table`` (value -> member) in any case (``COMPLETED``,
    ``Completed``); errors name the field ``at + name``.

    None gives ``default``; without a default, None is an error ("missing"). Raises
    ``FieldError`` listing the allowed values for an unknown value or a non-string.
    """
    if value is None:
        if default is _REQUIRED:
            raise FieldError(at + name, f"missing; must be one of {', '.join(table)}")
        return default
    member = None
    if type(value) is str:
        member = table.get(value) or table.get(value.lower())
    if member is None:
        got = repr(value) if type(value) is str else show(value)
        raise FieldError(at + name, f"must be one of {', '.join(table)}; got {got}")
    return member


def seq_value(value: object, at: str) -> int:
    """A step's ``seq`` that is not a plain int >= 1: an integral float works."""
    if type(value) is float and value >= 1 and value.is_integer():
        return int(value)
    raise FieldError(at + "seq", f"must be an integer >= 1; got {show(value)}")
