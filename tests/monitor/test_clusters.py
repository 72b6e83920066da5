"""Failure clusters: same step, same error fingerprint, same connection, input type, hour."""

from __future__ import annotations

from sopwatch.domain.enums import JobStatus, Severity
from sopwatch.domain.finding import Finding
from sopwatch.monitor.checks._causes import (
    RESPONSE_INVALID_INPUT,
    RESPONSE_INVALID_TOOL_ARGUMENTS,
    RESPONSE_REAUTHORIZE,
    RESPONSE_TIMEOUT,
)
from sopwatch.monitor.checks.clusters import (
    MAX_CLUSTER_FINDINGS,
    RESPONSE_INPUT_TYPE,
    RESPONSE_LIMIT,
    RESPONSE_MANY_CONNECTIONS,
    RESPONSE_ONE_CONNECTION,
    RESPONSE_SAME_STEP,
    check_failure_clusters,
)

from .builders import Ctx, agent, model, tool

PAGE_DOWN = "TypeError: PageDownTool.forward() got an unexpected keyword argument '{}'"


def _by_dimension(findings: list[Finding], dimension: str) -> list[Finding]:
    return [f for f in findings if f.evidence.get("dimension") == dimension]


def test_no_repeated_failure_is_one_ok_finding() -> None:
    ctx = Ctx()
    ctx.job(steps=[model(), tool("search")])
    ctx.job(JobStatus.FAILED, steps=[tool("a", error="ValueError: x")])
    ctx.job(JobStatus.FAILED, steps=[tool("b", error="KeyError: y")])
    (finding,) = check_failure_clusters(ctx.build())
    assert finding.kind == "failure_cluster"
    assert finding.severity == Severity.OK


def test_page_down_errors_in_completed_jobs_cluster_as_act() -> None:
    ctx = Ctx()
    args = ["", "page_down", "arguments", "query"]
    for i in range(6):
        steps = [model(), tool("PageDownTool", error=PAGE_DOWN.format(args[i % 4]))]
        steps.append(tool("PageDownTool", error=PAGE_DOWN.format(args[(i + 1) % 4])))
        ctx.job(at=i * 3, steps=steps, external_id=f"trace-{i}")
    findings = check_failure_clusters(ctx.build())
    (finding,) = findings
    assert finding.severity == Severity.ACT
    assert finding.title == (
        "PageDownTool fails with the same error in 6 jobs (12 steps): "
        "TypeError: PageDownTool.forward() got an unexpected keyword argument <str>"
    )
    ev = finding.evidence
    assert ev["job_ids"] == [f"trace-{i}" for i in range(6)]
    assert ev["step"] == ev["tool"] == "PageDownTool"
    assert ev["job_count"] == 6 and ev["step_count"] == 12
    assert ev["fingerprint"].endswith("argument <str>")
    assert ev["sample_error"] == PAGE_DOWN.format("")
    assert ev["error_class"] == "invalid_tool_arguments"
    assert finding.response.startswith(RESPONSE_INVALID_TOOL_ARGUMENTS)


def test_two_to_four_jobs_is_watch_and_one_job_is_no_cluster() -> None:
    ctx = Ctx()
    for _ in range(3):
        ctx.job(JobStatus.FAILED, steps=[tool("lookup", error="KeyError: 'a1'")])
    ctx.job(JobStatus.FAILED, steps=[tool("other", error="boom")])
    (finding,) = check_failure_clusters(ctx.build())
    assert finding.severity == Severity.WATCH
    assert finding.evidence["job_count"] == 3


def test_boundary_at_cluster_min_jobs() -> None:
    for jobs, severity in ((4, Severity.WATCH), (5, Severity.ACT)):
        ctx = Ctx()
        for _ in range(jobs):
            ctx.job(JobStatus.FAILED, steps=[tool("lookup", error="KeyError: 'x'")])
        (finding,) = check_failure_clusters(ctx.build())
        assert finding.severity == severity


def test_failed_jobs_at_same_step_with_different_errors_cluster_by_step() -> None:
    ctx = Ctx()
    errors = ["ValueError: a", "KeyError: b", "IndexError: c", "OSError: d", "RuntimeError: e"]
    for error in errors:
        ctx.job(JobStatus.FAILED, steps=[model(), tool("write_crm", error=error)])
    steps = _by_dimension(check_failure_clusters(ctx.build()), "step")
    (finding,) = steps
    assert finding.severity == Severity.ACT
    assert finding.evidence["step"] == "write_crm"
    assert finding.title == "5 failed jobs fail at the same step: write_crm"


def test_step_group_covered_by_an_error_group_is_not_repeated() -> None:
    ctx = Ctx()
    for _ in range(5):
        ctx.job(JobStatus.FAILED, steps=[tool("write_crm", error="HTTP 500 from CRM")])
        ctx.job(JobStatus.FAILED, steps=[model(), tool("read_crm", error="KeyError: 'id'")])
    findings = check_failure_clusters(ctx.build())
    assert sorted(f.evidence["dimension"] for f in findings) == ["cause", "error"]


def test_single_connection_failing_names_the_connection() -> None:
    ctx = Ctx()
    for i in range(5):
        ctx.job(
            JobStatus.FAILED,
            steps=[tool("post", error=f"timeout after {i}s", connection="slack-main")],
        )
    (finding,) = check_failure_clusters(ctx.build())
    assert finding.evidence["connection"] == "slack-main"
    assert finding.evidence["error_class"] == "timeout"
    assert finding.response == RESPONSE_TIMEOUT  # no first-step hint for a service's answer


def test_connection_with_several_errors_gets_its_own_cluster() -> None:
    ctx = Ctx()
    for i in range(6):
        error = "ConnectionResetError" if i % 2 else "ReadTimeout: 30s"
        ctx.job(JobStatus.FAILED, steps=[tool("sync", error=error, connection="hubspot")])
    conns = _by_dimension(check_failure_clusters(ctx.build()), "connection")
    (finding,) = conns
    assert finding.severity == Severity.ACT
    assert finding.evidence["connection"] == "hubspot"
    assert "2 different errors" in finding.title


def test_one_connection_with_data_errors_is_the_steps_problem_not_credentials() -> None:
    ctx = Ctx()
    for i in range(5):
        error = f"ValidationError: field 'amount' missing in row {i}"
        steps = [model(), tool("parse", error=error, connection="docparser")]
        ctx.job(JobStatus.FAILED, steps=steps)
    findings = check_failure_clusters(ctx.build())
    assert findings and all(not f.response.startswith(RESPONSE_ONE_CONNECTION) for f in findings)
    assert any(f.response.startswith(RESPONSE_SAME_STEP) for f in findings)


def test_failures_across_connections_point_to_sop_logic() -> None:
    ctx = Ctx()
    for i in range(5):
        conn = ["crm", "mail", "sheets"][i % 3]
        steps = [model(), tool("apply", error=f"Error{i}", connection=conn)]
        ctx.job(JobStatus.FAILED, steps=steps)
    (finding,) = check_failure_clusters(ctx.build())
    assert finding.evidence["dimension"] == "connections"
    assert finding.response.startswith(RESPONSE_MANY_CONNECTIONS)
    assert finding.evidence["connections"] == {"crm": 2, "mail": 2, "sheets": 1}
    # the same jobs failing at one step are another view of the same cause: folded in
    (step,) = finding.evidence["also"]
    assert (step["view"], step["step"], step["shared_jobs"]) == ("step", "apply", 5)


def test_failures_at_different_steps_are_no_step_cluster() -> None:
    ctx = Ctx()
    for i in range(5):
        ctx.job(JobStatus.FAILED, steps=[tool(f"t{i}", error=f"E{i}"), model()])
    assert _by_dimension(check_failure_clusters(ctx.build()), "step") == []


def test_failed_jobs_without_steps_point_to_the_input() -> None:
    ctx = Ctx()
    for _ in range(5):
        ctx.job(JobStatus.FAILED, error="boom")
    (finding,) = _by_dimension(check_failure_clusters(ctx.build()), "step")
    assert finding.evidence["step"] == "(before the first step)"
    assert finding.evidence["error_class"] == "invalid_input"
    assert finding.response == RESPONSE_INVALID_INPUT


def test_input_type_concentration() -> None:
    ctx = Ctx()
    for i in range(10):
        ctx.job(at=i, input_type="email")
    for i in range(5):
        ctx.job(JobStatus.FAILED, at=i, input_type="pdf", steps=[agent(f"step_{i}", f"E{i}")])
    findings = check_failure_clusters(ctx.build())
    (finding,) = _by_dimension(findings, "input_type")
    assert finding.severity == Severity.ACT
    assert finding.evidence["input_type"] == "pdf"
    assert finding.response == RESPONSE_INPUT_TYPE.format(value="pdf")
    assert finding.title == (
        "5 of 5 failed jobs have input type pdf, against 0.0% of the other 10 jobs (p < 0.001)"
    )


def test_input_type_every_job_has_is_no_concentration() -> None:
    ctx = Ctx()
    for i in range(5):
        ctx.job(JobStatus.FAILED, at=i, input_type="pdf", steps=[agent(f"Step {i}", f"E{i}")])
    assert _by_dimension(check_failure_clusters(ctx.build()), "input_type") == []


def test_step_cluster_on_one_input_type_adds_the_hitl_hint() -> None:
    ctx = Ctx()
    for i in range(10):
        ctx.job(at=i, input_type="email")
    for i in range(5):
        steps = [model(), tool("parse", error="bad")]
        ctx.job(JobStatus.FAILED, at=i, input_type="pdf", steps=steps)
    (finding,) = _by_dimension(check_failure_clusters(ctx.build()), "error")
    assert "Failures only on input type pdf" in finding.response


def test_hour_concentration_suggests_an_outage() -> None:
    ctx = Ctx()
    for i in range(20):
        ctx.job(at=i)
    for i in range(5):
        ctx.job(JobStatus.FAILED, at=3 + i * 0.1, steps=[agent(f"step_{i}", f"Other{i}")])
    (finding,) = _by_dimension(check_failure_clusters(ctx.build()), "hour")
    assert finding.evidence["hour_utc"] == 3
    assert "outage" in finding.response
    assert "between 03:00 and 04:00 UTC" in finding.title


def test_numbered_agent_steps_group_together() -> None:
    ctx = Ctx()
    for i in range(5):
        ctx.job(steps=[agent(f"Step {i + 2}", f"AgentExecutionError: code failed at line {i}")])
    (finding,) = check_failure_clusters(ctx.build())
    assert finding.evidence["step"] == "Step N"
    assert finding.severity == Severity.ACT


def test_findings_are_biggest_first_and_capped() -> None:
    ctx = Ctx()
    for size in range(2, 2 + MAX_CLUSTER_FINDINGS + 3):
        for _ in range(size):
            ctx.job(steps=[tool(f"tool_{size}", error=f"Error{size}")])
    findings = check_failure_clusters(ctx.build())
    counts = [f.evidence["job_count"] for f in findings[:MAX_CLUSTER_FINDINGS]]
    assert counts == sorted(counts, reverse=True)
    assert len(findings) == MAX_CLUSTER_FINDINGS + 1
    assert "3 smaller failure clusters not listed" in findings[-1].title
    assert findings[-1].evidence["job_ids"]


def test_gate_steps_and_ok_steps_never_cluster() -> None:
    ctx = Ctx()
    for _ in range(6):
        ctx.job(steps=[tool("search"), model()])
    (finding,) = check_failure_clusters(ctx.build())
    assert finding.severity == Severity.OK


def test_jobs_that_hit_their_step_limit_at_the_same_step_point_at_a_loop() -> None:
    ctx = Ctx()
    for i in range(2):
        steps = [model()] + [tool("transfer_to_human_agents")] * 5
        ctx.job(JobStatus.FAILED, at=i, steps=steps, failure_kind="max_steps")
    (finding,) = check_failure_clusters(ctx.build())
    assert finding.severity == Severity.WATCH
    assert finding.response.startswith(RESPONSE_LIMIT.format(kinds="max_steps"))
    ctx.job(JobStatus.FAILED, at=3, steps=[tool("transfer_to_human_agents")], error="boom")
    (finding,) = check_failure_clusters(ctx.build())
    assert finding.response.startswith(RESPONSE_SAME_STEP)


def test_json_errors_cluster_by_their_code_and_show_as_one_line() -> None:
    ctx = Ctx()
    for i in range(3):
        grant = f'{{"error":"invalid_grant","error_description":"Token {i} expired"}}'
        ctx.job(steps=[tool("crm", error=grant)], external_id=f"g-{i}")
        limited = f'{{"error":{{"code":"rate_limited","message":"Retry in {i}s"}}}}'
        ctx.job(steps=[tool("crm", error=limited)], external_id=f"r-{i}")
    findings = _by_dimension(check_failure_clusters(ctx.build()), "cause")
    assert {f.evidence["error_class"]: f.evidence["job_ids"] for f in findings} == {
        "auth": ["g-0", "g-1", "g-2"],
        "rate_limit": ["r-0", "r-1", "r-2"],
    }
    assert {p for f in findings for p in f.evidence["fingerprints"]} == {
        "invalid_grant: Token <num> expired",
        "rate_limited: Retry in <num>s",
    }
    samples = {f.evidence["sample_error"] for f in findings}
    assert samples == {"invalid_grant: Token 0 expired", "rate_limited: Retry in 0s"}
    assert all("<obj>" not in f.title for f in findings)


def test_json_auth_errors_on_one_connection_get_the_credentials_response() -> None:
    ctx = Ctx()
    for i in range(3):
        error = f'{{"status_code":401,"detail":"Request {i} refused"}}'
        ctx.job(steps=[tool("crm", error=error, connection="hubspot")])
    (finding,) = _by_dimension(check_failure_clusters(ctx.build()), "cause")
    assert finding.evidence["error_class"] == "auth"
    assert finding.response == RESPONSE_REAUTHORIZE
