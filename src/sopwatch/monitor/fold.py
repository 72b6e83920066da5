"""One cause, one finding: views of the same failures fold into the finding naming their
cause.

Several checks look at the same failed jobs from different sides: a connection's
authorization errors (``connection_auth``), failure clusters by cause or error, by the
connections they spread over, by step or connection, by input type or hour of day
(``failure_cluster``). When one of them names the cause, the report says it once: every
other view whose jobs are mostly the cause's jobs moves into that finding's evidence as
``evidence["also"]``, a list of ``{"kind", "view", "severity", "title", "job_count",
"shared_jobs", "other_job_ids", …figures}``.

The rule (our choice): views are ranked from the most to the least specific —
``connection_auth`` (0; a credential on a named connection), ``failure_cluster`` by
``cause`` or ``error`` (1; one error on one place), by ``connections`` (2; logic errors
spread over connections), by ``step`` or ``connection`` (3; a place, any error), by
``input_type`` or ``hour`` (4; a common thread, no place). A second family, repeats: a
job's ``tool_loop`` (10) names the cause of a ``duplicate_side_effect`` (11) of the same
tool in the same jobs (a write retried inside a loop). A ``watch`` or ``act`` finding F
folds into a finding C of the same family and a strictly more specific rank when at least
``FOLD_SHARE`` of F's jobs are C's jobs and C is at least as severe as F (so nothing
``act`` hides under a ``watch``). Among several such C, the most specific, then the
largest, takes it. Other kinds (``needs_attention``, the overview line, included) are
never folded and fold nothing. A kind left without findings gets one ``ok`` line naming
where they went, so the report still shows that checklist item was done.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from sopwatch.domain.enums import Severity
from sopwatch.domain.finding import Finding

#: A view folds into a cause when at least this share of its jobs are the cause's jobs
#: (our choice: "most", read as four in five, so a view where one failure in five has
#: another cause keeps its own line).
FOLD_SHARE = 0.8
#: At most this many ``other_job_ids`` per folded view (our choice, as MAX_DETAIL_ROWS).
MAX_OTHER_JOB_IDS = 50
#: The response of the ``ok`` line standing in for a kind whose findings all folded.
RESPONSE_FOLDED = "No action beyond the findings these failures were folded into."

_RANKS: dict[tuple[str, str | None], int] = {
    ("connection_auth", None): 0,
    ("failure_cluster", "cause"): 1,
    ("failure_cluster", "error"): 1,
    ("failure_cluster", "connections"): 2,
    ("failure_cluster", "step"): 3,
    ("failure_cluster", "connection"): 3,
    ("failure_cluster", "input_type"): 4,
    ("failure_cluster", "hour"): 4,
    # Repeats: a job's tool-call loop names the cause of the same write succeeding again
    # in that job. A family of its own (tens): nothing folds across families.
    ("tool_loop", None): 10,
    ("duplicate_side_effect", None): 11,
}
#: Per family (rank // 10), evidence keys a host and a folded view must agree on.
_SAME: dict[int, tuple[str, ...]] = {1: ("tool",)}
_SEVERITY = {Severity.OK: 0, Severity.WATCH: 1, Severity.ACT: 2}
_DROPPED = {"job_ids", "also", "jobs", "dimension"}


def view_of(finding: Finding) -> str:
    """The view a finding takes: a cluster's ``dimension``, else its kind."""
    if finding.kind == "failure_cluster":
        return str(finding.evidence.get("dimension", ""))
    return finding.kind


def _rank(finding: Finding) -> int | None:
    """The finding's rank (module docstring); None when it takes no part."""
    if finding.severity == Severity.OK:
        return None
    dimension = finding.evidence.get("dimension") if finding.kind == "failure_cluster" else None
    return _RANKS.get((finding.kind, dimension))


def fold_causes(findings: list[Finding]) -> list[Finding]:
    """``findings`` with every view folded into the finding naming its cause (module
    rule), in their order; a pure function (new findings, inputs untouched)."""
    hosts: list[tuple[int, int, Finding, set[str]]] = []  # (rank, index, finding, jobs)
    folded: dict[int, int] = {}
    also: dict[int, list[dict[str, Any]]] = {}
    for rank, _, index, finding in _candidates(findings):
        jobs = _jobs(finding)
        host = _host(hosts, rank, finding, jobs)
        if host is None:
            hosts.append((rank, index, finding, jobs))
            continue
        folded[index] = host[1]
        entries = also.setdefault(host[1], [])
        entries.append(_entry(finding, jobs, host[3]))
        entries.extend(finding.evidence.get("also", []))
    out: list[Finding] = []
    for index, finding in enumerate(findings):
        if index in also:
            evidence = dict(finding.evidence)
            evidence["also"] = [*finding.evidence.get("also", []), *also[index]]
            finding = replace(finding, evidence=evidence)
        if index not in folded:
            out.append(finding)
        elif not _kept(finding.kind, findings, folded) and finding.kind not in {
            f.kind for f in out
        }:
            out.append(_stand_in(finding.kind, findings, folded))
    return out


def _kept(kind: str, findings: list[Finding], folded: dict[int, int]) -> bool:
    """Whether any finding of ``kind`` stays in the report."""
    return any(f.kind == kind for i, f in enumerate(findings) if i not in folded)


def _candidates(findings: list[Finding]) -> list[tuple[int, int, int, Finding]]:
    """``(rank, -job count, index, finding)`` of the findings taking part, sorted the way
    they are considered: most specific first, then the largest."""
    found = []
    for index, finding in enumerate(findings):
        rank = _rank(finding)
        if rank is not None:
            found.append((rank, -len(_jobs(finding)), index, finding))
    return sorted(found, key=lambda c: (c[0], c[1], c[2]))


def _jobs(finding: Finding) -> set[str]:
    """The finding's job ids as strings."""
    return {str(job) for job in finding.evidence.get("job_ids", [])}


def _host(
    hosts: list[tuple[int, int, Finding, set[str]]], rank: int, finding: Finding, jobs: set[str]
) -> tuple[int, int, Finding, set[str]] | None:
    """The first kept finding that may absorb ``finding`` (module rule), or None."""
    if not jobs:
        return None
    for host in hosts:
        host_rank, _, cause, cause_jobs = host
        if host_rank // 10 != rank // 10 or host_rank >= rank:
            continue
        if _SEVERITY[cause.severity] < _SEVERITY[finding.severity]:
            continue
        keys = _SAME.get(rank // 10, ())
        if any(cause.evidence.get(key) != finding.evidence.get(key) for key in keys):
            continue
        if len(jobs & cause_jobs) >= FOLD_SHARE * len(jobs):
            return host
    return None


def _entry(finding: Finding, jobs: set[str], cause_jobs: set[str]) -> dict[str, Any]:
    """What remains of a folded finding in its cause's ``also``: what it is, its size, how
    many jobs it shares, the jobs it does not share, and its scalar figures."""
    others = [str(j) for j in finding.evidence.get("job_ids", []) if str(j) not in cause_jobs]
    entry: dict[str, Any] = {
        "kind": finding.kind,
        "view": view_of(finding),
        "severity": str(finding.severity),
        "title": finding.title,
        "job_count": len(jobs),
        "shared_jobs": len(jobs & cause_jobs),
        "other_job_ids": list(dict.fromkeys(others))[:MAX_OTHER_JOB_IDS],
    }
    for key, value in finding.evidence.items():
        if key in _DROPPED or key in entry:
            continue
        if value is None or isinstance(value, str | int | float | bool | dict):
            entry[key] = value
    return entry


def _stand_in(kind: str, findings: list[Finding], folded: dict[int, int]) -> Finding:
    """The ``ok`` line for a kind all of whose findings folded into other findings."""
    gone = [i for i, f in enumerate(findings) if f.kind == kind and i in folded]
    hosts = sorted({findings[folded[i]].kind for i in gone})
    count = len(gone)
    title = (
        f"{count} {kind} finding{'s' if count != 1 else ''} folded into the finding naming "
        f"their cause ({', '.join(hosts)})"
    )
    return Finding(
        kind=kind,
        severity=Severity.OK,
        title=title,
        response=RESPONSE_FOLDED,
        evidence={"job_ids": [], "folded_into": hosts, "folded": count},
    )
