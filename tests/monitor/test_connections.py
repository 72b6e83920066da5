"""Connection authorization errors."""

from __future__ import annotations

from sopwatch.domain.enums import JobStatus, Severity
from sopwatch.monitor.checks.connections import RESPONSE_REAUTHORIZE, check_connections

from .builders import Ctx, model, tool


def test_no_auth_errors_is_ok() -> None:
    ctx = Ctx()
    ctx.job(JobStatus.FAILED, steps=[tool("crm", error="HTTP 500", connection="crm")])
    (finding,) = check_connections(ctx.build())
    assert finding.kind == "connection_auth"
    assert finding.severity == Severity.OK


def test_auth_error_on_a_connection_is_act() -> None:
    ctx = Ctx()
    job = ctx.job(
        JobStatus.FAILED,
        steps=[
            model(),
            tool("crm_update", error="401 Unauthorized: token expired", connection="hubspot"),
        ],
        external_id="ext-1",
    )
    ctx.job(steps=[tool("crm_read", error="HTTP 403 Forbidden", connection="hubspot")])
    ctx.job(steps=[tool("mail", error="invalid_grant", connection=None)])
    findings = check_connections(ctx.build())
    assert [f.severity for f in findings] == [Severity.ACT, Severity.ACT]
    hubspot, mail = findings
    assert hubspot.evidence["connection"] == "hubspot"
    assert hubspot.evidence["job_ids"][0] == job.label == "ext-1"
    assert hubspot.evidence["count"] == 2 and hubspot.evidence["job_count"] == 2
    assert hubspot.evidence["tools"] == {"crm_update": 1, "crm_read": 1}
    assert hubspot.response == RESPONSE_REAUTHORIZE
    assert mail.evidence["connection"] is None and mail.evidence["tool"] == "mail"


def test_failed_job_with_auth_error_and_no_step_counts() -> None:
    ctx = Ctx()
    ctx.job(JobStatus.FAILED, error="Connection credentials expired; re-authorize")
    (finding,) = check_connections(ctx.build())
    assert finding.severity == Severity.ACT
    assert finding.evidence["connection"] == "(unknown connection)"


def test_model_step_auth_errors_without_connection_are_not_connection_errors() -> None:
    ctx = Ctx()
    ctx.job(steps=[model(error="401 Unauthorized")])
    (finding,) = check_connections(ctx.build())
    assert finding.severity == Severity.OK


def test_json_401_and_invalid_grant_errors_are_recognised() -> None:
    ctx = Ctx()
    ctx.job(steps=[tool("crm", error='{"detail":"Request refused","status_code":401}')])
    ctx.job(steps=[tool("mail", error='{"error":"invalid_grant"}', connection="gmail")])
    ctx.job(steps=[tool("api", error='{"error":{"code":"rate_limited","message":"Slow down"}}')])
    findings = check_connections(ctx.build())
    assert [(f.evidence["connection"], f.evidence["tool"]) for f in findings] == [
        (None, "crm"),
        ("gmail", "mail"),
    ]
    assert findings[0].evidence["sample_error"] == "401: Request refused"
    assert findings[1].evidence["sample_error"] == "invalid_grant"


def test_failed_job_with_a_json_auth_error_counts() -> None:
    ctx = Ctx()
    ctx.job(JobStatus.FAILED, error='{"message":"Bad request","status_code":403}')
    (finding,) = check_connections(ctx.build())
    assert finding.severity == Severity.ACT
