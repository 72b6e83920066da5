"""Facts derived from a job's steps: each fact by hand, and the loop facts against the
check's own loop rule on generated step sequences."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from sopwatch.domain.enums import JobStatus, Source, StepKind, StepStatus
from sopwatch.domain.facts import FACTS_VERSION, derive_facts, is_cut, side_effects
from sopwatch.domain.job import Job, Step
from sopwatch.domain.loops import job_loop
from sopwatch.domain.payload import short_digest

AT = datetime(2026, 3, 1, 10, tzinfo=UTC)


def _job(status: JobStatus = JobStatus.COMPLETED, **extra: object) -> Job:
    return Job(
        id=1,
        team_id=1,
        assignment_id=1,
        status=status,
        source=Source.INGESTED,
        created_at=AT,
        **extra,  # type: ignore[arg-type]
    )


def _tool(seq: int, name: str, args: str = "{}", result: str = "ok", **extra: object) -> Step:
    return Step(
        job_id=1,
        seq=seq,
        kind=StepKind.TOOL,
        name=name,
        status=StepStatus.ERROR if "error" in extra else StepStatus.OK,
        arguments=args,
        result=result,
        **extra,  # type: ignore[arg-type]
    )


def _model(seq: int, **extra: object) -> Step:
    return Step(
        job_id=1,
        seq=seq,
        kind=StepKind.MODEL,
        name="gpt-4o",
        status=StepStatus.ERROR if "error" in extra else StepStatus.OK,
        **extra,  # type: ignore[arg-type]
    )


def test_counts_connections_and_the_input_digest() -> None:
    steps = [
        _model(1, finish_reason="length"),
        _tool(2, "lookup", connection="erp"),
        _model(3, max_tokens=100, output_tokens=100),
        _tool(4, "file", connection="crm", error="HTTP 503"),
        _tool(5, "file", connection="erp"),
    ]
    facts = derive_facts(_job(input='{"invoice":1}'), steps)
    assert (facts.tool_calls, facts.model_calls, facts.failed_steps) == (3, 2, 1)
    assert facts.truncated_calls == 2
    assert facts.first_failed_seq == 4
    assert facts.connections == ("crm", "erp")
    assert facts.input_digest == short_digest('{"invoice":1}')
    assert (facts.ending_seq, facts.error_class, facts.error_fingerprint) == (None, None, None)
    columns = facts.columns()
    assert columns["connections"] == "crm\nerp" and columns["facts_version"] == FACTS_VERSION


def test_a_cut_or_blank_input_has_no_digest() -> None:
    assert derive_facts(_job(input="x" * 10, input_bytes=99), []).input_digest is None
    assert derive_facts(_job(input="  "), []).input_digest is None


def test_a_failed_job_keeps_where_it_ended_its_class_and_fingerprint() -> None:
    steps = [
        _model(1),
        _tool(2, "crm_lookup", error='{"error":"invalid_grant"}'),
        _model(3),
    ]
    facts = derive_facts(_job(JobStatus.FAILED, error="gave up"), steps)
    assert (facts.ending_seq, facts.ending_name) == (2, "crm_lookup")
    assert facts.error_class == "auth"
    assert facts.error_fingerprint == "invalid_grant"


def test_a_limit_failure_is_class_limit() -> None:
    facts = derive_facts(_job(JobStatus.FAILED, failure_kind="max_steps"), [_model(1)])
    assert facts.error_class == "limit"


def test_loop_facts_count_the_same_call_and_the_cycle() -> None:
    same = [_tool(i, "search", '{"q":"x"}', "none") for i in range(1, 5)]
    assert (derive_facts(_job(), same).loop_calls, derive_facts(_job(), same).loop_rounds) == (4, 0)
    cycle = [_tool(i, "a" if i % 2 else "b", f'{{"n":{i}}}', str(i)) for i in range(1, 13)]
    facts = derive_facts(_job(), cycle)
    assert (facts.loop_calls, facts.loop_rounds) == (0, 6)


def test_polling_until_done_is_no_loop() -> None:
    polls = [_tool(i, "get_status", '{"id":7}', "pending") for i in range(1, 4)]
    polls.append(_tool(4, "get_status", '{"id":7}', "done"))
    assert derive_facts(_job(), polls).loop_calls == 0


def test_is_cut_reads_reason_or_limit() -> None:
    assert is_cut(_model(1, finish_reason="MAX_TOKENS"))
    assert is_cut(_model(1, max_tokens=10, output_tokens=12))
    assert not is_cut(_model(1, finish_reason="stop", max_tokens=10, output_tokens=3))
    assert not is_cut(_tool(1, "x"))


def test_side_effects_are_successful_writes_with_whole_arguments() -> None:
    steps = [
        _tool(1, "send_report", '{"to":"ops"}', started_at=AT + timedelta(minutes=1)),
        _tool(2, "get_report", '{"to":"ops"}'),
        _tool(3, "send_report", '{"to":"ops"}', error="HTTP 500"),
        _tool(4, "send_report", "x" * 10, arguments_bytes=99),
        _tool(5, "send_report", None),
    ]
    found = side_effects(_job(started_at=AT), steps)
    assert [(e.seq, e.tool, e.digest) for e in found] == [
        (1, "send_report", short_digest('{"to":"ops"}'))
    ]
    assert found[0].at == AT + timedelta(minutes=1)


_NAMES = st.sampled_from(["a", "b", "c"])
_ARGS = st.sampled_from(['{"q":1}', '{"q":2}'])
_RESULTS = st.sampled_from(["r1", "r2", "done"])


@st.composite
def _steps(draw: st.DrawFn) -> list[Step]:
    out: list[Step] = []
    for seq in range(1, draw(st.integers(0, 24)) + 1):
        if draw(st.integers(0, 4)) == 0:
            out.append(_model(seq))
            continue
        extra = {"error": "boom"} if draw(st.integers(0, 5)) == 0 else {}
        out.append(_tool(seq, draw(_NAMES), draw(_ARGS), draw(_RESULTS), **extra))
    return out


@settings(max_examples=400)
@given(_steps(), st.integers(2, 5), st.integers(2, 6))
def test_loop_facts_say_exactly_when_the_check_finds_a_loop(
    steps: list[Step], minimum: int, rounds: int
) -> None:
    facts = derive_facts(_job(), steps)
    found = job_loop(steps, minimum, rounds) is not None
    assert found == (facts.loop_calls >= minimum or facts.loop_rounds >= rounds)
