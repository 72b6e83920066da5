"""Scenarios of issue #6, what repeats across jobs and loops counted right: a report sent
three times, a charge retried after it went through, a replayed trigger key, the same
input replayed, a self-trigger chain, a two-tool cycle, six failing reads that cost their
model calls. Each twin is the nearest benign week: reads repeated instead of writes, a
charge that failed before it worked, distinct keys at the same moments, polling a status
until it is done."""

from __future__ import annotations

import random
from datetime import timedelta
from typing import Any

from tests.scenarios.framework import Scenario
from tests.scenarios.weeks import WINDOW_START, Run, Week, healthy_run, quiet_week

REPORT = {"report": "weekly-ops", "to": "ops@x"}


def _tool(name: str, arguments: Any, result: Any = None, **extra: Any) -> Run:
    step: Run = {"kind": "tool", "name": name, "arguments": arguments, "connection": "erp"}
    if result is not None:
        step["result"] = result
    return step | extra


def _model(cost_usd: float = 0.004) -> Run:
    return {"kind": "model", "name": "gpt-4o", "model": "gpt-4o", "cost_usd": cost_usd}


def _insert(run: Run, steps: list[Run]) -> None:
    """Put ``steps`` after the run's first model call (before its own tool calls)."""
    run["steps"][1:1] = steps


# --- the same report sent by three jobs 15 minutes apart -----------------------------


def _reports_week() -> Week:
    return quiet_week("reports", seed=6, per_hour=4)


def _report_runs(week: Week) -> list[Run]:
    """Three consecutive window runs, 15 minutes apart."""
    return week.window[36:39]


def _sent_three_times() -> tuple[list[Week], set[str]]:
    week = _reports_week()
    for run in _report_runs(week):
        run["steps"].append(_tool("send_report", REPORT, {"sent": True}))
    return [week], {run["id"] for run in _report_runs(week)}


def _report_read_three_times() -> list[Week]:
    """Twin: the three jobs read the same report (reads repeat harmlessly)."""
    week = _reports_week()
    for run in _report_runs(week):
        run["steps"].append(_tool("get_report", REPORT, {"rows": 12}))
        run["steps"].append(_tool("lookup_recipients", {"to": "ops@x"}, ["ops@x"]))
    return [week]


# --- a charge retried after it went through ------------------------------------------


def _charges_week() -> Week:
    return quiet_week("charges", seed=6, tools=("lookup_invoice", "file_invoice"))


CHARGE = {"amount_usd": 620, "card": "tok_visa_4242", "invoice": "INV-8812"}


def _charged_twice() -> tuple[list[Week], set[str]]:
    week = _charges_week()
    run = week.window[14]
    first, again = ({"charge": "ch_1"}, {"charge": "ch_2"})
    _insert(
        run, [_tool("charge_card", CHARGE, first), _model(), _tool("charge_card", CHARGE, again)]
    )
    return [week], {run["id"]}


def _charge_failed_then_worked() -> list[Week]:
    """Twin: the first attempt failed (503), the retry worked: one charge."""
    week = _charges_week()
    run = week.window[14]
    failed = _tool("charge_card", CHARGE, status="error", error="503 Service Unavailable")
    _insert(run, [failed, _model(), _tool("charge_card", CHARGE, {"charge": "ch_1"}), _model()])
    return [week]


# --- jobs started again and again by one key ------------------------------------------


def _keyed_week(name: str) -> Week:
    """A week of triggered runs, each started by its own record."""
    week = quiet_week(name, seed=6, source="trigger")
    for n, run in enumerate(week.runs):
        run["trigger_key"] = f"record {1000 + n}"
    return week


def _burst(week: Week, count: int, *, every_s: float, prefix: str, **fields: Any) -> list[str]:
    """Add ``count`` triggered runs from 09:00 of the window day, ``every_s`` seconds
    apart, each with ``fields``; returns their ids."""
    rng = random.Random(f"{week.assignment}:{prefix}")
    ids = []
    for i in range(count):
        at = WINDOW_START + timedelta(hours=9, seconds=every_s * i)
        run = healthy_run(f"{prefix}-{i}", at, rng=rng, source="trigger") | fields
        week.runs.append(run)
        ids.append(run["id"])
    week.runs.sort(key=lambda run: run["created_at"])
    return ids


def _replayed_key() -> tuple[list[Week], set[str]]:
    week = _keyed_week("replays")
    ids = _burst(week, 6, every_s=50, prefix="replay", trigger_key="record 42")
    return [week], set(ids)


def _distinct_keys_at_once() -> list[Week]:
    """Twin: six records arriving in the same minutes (a busy moment, not a replay)."""
    week = _keyed_week("replays")
    for i, run_id in enumerate(_burst(week, 6, every_s=50, prefix="replay")):
        week.run(run_id)["trigger_key"] = f"record {42 + i}"
    return [week]


SAME_INPUT = {"email": {"from": "vendor@x", "subject": "Invoice INV-9 overdue"}}


def _replayed_input() -> tuple[list[Week], set[str]]:
    week = _keyed_week("inputs")
    ids = _burst(week, 7, every_s=40, prefix="again", input=SAME_INPUT)
    return [week], set(ids)


def _distinct_inputs_at_once() -> list[Week]:
    week = _keyed_week("inputs")
    ids = _burst(week, 7, every_s=40, prefix="again")
    for i, run_id in enumerate(ids):
        week.run(run_id)["input"] = {"email": {"subject": f"Invoice INV-{i}"}}
    return [week]


def _self_trigger_chain() -> tuple[list[Week], set[str]]:
    week = _keyed_week("chains")
    ids = _burst(week, 30, every_s=120, prefix="chain", trigger_key="ticket 7")
    return [week], set(ids)


# --- loops counted right ---------------------------------------------------------------


def _loops_week() -> Week:
    return quiet_week("cycles", seed=6)


def _cycle(run: Run, rounds: int) -> None:
    steps: list[Run] = []
    for i in range(rounds):
        steps += [_model(), _tool("search_invoices", {"q": f"ACME {i}"}, {"hits": [i]})]
        steps += [_model(), _tool("open_invoice", {"id": f"INV-{i}"}, {"found": False})]
    _insert(run, steps)


def _two_tool_cycle() -> tuple[list[Week], set[str]]:
    week = _loops_week()
    run = week.window[9]
    _cycle(run, 6)
    return [week], {run["id"]}


def _four_rounds() -> list[Week]:
    """Twin: searching and opening four times (under the 5 rounds of a cycle)."""
    week = _loops_week()
    _cycle(week.window[9], 4)
    return [week]


def _reads_week() -> Week:
    return quiet_week("reads", seed=6)


def _six_failing_reads() -> tuple[list[Week], set[str]]:
    """One job reads the same missing invoice six times, each read issued by a $0.04
    model call: the loop costs $0.24."""
    week = _reads_week()
    run = week.window[11]
    read = _tool("lookup_invoice", {"invoice": "INV-404"}, status="error", error="404 Not Found")
    _insert(run, [step for _ in range(6) for step in (_model(0.04), dict(read))])
    return [week], {run["id"]}


def _polling_until_done() -> list[Week]:
    """Twin: one job polls an invoice's status four times until it is done."""
    week = _reads_week()
    states = ["pending", "pending", "pending", "done"]
    polls = [_tool("get_invoice_status", {"invoice": "INV-7"}, {"state": s}) for s in states]
    _insert(week.window[11], [step for poll in polls for step in (_model(), poll)])
    return [week]


SCENARIOS = [
    Scenario(
        name="duplicate_report_sent_3_times_15_min_apart",
        kind="duplicate_side_effect",
        severity="act",
        build=_sent_three_times,
        twin=_report_read_three_times,
    ),
    Scenario(
        name="duplicate_charge_retried_in_one_job",
        kind="duplicate_side_effect",
        severity="act",
        build=_charged_twice,
        twin=_charge_failed_then_worked,
    ),
    Scenario(
        name="repeated_input_replayed_trigger_key",
        kind="repeated_input",
        severity="watch",
        build=_replayed_key,
        twin=_distinct_keys_at_once,
    ),
    Scenario(
        name="repeated_input_same_input_7_times",
        kind="repeated_input",
        severity="watch",
        build=_replayed_input,
        twin=_distinct_inputs_at_once,
    ),
    Scenario(
        name="repeated_input_self_trigger_chain",
        kind="repeated_input",
        severity="act",
        build=_self_trigger_chain,
        twin=lambda: [_keyed_week("chains")],
    ),
    Scenario(
        name="tool_loop_two_tool_cycle_6_rounds",
        kind="tool_loop",
        severity="watch",
        build=_two_tool_cycle,
        twin=_four_rounds,
    ),
    Scenario(
        name="tool_loop_six_failing_reads_cost_0_24",
        kind="tool_loop",
        severity="watch",
        build=_six_failing_reads,
        twin=_polling_until_done,
    ),
]
