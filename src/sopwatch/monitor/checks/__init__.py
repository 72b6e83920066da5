"""The daily check's checks: pure functions ``CheckContext -> list[Finding]``.

``ALL_CHECKS`` lists them in the seed's order (Daily Checks, then Team Insights signals):
Activity Inbox, Case Queue health, overdue waits (ours: postponed cases and human
requests past their time), Jobs needing attention, stuck jobs (ours: running far longer
than jobs take), status contradictions (ours: jobs whose status disagrees with their steps
or requests), failure clusters, connections, cost per job, latency per job, latency per
model and tool, tool-call loops, duplicate side effects (ours: the same write succeeding
twice), output spot-check, rejection rate and truncated output (ours: what the spot-check
reads at scale), run volume, repeated input (ours: one input or trigger key starting many
jobs in minutes), source breakdown. Each returns at least one finding, an ``ok`` one when
nothing is wrong, so the report shows
every item of the checklist was done.
"""

from __future__ import annotations

from collections.abc import Callable

from sopwatch.domain.finding import Finding
from sopwatch.monitor.checks.attention import check_needs_attention
from sopwatch.monitor.checks.cases import check_cases
from sopwatch.monitor.checks.clusters import check_failure_clusters
from sopwatch.monitor.checks.connections import check_connections
from sopwatch.monitor.checks.contradictions import check_status_contradictions
from sopwatch.monitor.checks.cost import check_cost
from sopwatch.monitor.checks.duplicates import check_duplicate_side_effects
from sopwatch.monitor.checks.inbox import check_inbox
from sopwatch.monitor.checks.latency import check_latency
from sopwatch.monitor.checks.loops import check_tool_loops
from sopwatch.monitor.checks.repeats import check_repeated_input
from sopwatch.monitor.checks.sources import check_sources
from sopwatch.monitor.checks.spot_check import check_spot_check
from sopwatch.monitor.checks.step_latency import check_step_latency
from sopwatch.monitor.checks.stuck import check_stuck_jobs
from sopwatch.monitor.checks.truncation import check_truncated_output
from sopwatch.monitor.checks.verdicts import check_rejection_rate
from sopwatch.monitor.checks.volume import check_run_volume
from sopwatch.monitor.checks.waits import check_overdue_waits
from sopwatch.monitor.context import CheckContext

Check = Callable[[CheckContext], list[Finding]]

ALL_CHECKS: tuple[Check, ...] = (
    check_inbox,
    check_cases,
    check_overdue_waits,
    check_needs_attention,
    check_stuck_jobs,
    check_status_contradictions,
    check_failure_clusters,
    check_connections,
    check_cost,
    check_latency,
    check_step_latency,
    check_tool_loops,
    check_duplicate_side_effects,
    check_spot_check,
    check_rejection_rate,
    check_truncated_output,
    check_run_volume,
    check_repeated_input,
    check_sources,
)

__all__ = [
    "ALL_CHECKS",
    "Check",
    "check_cases",
    "check_connections",
    "check_cost",
    "check_duplicate_side_effects",
    "check_failure_clusters",
    "check_inbox",
    "check_latency",
    "check_needs_attention",
    "check_overdue_waits",
    "check_rejection_rate",
    "check_repeated_input",
    "check_run_volume",
    "check_sources",
    "check_spot_check",
    "check_status_contradictions",
    "check_step_latency",
    "check_stuck_jobs",
    "check_tool_loops",
    "check_truncated_output",
]
