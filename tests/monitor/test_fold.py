"""One cause, one finding: the fold rule over hand-made findings."""

from __future__ import annotations

from typing import Any

from sopwatch.domain.enums import Severity
from sopwatch.domain.finding import Finding
from sopwatch.monitor.fold import FOLD_SHARE, fold_causes


def _f(kind: str, severity: Severity, jobs: range | list[str], **evidence: Any) -> Finding:
    ids = [f"j{i}" for i in jobs] if isinstance(jobs, range) else jobs
    return Finding(
        kind=kind,
        severity=severity,
        title=f"{kind} {evidence.get('dimension', '')} {len(ids)}",
        response="r",
        evidence={"job_ids": ids, **evidence},
    )


ACT, WATCH, OK = Severity.ACT, Severity.WATCH, Severity.OK


def test_a_view_mostly_of_the_causes_jobs_folds_into_it_with_its_figures() -> None:
    attention = _f("needs_attention", ACT, range(20))
    cluster = _f("failure_cluster", ACT, range(10), dimension="cause", error_class="auth")
    hour = _f("failure_cluster", ACT, range(10), dimension="hour", hour_utc=14, p_value=1e-6)
    auth = _f("connection_auth", ACT, range(10), connection="crm")
    out = fold_causes([attention, cluster, hour, auth])
    assert [f.kind for f in out] == ["needs_attention", "failure_cluster", "connection_auth"]
    standin, host = out[1], out[2]
    assert standin.severity == OK and standin.evidence["folded_into"] == ["connection_auth"]
    assert "2 failure_cluster findings folded" in standin.title
    views = [(v["view"], v["shared_jobs"], v["other_job_ids"]) for v in host.evidence["also"]]
    assert views == [("cause", 10, []), ("hour", 10, [])]
    assert host.evidence["also"][1]["hour_utc"] == 14
    assert "job_ids" not in host.evidence["also"][0]
    assert out[0] is attention  # the overview line is never folded
    assert "also" not in auth.evidence  # inputs untouched


def test_fold_share_boundary_and_the_jobs_left_over() -> None:
    cause = _f("failure_cluster", ACT, range(10), dimension="cause")
    needed = int(FOLD_SHARE * 10)
    mostly = _f(
        "failure_cluster",
        ACT,
        [*map("j{}".format, range(needed)), "x1", "x2"][:10],
        dimension="hour",
    )
    out = fold_causes([cause, mostly])
    assert len(out) == 1
    assert out[0].evidence["also"][0]["other_job_ids"] == ["x1", "x2"]
    fewer = _f(
        "failure_cluster",
        ACT,
        [*map("j{}".format, range(needed - 1)), "x1", "x2", "x3"],
        dimension="hour",
    )
    assert len(fold_causes([cause, fewer])) == 2


def test_only_a_more_specific_and_at_least_as_severe_finding_absorbs() -> None:
    step = _f("failure_cluster", ACT, range(5), dimension="step")
    error = _f("failure_cluster", ACT, range(5), dimension="error")
    other_error = _f("failure_cluster", ACT, range(5), dimension="cause")
    # same rank: two errors on the same jobs are two findings
    assert len(fold_causes([error, other_error])) == 2
    # a less specific view never absorbs a more specific one, whatever the order
    assert [f.evidence["dimension"] for f in fold_causes([step, error])] == ["error"]
    # a watch cause does not hide an act view
    small = _f("failure_cluster", WATCH, range(5), dimension="error")
    assert len(fold_causes([small, step])) == 2
    # ok findings and other kinds take no part
    ok = _f("failure_cluster", OK, range(5), dimension="hour")
    loop = _f("tool_loop", ACT, range(5))
    assert fold_causes([error, ok, loop]) == [error, ok, loop]


def test_nested_views_move_with_their_host_and_the_most_specific_host_wins() -> None:
    hour = {"kind": "failure_cluster", "view": "hour", "shared_jobs": 6}
    cause = _f("failure_cluster", ACT, range(6), dimension="cause", also=[hour])
    spread = _f("failure_cluster", ACT, range(12), dimension="connections")
    step = _f("failure_cluster", ACT, range(6), dimension="step")
    auth = _f("connection_auth", ACT, range(6))
    out = fold_causes([cause, spread, step, auth])
    assert [f.kind for f in out] == ["failure_cluster", "connection_auth"]
    assert out[0].evidence["dimension"] == "connections"
    assert [v["view"] for v in out[1].evidence["also"]] == ["cause", "hour", "step"]


def test_no_findings_and_findings_without_jobs() -> None:
    assert fold_causes([]) == []
    empty = _f("failure_cluster", ACT, [], dimension="hour")
    cause = _f("failure_cluster", ACT, range(3), dimension="cause")
    assert fold_causes([cause, empty]) == [cause, empty]


def test_a_write_repeated_inside_a_jobs_loop_folds_into_the_loop_of_the_same_tool() -> None:
    loop = _f("tool_loop", ACT, ["j1"], tool="transfer")
    same_tool = _f("duplicate_side_effect", ACT, ["j1"], tool="transfer")
    other_tool = _f("duplicate_side_effect", ACT, ["j1"], tool="refund")
    out = fold_causes([loop, same_tool, other_tool])
    assert [(f.kind, f.evidence.get("tool")) for f in out] == [
        ("tool_loop", "transfer"),
        ("duplicate_side_effect", "refund"),
    ]
    assert [v["kind"] for v in out[0].evidence["also"]] == ["duplicate_side_effect"]


def test_nothing_folds_across_families() -> None:
    auth = _f("connection_auth", ACT, ["j1", "j2"], connection="crm")
    loop = _f("tool_loop", ACT, ["j1"], tool="lookup")
    duplicate = _f("duplicate_side_effect", WATCH, ["j1", "j2"], tool="charge")
    assert fold_causes([auth, loop, duplicate]) == [auth, loop, duplicate]
