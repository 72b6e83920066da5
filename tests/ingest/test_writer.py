"""What the writer stores on both databases: model-call details, costs estimated from
tokens (and the ones it leaves alone), the content hash, a request's response."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from sopwatch.domain.enums import HumanRequestStatus, HumanRequestType, JobStatus, StepKind
from sopwatch.ingest.content import content_hash
from sopwatch.ingest.importer import ImportOptions, ImportResult, import_paths
from sopwatch.ingest.records import HumanRequestRecord, RunRecord, StepRecord
from sopwatch.ingest.writer import BatchWriter
from sopwatch.store.jobs import human_requests, job_from_row, jobs, request_from_row, steps
from sopwatch.store.teams import ensure_team

AT = datetime(2026, 3, 1, 10, tzinfo=UTC)


def _team(engine: sa.Engine) -> int:
    with engine.begin() as conn:
        return ensure_team(conn, "t").id


def _write(engine: sa.Engine, *records: RunRecord) -> ImportResult:
    result = ImportResult()
    BatchWriter(engine, _team(engine), 16_384).write(list(records), "a", result)
    return result


def _import(engine: sa.Engine, path: Path, *runs: dict[str, Any]) -> ImportResult:
    path.write_text("".join(json.dumps(r) + "\n" for r in runs))
    options = ImportOptions(
        team_id=_team(engine), assignment="a", fmt=None, spread=timedelta(days=7),
        end=datetime(2026, 3, 2, tzinfo=UTC),
    )  # fmt: skip
    return import_paths(engine, [path], options)


def _model(seq: int, **extra: Any) -> StepRecord:
    return StepRecord(seq=seq, kind=StepKind.MODEL, name="call", **extra)


def _job(engine: sa.Engine, external_id: str = "r") -> Any:
    with engine.connect() as conn:
        return conn.execute(sa.select(jobs).where(jobs.c.external_id == external_id)).one()


def _steps(engine: sa.Engine, external_id: str = "r") -> list[Any]:
    with engine.connect() as conn:
        query = (
            sa.select(steps)
            .join(jobs, jobs.c.id == steps.c.job_id)
            .where(jobs.c.external_id == external_id)
            .order_by(steps.c.seq)
        )
        return conn.execute(query).all()


def test_model_call_details_and_an_estimate_with_cache_reads(engine: sa.Engine) -> None:
    run = RunRecord(
        external_id="r",
        status=JobStatus.COMPLETED,
        created_at=AT,
        model="gpt-4o",
        steps=(
            _model(1, input_tokens=1000, output_tokens=100, cache_read_tokens=200,
                   cache_write_tokens=0, finish_reason="tool_calls", max_tokens=4096),
            StepRecord(seq=2, kind=StepKind.TOOL, name="search", result="3 orders"),
            _model(3, input_tokens=1000, output_tokens=100, finish_reason="stop"),
        ),
    )  # fmt: skip
    result = _write(engine, run)
    assert (result.imported, result.estimated_costs, result.unknown_models) == (1, 2, {})
    first, tool, last = _steps(engine)
    assert (first.finish_reason, first.max_tokens) == ("tool_calls", 4096)
    assert (first.cache_read_tokens, first.cache_write_tokens) == (200, 0)
    # gpt-4o: 800 x $2.50/M + 200 cache reads x $1.25/M + 100 x $10/M = 3,250 micro-USD
    assert (first.cost_micros, first.cost_estimated) == (3_250, True)
    assert (tool.cost_micros, tool.cost_estimated, tool.finish_reason) == (None, False, None)
    assert (last.cost_micros, last.cost_estimated, last.finish_reason) == (3_500, True, "stop")
    job = _job(engine)
    assert (job.cost_micros, job.cost_estimated) == (6_750, True)
    assert (job.input_tokens, job.output_tokens) == (2000, 200)
    assert job.content_hash == content_hash(run, "a")


def test_estimated_costs_from_a_jsonl_file(engine: sa.Engine, tmp_path: Path) -> None:
    step = {"kind": "model", "name": "gpt-4o", "input_tokens": 1000, "output_tokens": 100}
    result = _import(
        engine,
        tmp_path / "r.jsonl",
        {"id": "r", "status": "completed", "created_at": "2026-03-01T10:00:00Z",
         "steps": [{**step, "seq": 1, "model": "gpt-4o"}, {**step, "seq": 2, "model": "o3-mini"}]},
    )  # fmt: skip
    assert (result.estimated_costs, result.errors) == (2, [])
    # o3-mini: $1.10/M input, $4.40/M output -> 1,100 + 440
    assert [s.cost_micros for s in _steps(engine)] == [3_500, 1_540]
    assert (_job(engine).cost_micros, _job(engine).cost_estimated) == (5_040, True)


def test_an_unknown_model_leaves_the_cost_unknown_and_is_counted(engine: sa.Engine) -> None:
    run = RunRecord(
        external_id="r",
        status=JobStatus.COMPLETED,
        created_at=AT,
        model="acme/llm-9",
        steps=(
            _model(1, input_tokens=1000, output_tokens=100),
            _model(2, input_tokens=50, output_tokens=5),
            _model(3, input_tokens=50, output_tokens=5, model="gpt-4o"),
        ),
    )
    result = _write(engine, run)
    assert (result.unknown_models, result.estimated_costs) == ({"acme/llm-9": 2}, 1)
    assert [(s.cost_micros, s.cost_estimated) for s in _steps(engine)] == [
        (None, False),
        (None, False),
        (175, True),
    ]
    job = _job(engine)
    assert (job.cost_micros, job.cost_estimated) == (None, False)  # a partial sum would mislead


def test_reported_costs_stand(engine: sa.Engine) -> None:
    """A step's own cost is kept even with tokens and a known model; a run's own cost is
    the job's, so the job is not estimated even when a step is."""
    step_cost = RunRecord(
        external_id="r",
        status=JobStatus.COMPLETED,
        created_at=AT,
        steps=(_model(1, input_tokens=1000, output_tokens=100, model="gpt-4o", cost_micros=9),),
    )
    run_cost = RunRecord(
        external_id="s",
        status=JobStatus.COMPLETED,
        created_at=AT,
        cost_micros=42,
        steps=(_model(1, input_tokens=1000, output_tokens=100, model="gpt-4o"),),
    )
    result = _write(engine, step_cost, run_cost)
    assert result.estimated_costs == 1
    (step,) = _steps(engine, "r")
    assert (step.cost_micros, step.cost_estimated) == (9, False)
    assert (_job(engine, "r").cost_micros, _job(engine, "r").cost_estimated) == (9, False)
    (estimated,) = _steps(engine, "s")
    assert (estimated.cost_micros, estimated.cost_estimated) == (3_500, True)
    assert (_job(engine, "s").cost_micros, _job(engine, "s").cost_estimated) == (42, False)


def test_a_request_keeps_its_response(engine: sa.Engine) -> None:
    request = HumanRequestRecord(
        type=HumanRequestType.QUESTION,
        status=HumanRequestStatus.ANSWERED,
        question="Which order?",
        answered_at=AT,
        response="the one from May",
    )
    _write(engine, RunRecord(external_id="r", status=JobStatus.COMPLETED, created_at=AT,
                             human_requests=(request,)))  # fmt: skip
    with engine.connect() as conn:
        stored = conn.execute(sa.select(human_requests)).one()
    assert (stored.status, stored.response) == ("answered", "the one from May")


def test_cache_counts_beyond_the_input_refuse_only_that_record(engine: sa.Engine) -> None:
    bad = RunRecord(
        external_id="bad",
        status=JobStatus.COMPLETED,
        where="runs.jsonl: line 1",
        created_at=AT,
        steps=(_model(1, input_tokens=10, output_tokens=1, cache_read_tokens=11),),
    )
    good = RunRecord(external_id="good", status=JobStatus.COMPLETED, created_at=AT)
    result = _write(engine, bad, good)
    assert result.imported == 1
    (error,) = result.errors
    assert str(error).startswith("runs.jsonl: line 1: field 'steps[0].cache_read_tokens': ")
    with engine.connect() as conn:
        assert conn.execute(sa.select(jobs.c.external_id)).scalars().all() == ["good"]


def test_trigger_key_and_request_expiry_are_stored_and_read_back(engine: sa.Engine) -> None:
    expires = AT + timedelta(hours=24)
    request = HumanRequestRecord(type=HumanRequestType.APPROVAL, created_at=AT, expires_at=expires)
    record = RunRecord(
        external_id="r",
        status=JobStatus.NEEDS_INPUT,
        created_at=AT,
        trigger_key="record-42",
        human_requests=(request,),
    )
    assert _write(engine, record).errors == []
    with engine.connect() as conn:
        job = job_from_row(conn.execute(sa.select(jobs)).one())
        stored = request_from_row(conn.execute(sa.select(human_requests)).one())
    assert job.trigger_key == "record-42"
    assert (stored.expires_at, stored.status) == (expires, HumanRequestStatus.PENDING)


def test_an_estimate_too_large_to_store_leaves_the_cost_unknown(engine: sa.Engine) -> None:
    """2**62 output tokens of gpt-4o ($10/M) cost 4.6e19 micro-USD, beyond BIGINT."""
    huge = _model(1, input_tokens=0, output_tokens=2**62, model="gpt-4o")
    step = _model(2, input_tokens=0, output_tokens=1_000, model="gpt-4o")
    result = _write(engine, RunRecord(external_id="r", status=JobStatus.COMPLETED, created_at=AT,
                                      steps=(huge, step)))  # fmt: skip
    assert (result.errors, result.imported) == ([], 1)
    assert (result.too_large_costs, result.too_large_sums, result.estimated_costs) == (
        {"gpt-4o": 1},
        0,
        1,
    )
    assert [(s.cost_micros, s.cost_estimated) for s in _steps(engine)] == [
        (None, False),
        (10_000, True),
    ]
    assert (_job(engine).cost_micros, _job(engine).cost_estimated) == (None, False)


def test_estimates_adding_up_beyond_what_a_cost_holds_leave_the_job_cost_unknown(
    engine: sa.Engine,
) -> None:
    """Each step 5e17 output tokens x $10/M = 5e18 micro-USD (storable); both 1e19 (not)."""
    steps = tuple(_model(i, input_tokens=0, output_tokens=5 * 10**17, model="gpt-4o")
                  for i in (1, 2))  # fmt: skip
    result = _write(engine, RunRecord(external_id="r", status=JobStatus.COMPLETED, created_at=AT,
                                      steps=steps))  # fmt: skip
    assert (result.errors, result.too_large_costs, result.too_large_sums) == ([], {}, 1)
    assert [s.cost_micros for s in _steps(engine)] == [5 * 10**18, 5 * 10**18]
    assert (_job(engine).cost_micros, _job(engine).cost_estimated) == (None, False)
