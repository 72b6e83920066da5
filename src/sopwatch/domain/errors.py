"""The exception tree. Each leaf's docstring is its default message and says how to fix it.

SopwatchError
├── NotFound            (HTTP 404, CLI exit 2)
├── InvalidTransition   (HTTP 409)
└── InvalidInput        (HTTP 422, CLI exit 2): names the field and the problem
"""

from __future__ import annotations


class SopwatchError(Exception):
    """Something went wrong in sopwatch."""

    def __init__(self, message: str | None = None) -> None:
        super().__init__(message or (self.__doc__ or "").strip())


class NotFound(SopwatchError):
    """The named thing does not exist; list what exists and check the name."""

    def __init__(self, what: str, key: object) -> None:
        self.what = what
        self.key = key
        super().__init__(f"{what} {key!r} not found")


class InvalidTransition(SopwatchError):
    """A status change that the status machine does not allow."""

    def __init__(self, machine: str, from_status: str, to_status: str) -> None:
        self.machine = machine
        self.from_status = from_status
        self.to_status = to_status
        super().__init__(f"{machine} cannot go from {from_status!r} to {to_status!r}")


class InvalidInput(SopwatchError):
    """A value given by the user is not acceptable; the message names the field and why."""

    def __init__(self, field: str, problem: str) -> None:
        self.field = field
        self.problem = problem
        super().__init__(f"{field}: {problem}")
