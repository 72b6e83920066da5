"""Scenarios of the first issue's list: tool-call loops."""

from __future__ import annotations

from typing import Any

from tests.scenarios.framework import Scenario
from tests.scenarios.weeks import Week, quiet_week


def _week() -> Week:
    return quiet_week("loops", seed=1)


def _looping() -> tuple[list[Week], set[str]]:
    """One window job that searches for the same invoice 12 times before it stops."""
    week = _week()
    run = week.window[5]
    search: dict[str, Any] = {"kind": "tool", "name": "lookup_invoice", "connection": "erp"}
    search |= {"arguments": {"invoice": "INV-404"}, "result": {"found": False}}
    run["steps"][1:1] = [dict(search) for _ in range(12)]
    return [week], {run["id"]}


SCENARIOS = [
    Scenario(
        name="tool_loop_same_search_12_times",
        kind="tool_loop",
        severity="act",
        build=_looping,
        twin=lambda: [_week()],
    ),
]
