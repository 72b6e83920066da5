"""The import's fast derivation of a job's facts (``ingest.facts.facts_of_values``) gives
exactly what the domain's rules give (``reference_values``, i.e. ``domain.facts``), on
generated jobs and on every bundled real run."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from tests.conftest import BUNDLED_DATA

from sopwatch.domain.enums import JobStatus
from sopwatch.ingest.facts import FACT_COLUMNS, facts_of_values, reference_values
from sopwatch.ingest.files import open_inputs
from sopwatch.ingest.formats import read_runs
from sopwatch.ingest.records import RunRecord
from sopwatch.ingest.rows import JOB_COLUMNS, STEP_COLUMNS, RowBuilder

AT = datetime(2026, 3, 1, 12, tzinfo=UTC)
JOB = {c: None for c in JOB_COLUMNS}

times = st.one_of(st.none(), st.integers(0, 5).map(lambda m: AT + timedelta(minutes=m)))
small = st.one_of(st.none(), st.integers(-1, 300))


@st.composite
def step_values(draw: st.DrawFn, seq: int) -> list[Any]:
    row = dict.fromkeys(STEP_COLUMNS)
    row.update(
        job_id=1,
        seq=seq,
        kind=draw(st.sampled_from(["model", "tool", "tool", "gate", "agent"])),
        name=draw(st.sampled_from(["get_status", "wait", "update_order", "search", "m"])),
        status=draw(st.sampled_from(["ok", "ok", "error"])),
        connection=draw(st.sampled_from([None, "", "crm", "mail"])),
        arguments=draw(
            st.one_of(
                st.sampled_from([None, "", "{}", "x"]),
                st.integers(0, 30).map(lambda i: f'{{"id":{i}}}'),
            )
        ),
        arguments_bytes=draw(st.sampled_from([None, None, 90_000])),
        result=draw(st.sampled_from([None, "pending", "done", "ok"])),
        result_bytes=draw(st.sampled_from([None, None, 70_000])),
        error=draw(st.sampled_from([None, "HTTP 503 from crm", "timeout", "KeyError: 'x'"])),
        started_at=draw(times),
        output_tokens=draw(small),
        finish_reason=draw(st.sampled_from([None, "stop", "length", " MAX_TOKENS ", "tool"])),
        max_tokens=draw(small),
        cost_estimated=False,
    )
    return list(row.values())


@st.composite
def jobs(draw: st.DrawFn) -> tuple[list[Any], list[list[Any]]]:
    n = draw(st.integers(0, 14))
    seqs = list(range(1, n + 1))
    if draw(st.booleans()):
        seqs = draw(st.permutations(seqs))  # steps not in seq order
    if n and draw(st.integers(0, 9)) == 0:
        seqs[-1] = seqs[0]  # a repeated seq
    steps = [draw(step_values(seq)) for seq in seqs]
    job = dict(JOB)
    job.update(
        status=draw(st.sampled_from([s.value for s in JobStatus])),
        source="trigger",
        created_at=AT,
        started_at=draw(times),
        input=draw(st.sampled_from([None, "", "  ", "refund order 7", "x" * 40])),
        input_bytes=draw(st.sampled_from([None, None, 99_999])),
        failure_kind=draw(st.sampled_from([None, "max_steps", "tool_error", "agent_error"])),
        error=draw(st.sampled_from([None, "boom", "Error: 429 rate limit exceeded"])),
    )
    return list(job.values()), steps


@settings(max_examples=400, deadline=None)
@given(jobs())
def test_fast_facts_equal_the_rules_on_generated_jobs(
    case: tuple[list[Any], list[list[Any]]],
) -> None:
    job, steps = case
    assert facts_of_values(job, steps) == reference_values(job, steps)


def test_a_plain_job_takes_the_fast_path_and_a_looping_one_the_rules() -> None:
    """The fast path is used (no loop, not failed) and gives the counts one expects."""
    job = {**JOB, "status": "completed", "source": "api", "created_at": AT, "input": "hi"}
    job = list(job.values())

    def step(seq: int, kind: str, name: str, arguments: str | None) -> list[Any]:
        row = {**dict.fromkeys(STEP_COLUMNS), "seq": seq, "kind": kind, "name": name}
        row.update(status="ok", arguments=arguments, connection="crm", cost_estimated=False)
        return list(row.values())

    plain = [step(1, "model", "m", None), step(2, "tool", "update_order", '{"id":1}'),
             step(3, "tool", "search", '{"q":1}'), step(4, "tool", "update_order", '{"id":2}'),
             step(5, "tool", "search", '{"q":2}')]  # fmt: skip
    values, effects = facts_of_values(job, plain)
    facts = dict(zip(FACT_COLUMNS, values, strict=True))
    assert (facts["tool_calls"], facts["model_calls"], facts["loop_rounds"]) == (4, 1, 2)
    assert facts["connections"] == "crm" and facts["input_digest"] is not None
    found = [(e.seq, e.tool, e.at) for e in effects]
    assert found == [(2, "update_order", AT), (4, "update_order", AT)]
    looping = [step(i, "tool", "search", '{"q":1}') for i in range(1, 5)]
    values, _ = facts_of_values(job, looping)
    assert dict(zip(FACT_COLUMNS, values, strict=True))["loop_calls"] == 4
    assert (values, _) == reference_values(job, looping)


def _real_runs() -> list[RunRecord]:
    paths = sorted(p for p in BUNDLED_DATA.rglob("*.json*") if "annotations" not in str(p))
    runs = []
    with open_inputs(paths, None) as sources:
        for source in sources:
            runs.extend(r for r in read_runs(source, None) if isinstance(r, RunRecord))
    return runs


@pytest.mark.parametrize("limit", [16_384, 64])
def test_fast_facts_equal_the_rules_on_every_bundled_run(limit: int) -> None:
    """Every run of data/ (tau, tau2, TRAIL), with payloads cut at the limit or not."""
    builder = RowBuilder(team_id=1, payload_limit=limit)
    runs = _real_runs()
    assert len(runs) > 400
    failed = 0
    for run in runs:
        record = replace(run, revision=None, case=None, created_at=run.created_at or AT)
        job = builder.job_values(None, 1, record, "", None)  # type: ignore[arg-type]
        steps = builder.step_values(record, None)
        assert facts_of_values(job, steps) == reference_values(job, steps), run.where
        failed += record.status is JobStatus.FAILED
    assert failed  # the rules' own branch is exercised too
