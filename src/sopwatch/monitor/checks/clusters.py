"""Failure clusters (seed "Failure clusters" and "Spike in Failed Jobs"): one finding each.

Groups, over the window (docs/architecture.md: "group failed jobs by step, connection, input type,
error fingerprint and hour"; the grouping is in ``_cluster_groups``):

- ``cause``: failed model/tool/agent steps of ANY window job whose error reads as a
  service class (``domain.error_class``: auth, rate_limit, model_not_found,
  context_overflow, timeout, server_error) by (class, connection — else model, else
  step), and first-step failures (``invalid_input``) by step. Providers and libraries
  word one cause many ways (``HTTP 401``, ``{"error":"invalid_grant"}``, ``Request failed
  with status code 401``); the class names it once, and the fingerprints stay in the
  evidence.
- ``error``: the other failed steps of ANY window job by (step name, error fingerprint).
  Completed jobs count too: imported runs often complete despite failing tool calls.
  Model steps are included as well as tool and agent steps (our choice: a provider
  outage clusters the same way).
- ``step``: failed jobs by the step where they failed (last error step, else last step);
  skipped when a ``cause`` or ``error`` group of the same step already covers the same jobs.
- ``connection``: failed steps by connection; skipped when all of a connection's failed
  steps are one ``cause`` or ``error`` group (that finding already names the connection),
  and unless the connection is a likely cause: most of its failures are the service's own
  answers (seed: "a single Connection failing repeatedly"), or jobs using it fail more
  than the others (tested like a concentration; a connection every job uses is none).
- ``connections``: failed jobs ending on data or logic errors spread over several
  connections (seed: "Failures spread across multiple Connections usually point to a SOP
  logic issue").
- ``input_type`` / ``hour``: failed jobs concentrated in one input type or one UTC hour of
  day of ``Job.created_at``, claimed only when a test supports it (``_concentration``:
  one-sided Fisher's exact test, Bonferroni-corrected) and worded as the counts are.

Severity: a group spanning ≥ ``settings.cluster_min_jobs`` jobs is ``act`` (seed: "if five
Jobs all fail at the same step, that is a SOP or Connection issue, not random noise"),
2..min−1 jobs ``watch``; one job is no cluster. A ``connections`` group is ``act`` only
when the failed rate is a spike by ``needs_attention``'s rule, else ``watch`` (our
choice: failures at different places are noise until there are too many of them). Each
finding carries ``error_class`` (its jobs' or steps' most common class) and the response of
its class when most of its failures share one (``_causes``). Views of the same failures
fold into the finding naming their cause (``monitor.fold``). Single pass over the steps,
fingerprints and classes memoised: ~3,500 jobs × 10 steps take a few milliseconds.
"""

from __future__ import annotations

from typing import Any

from sopwatch.domain.enums import Severity
from sopwatch.domain.error_class import SERVICE_CLASSES, ErrorClass
from sopwatch.domain.finding import Finding, worst
from sopwatch.monitor.checks._causes import (
    CLASS_RESPONSES,
    CLASS_WORDS,
    class_evidence,
    context_response,
    failed_rate_spike,
    majority,
)
from sopwatch.monitor.checks._cluster_groups import (
    NO_STEPS,
    Group,
    Window,
    concentration_groups,
    connection_groups,
    error_groups,
    spread_group,
    step_groups,
)
from sopwatch.monitor.checks._common import (
    MAX_DETAIL_ROWS,
    error_text,
    failed_jobs,
    ok_finding,
    pct,
    plural,
    truncate,
)
from sopwatch.monitor.checks._concentration import (
    RESPONSE_HOUR,
    RESPONSE_INPUT_TYPE,
    concentration,
    fmt_p,
    hour_response,
    input_type_response,
)
from sopwatch.monitor.checks._concentration import title as concentration_title
from sopwatch.monitor.checks.loops import LIMIT_FAILURES
from sopwatch.monitor.context import CheckContext
from sopwatch.monitor.fold import fold_causes

__all__ = [
    "MAX_CLUSTER_FINDINGS",
    "RESPONSE_FIRST_STEP",
    "RESPONSE_HOUR",
    "RESPONSE_INPUT_TYPE",
    "RESPONSE_LIMIT",
    "RESPONSE_MANY_CONNECTIONS",
    "RESPONSE_ONE_CONNECTION",
    "RESPONSE_SAME_STEP",
    "check_failure_clusters",
]

#: At most this many cluster findings, biggest first; the rest are summarised in one more
#: finding (our choice: a report a person reads in under a minute).
MAX_CLUSTER_FINDINGS = 10
#: Longest ``sample_error`` kept in evidence, and longest fingerprint shown in a title.
SAMPLE_ERROR_CHARS = 300
TITLE_FINGERPRINT_CHARS = 120
#: At most this many fingerprints listed in a cause's evidence (our choice).
MAX_FINGERPRINTS = 10


RESPONSE_SAME_STEP = (
    "These Jobs fail at the same step, so that step has a problem: a Connection issue, a data "
    "format mismatch, or a logic error in the SOP (seed: Spike in Failed Jobs). Open two or "
    "three of them, read the step, and fix it before making other SOP changes."
)
RESPONSE_ONE_CONNECTION = (
    "A single Connection failing repeatedly: the external service may be experiencing "
    "issues, or the Connection credentials expired. Check the third-party service status "
    "page, and in Connections check whether the Connection is still authorized and "
    "re-authorize it if needed."
)
RESPONSE_MANY_CONNECTIONS = (
    "Failures spread across multiple Connections usually point to a SOP logic issue: the "
    "assignment is attempting something in the wrong order or with the wrong data. Read the "
    "steps of two or three of these Jobs and correct the SOP."
)
RESPONSE_FIRST_STEP = (
    "A failure on the very first step often means the input data was missing or malformed."
)
#: When every job of a step cluster ran into a limit (step limit, budget, loop guard),
#: the step is where a loop ended, not what broke (seed: "Cost spike … tool-call loop").
RESPONSE_LIMIT = (
    "These Jobs all ran into a limit ({kinds}) at this step: the step is where a tool-call "
    "loop or an open-ended search ended, not necessarily what broke. Open one and scroll "
    "through the steps to find where calls repeat, then give the SOP a clear exit "
    "condition (see tool_loop)."
)
#: Classes whose response replaces the seed's general wording when most failures share
#: them; for the others, a group spread over connections keeps the seed's SOP reading.
_FIRST_CLASSES = SERVICE_CLASSES | {ErrorClass.INVALID_INPUT}
_LATER_CLASSES = frozenset({ErrorClass.INVALID_TOOL_ARGUMENTS, ErrorClass.CODE_ERROR})


def check_failure_clusters(ctx: CheckContext) -> list[Finding]:
    """``failure_cluster`` findings, biggest first, views of one cause folded into it
    (``monitor.fold``); one ok finding when there is none."""
    win = Window.of(ctx)
    errors, connections = error_groups(ctx)
    failed = failed_jobs(ctx.jobs)
    groups = list(errors.values())
    groups += step_groups(ctx, failed, errors.values(), win)
    groups += connection_groups(ctx, connections.values(), win)
    spread = spread_group(ctx, failed, win)
    groups += [spread] if spread is not None else []
    groups += concentration_groups(ctx, failed, win)
    findings = [_finding(ctx, g, win, len(failed)) for g in groups if len(g.job_ids) >= 2]
    findings = fold_causes(findings)
    findings.sort(key=_order)
    if not findings:
        return [
            ok_finding(
                "failure_cluster",
                "No failure clusters: no step failed the same way in two or more jobs",
            )
        ]
    return findings[:MAX_CLUSTER_FINDINGS] + _rest(findings[MAX_CLUSTER_FINDINGS:])


def _severity(ctx: CheckContext, group: Group, failed_total: int) -> Severity:
    """act at ≥ ``cluster_min_jobs`` jobs (seed: five), else watch; a ``connections``
    group is act only on a failed-rate spike (module docstring)."""
    if len(group.job_ids) < ctx.settings.cluster_min_jobs:
        return Severity.WATCH
    if group.dimension == "connections" and not failed_rate_spike(ctx, failed_total):
        return Severity.WATCH
    return Severity.ACT


def _title(group: Group, failed_total: int) -> str:
    """One line naming the cluster, its size and its error."""
    jobs, steps = plural(len(group.job_ids), "job"), plural(group.step_count, "step")
    if group.dimension == "cause":
        return f"{_subject(group)} fails with {_words(group)} in {jobs} ({steps}): {_prints(group)}"
    if group.dimension == "error":
        error = truncate(group.fingerprint or "(no error text)", TITLE_FINGERPRINT_CHARS)
        return f"{group.name} fails with the same error in {jobs} ({steps}): {error}"
    if group.dimension == "step":
        return f"{plural(len(group.job_ids), 'failed job')} fail at the same step: {group.name}"
    if group.dimension == "connection":
        errors = plural(len(group.keys), "different error")
        title = f"Connection {group.name} fails in {jobs} ({steps}, {errors})"
        if group.hit is not None:
            title += f", {pct(group.hit.other_share)} of the other jobs use it "
            title += f"({fmt_p(group.hit.p_value)})"
        return title
    if group.dimension == "connections":
        spread = ", ".join(f"{c}: {n}" for c, n in group.connections.most_common(4))
        more = ", …" if len(group.connections) > 4 else ""
        return (
            f"{plural(len(group.job_ids), 'failed job')} fail on {group.name} "
            f"({spread}{more}) with data or logic errors"
        )
    assert group.hit is not None
    return concentration_title(group.dimension, group.hit)


def _subject(group: Group) -> str:
    """``Connection crm``, ``Model gpt-4o`` or the step's name."""
    if group.locus == "connection":
        return f"Connection {group.name}"
    if group.locus == "model":
        return f"Model {group.name}"
    return group.name


def _words(group: Group) -> str:
    """How the title names the group's class."""
    return CLASS_WORDS[group.error_class or ErrorClass.OTHER]


def _prints(group: Group) -> str:
    """The most common fingerprint, and how many other variants there are."""
    ranked = group.fingerprints.most_common()
    top = truncate(ranked[0][0] if ranked else "(no error text)", TITLE_FINGERPRINT_CHARS)
    variants = len(ranked) - 1
    return f"{top} (+{plural(variants, 'variant')})" if variants else str(top)


def _hints(ctx: CheckContext, group: Group, win: Window) -> list[str]:
    """Extra seed responses: a first-step failure, and the group's jobs sharing an input
    type or an hour (tested, ``_concentration``)."""
    if group.dimension in ("input_type", "hour"):
        return []
    hints: list[str] = []
    first = group.name == NO_STEPS or (group.step_count and group.first_step_only)
    if first and majority(group.classes) not in _FIRST_CLASSES:
        # A service's answer is no input problem; an invalid_input class already says it.
        hints.append(RESPONSE_FIRST_STEP)
    jobs = [win.jobs[i] for i in group.job_ids if i in win.jobs]
    sig = ctx.settings.significance
    hit = concentration([j.input_type for j in jobs], win.input_types, win.size, sig)
    if hit is not None:
        hints.append(input_type_response(hit))
    hours = [j.created_at.hour for j in jobs]
    hour_hit = concentration(hours, win.hours, win.size, sig)
    if hour_hit is not None:
        hints.append(hour_response(int(str(hour_hit.value))))
    return hints


def _response(ctx: CheckContext, group: Group, win: Window) -> str:
    """The likely cause in the seed's words or its class's (``_causes``), plus hints."""
    if group.dimension == "input_type":
        assert group.hit is not None
        return input_type_response(group.hit)
    if group.dimension == "hour":
        return hour_response(int(group.name))
    return " ".join([_base_response(group, win), *_hints(ctx, group, win)])


def _base_response(group: Group, win: Window) -> str:
    """The response for the group's likely cause, without hints."""
    limits = {win.jobs[i].failure_kind for i in group.job_ids if i in win.jobs}
    if group.dimension == "step" and limits and limits <= LIMIT_FAILURES:
        return RESPONSE_LIMIT.format(kinds=", ".join(sorted(k for k in limits if k)))
    if group.dimension == "connections":
        return RESPONSE_MANY_CONNECTIONS
    error_class = group.error_class or majority(group.classes)
    if error_class == ErrorClass.LIMIT and set(group.classes) != {ErrorClass.LIMIT}:
        error_class = None  # a limit speaks only when every failure is one
    if error_class == ErrorClass.CONTEXT_OVERFLOW:
        return context_response(group.largest)
    if error_class in _FIRST_CLASSES or error_class == ErrorClass.LIMIT:
        return CLASS_RESPONSES[error_class]
    service = sum(n for c, n in group.classes.items() if c in SERVICE_CLASSES)
    if group.dimension == "connection" and service * 2 > sum(group.classes.values()):
        # Mixed service answers on one connection (timeouts and 503s): the seed's "single
        # Connection failing repeatedly" reading.
        return RESPONSE_ONE_CONNECTION
    if len(group.connections) > 1:
        return RESPONSE_MANY_CONNECTIONS
    if error_class in _LATER_CLASSES:
        return CLASS_RESPONSES[error_class]
    return RESPONSE_SAME_STEP


def _evidence(group: Group, win: Window) -> dict[str, Any]:
    """``job_ids``, the step/tool/connection, fingerprint, class, counts, a sample error."""
    labels = [win.jobs[i].label if i in win.jobs else f"job-{i}" for i in group.job_ids]
    evidence: dict[str, Any] = {"job_ids": labels, "dimension": group.dimension}
    if group.dimension in ("error", "step"):
        evidence["step"] = group.name
    if group.locus is not None:
        evidence[group.locus] = group.name
        evidence["steps"] = sorted(group.steps)
    if group.tool:
        evidence["tool"] = group.name
    if group.dimension == "connection":
        evidence["connection"] = group.name
    elif len(group.connections) == 1:
        evidence["connection"] = next(iter(group.connections))
    elif group.connections:
        evidence["connections"] = dict(group.connections.most_common())
    if group.hit is not None and group.dimension == "connection":
        evidence["concentration"] = group.hit.evidence()
    elif group.hit is not None:
        evidence["input_type" if group.dimension == "input_type" else "hour_utc"] = group.hit.value
        evidence |= group.hit.evidence()
    evidence["fingerprint"] = group.fingerprint
    if group.dimension == "cause":
        evidence["fingerprints"] = dict(group.fingerprints.most_common(MAX_FINGERPRINTS))
    evidence |= class_evidence(group.classes)
    if group.largest:
        evidence |= _largest_evidence(group)
    evidence["job_count"] = len(group.job_ids)
    evidence["step_count"] = group.step_count
    evidence["sample_error"] = error_text(group.sample_error, SAMPLE_ERROR_CHARS)
    return evidence


def _largest_evidence(group: Group) -> dict[str, Any]:
    """Per job, the step whose output was largest before the context overflowed."""
    rows = [
        {"job_id": o.job_id, "step": o.step, "seq": o.seq, "bytes": o.bytes} for o in group.largest
    ]
    top = max(group.largest, key=lambda o: o.bytes)
    return {
        "largest_output_step": top.step,
        "largest_output_bytes": top.bytes,
        "largest_outputs": rows[:MAX_DETAIL_ROWS],
    }


def _finding(ctx: CheckContext, group: Group, win: Window, failed_total: int) -> Finding:
    """One ``failure_cluster`` finding for ``group`` (``failed_total``: failed window jobs)."""
    return Finding(
        kind="failure_cluster",
        severity=_severity(ctx, group, failed_total),
        title=_title(group, failed_total),
        response=_response(ctx, group, win),
        evidence=_evidence(group, win),
    )


_RANK = {Severity.ACT: 0, Severity.WATCH: 1, Severity.OK: 2}


def _order(finding: Finding) -> tuple[int, int, int, str]:
    """Sort key: act first, then most jobs, then most steps, then title."""
    ev = finding.evidence
    return (_RANK[finding.severity], -ev["job_count"], -ev["step_count"], finding.title)


def _rest(rest: list[Finding]) -> list[Finding]:
    """One watch finding naming the clusters left out of the report, if any."""
    if not rest:
        return []
    job_ids = list(dict.fromkeys(j for f in rest for j in f.evidence["job_ids"]))
    return [
        Finding(
            kind="failure_cluster",
            severity=worst([f.severity for f in rest]),
            title=(
                f"{plural(len(rest), 'smaller failure cluster')} not listed "
                f"({plural(len(job_ids), 'job')})"
            ),
            response=RESPONSE_SAME_STEP,
            evidence={"job_ids": job_ids, "clusters": [f.title for f in rest[:MAX_DETAIL_ROWS]]},
        )
    ]
