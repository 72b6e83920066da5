"""The bounds every imported record is checked against before it is stored (pure, no DB)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sopwatch.domain.enums import (
    CaseStatus,
    HumanRequestType,
    JobStatus,
    StepKind,
)
from sopwatch.ingest import limits
from sopwatch.ingest.records import (
    CaseRecord,
    HumanRequestRecord,
    RecordError,
    RunRecord,
    StepRecord,
)
from sopwatch.store.assignments import assignments
from sopwatch.store.cases import cases, queues
from sopwatch.store.jobs import human_requests, jobs, steps

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
AT = datetime(2026, 5, 1, 8, 0, tzinfo=UTC)
WHERE = "runs.jsonl: line 7"


def _step(seq: int = 1, **extra: object) -> StepRecord:
    fields: dict[str, object] = {"seq": seq, "kind": StepKind.MODEL, "name": "gpt-4o"}
    fields.update(extra)
    return StepRecord(**fields)  # type: ignore[arg-type]


def _run(**extra: object) -> RunRecord:
    fields: dict[str, object] = {
        "external_id": "r1",
        "status": JobStatus.COMPLETED,
        "where": WHERE,
        "created_at": AT,
        "steps": (_step(1), _step(2)),
    }
    fields.update(extra)
    return RunRecord(**fields)  # type: ignore[arg-type]


def _problem(record: RunRecord) -> str:
    error = limits.problems(record, NOW)
    assert isinstance(error, RecordError), record
    assert error.where == WHERE
    return error.problem


def test_a_full_good_record_passes() -> None:
    request = HumanRequestRecord(
        type=HumanRequestType.APPROVAL, gate="g", created_at=AT, answered_at=AT, step_seq=2
    )
    case = CaseRecord(id="C-1", queue="q", status=CaseStatus.PENDING, title="t")
    record = _run(
        started_at=AT,
        finished_at=AT + timedelta(seconds=3),
        duration_ms=3000,
        input="ünïcode ✓ 😀",
        cost_micros=10,
        model="m" * 200,
        case=case,
        human_requests=(request,),
        steps=(_step(1, cost_micros=5, input_tokens=3, started_at=AT), _step(2, arguments="{}")),
    )
    assert limits.problems(record, NOW) is None


@pytest.mark.parametrize(
    ("record", "problem"),
    [
        (
            _run(duration_ms=limits.BIGINT_MAX + 1),
            "field 'duration_ms': 9,223,372,036,854,775,808 is more than the maximum "
            "9,223,372,036,854,775,807",
        ),
        (_run(duration_ms=-1), "field 'duration_ms': must not be negative; got -1"),
        (_run(cost_micros=-5), "field 'cost_usd': must not be negative; got -0.000005 USD"),
        (
            _run(cost_micros=limits.BIGINT_MAX + 1),
            "field 'cost_usd': 9,223,372,036,854.775808 USD is more than the maximum "
            "9,223,372,036,854.775807 USD",
        ),
        (_run(revision=2**31), "field 'revision': 2,147,483,648 is more than the maximum"),
        (_run(steps=(_step(2**31),)), "field 'steps[0].seq': 2,147,483,648 is more than"),
        (_run(steps=(_step(0),)), "field 'steps[0].seq': must be at least 1; got 0"),
        (_run(steps=(_step(1), _step(2, input_tokens=-3))), "field 'steps[1].input_tokens': must"),
        (
            _run(steps=(_step(1, output_tokens=2**62), _step(2, output_tokens=2**62))),
            "field 'steps[].output_tokens': the steps' sum 9,223,372,036,854,775,808 is more",
        ),
        (
            _run(steps=(_step(1, cost_micros=2**62), _step(2, cost_micros=2**62))),
            "field 'steps[].cost_usd': the steps' sum 9,223,372,036,854.775808 USD is more",
        ),
        (
            _run(steps=(_step(1, cost_micros=9 * 10**18), _step(2, cost_micros=9 * 10**18))),
            "field 'steps[].cost_usd': the steps' sum 18,000,000,000,000 USD is more than the "
            "maximum 9,223,372,036,854.775807 USD",
        ),
        (
            _run(human_requests=(HumanRequestRecord(type=HumanRequestType.QUESTION, step_seq=-1),)),
            "field 'human_requests[0].step': must be at least 1; got -1",
        ),
    ],
)
def test_numbers_out_of_the_columns_range(record: RunRecord, problem: str) -> None:
    assert _problem(record).startswith(problem)


def test_the_largest_numbers_pass() -> None:
    big = limits.BIGINT_MAX
    step = _step(limits.INT_MAX, duration_ms=big, input_tokens=big, cost_micros=big)
    record = _run(duration_ms=big, cost_micros=big, revision=limits.INT_MAX, steps=(step,))
    assert limits.problems(record, NOW) is None


@pytest.mark.parametrize(
    ("record", "problem"),
    [
        (_run(external_id="x" * 201), "field 'id': 201 characters; at most 200 fit"),
        (_run(external_id=" \t "), "field 'id': must not be blank"),
        (_run(input_type="t" * 101), "field 'input_type': 101 characters; at most 100 fit"),
        (_run(failure_kind="k" * 101), "field 'failure_kind': 101 characters; at most 100"),
        (_run(model="m" * 201), "field 'model': 201 characters; at most 200 fit"),
        (_run(steps=(_step(1), _step(2, name="n" * 201))), "field 'steps[1].name': 201 char"),
        (_run(steps=(_step(1, connection="c" * 201),)), "field 'steps[0].connection': 201"),
        (_run(steps=(_step(1, model="m" * 201),)), "field 'steps[0].model': 201 characters"),
        (
            _run(
                human_requests=(HumanRequestRecord(type=HumanRequestType.QUESTION, gate="g" * 201),)
            ),
            "field 'human_requests[0].gate': 201 characters; at most 200 fit",
        ),
        (
            _run(case=CaseRecord(id="c" * 201, queue="q", status=CaseStatus.PENDING)),
            "field 'case.id': 201 characters; at most 200 fit",
        ),
        (
            _run(case=CaseRecord(id="  ", queue="q", status=CaseStatus.PENDING)),
            "field 'case.id': must not be blank",
        ),
        (
            _run(case=CaseRecord(id="c", queue="q" * 101, status=CaseStatus.PENDING)),
            "field 'case.queue': 101 characters; at most 100 fit",
        ),
        (
            _run(case=CaseRecord(id="c", queue="q", status=CaseStatus.PENDING, title="t" * 501)),
            "field 'case.title': 501 characters; at most 500 fit",
        ),
        (
            _run(input="abc\x00"),
            "field 'input': a NUL character (\\u0000) at position 3, which PostgreSQL cannot store",
        ),
        (
            _run(output="ok \ud800"),
            "field 'output': a lone surrogate \\ud800 at position 3, which is not valid Unicode",
        ),
        (_run(error="\udfff"), "field 'error': a lone surrogate \\udfff at position 0"),
        (_run(external_id="a\x00"), "field 'id': a NUL character"),
        (_run(steps=(_step(1, arguments="\ud83d"),)), "field 'steps[0].arguments': a lone"),
        (_run(steps=(_step(1), _step(2, result="\x00"))), "field 'steps[1].result': a NUL"),
        (_run(steps=(_step(1, error="\x00"),)), "field 'steps[0].error': a NUL"),
        (
            _run(
                human_requests=(
                    HumanRequestRecord(type=HumanRequestType.QUESTION, question="\x00"),
                )
            ),
            "field 'human_requests[0].question': a NUL",
        ),
        (
            _run(
                human_requests=(
                    HumanRequestRecord(type=HumanRequestType.QUESTION, response="ok\x00"),
                )
            ),
            "field 'human_requests[0].response': a NUL",
        ),
        (_run(trigger_key="k" * 201), "field 'trigger_key': 201 characters; at most 200 fit"),
        (
            _run(
                human_requests=(
                    HumanRequestRecord(
                        type=HumanRequestType.QUESTION,
                        created_at=datetime(2026, 1, 2, tzinfo=UTC),
                        expires_at=datetime(2026, 1, 1, tzinfo=UTC),
                    ),
                )
            ),
            "field 'human_requests[0].expires_at': 2026-01-01T00:00:00Z is before created_at",
        ),
    ],
)
def test_text_the_databases_cannot_hold_alike(record: RunRecord, problem: str) -> None:
    assert _problem(record).startswith(problem)


def test_the_longest_texts_pass() -> None:
    case = CaseRecord(id="c" * 200, queue="q" * 100, status=CaseStatus.PENDING, title="t" * 500)
    record = _run(external_id="x" * 200, input_type="i" * 100, case=case, input="é" * 100_000)
    assert limits.problems(record, NOW) is None


def test_column_lengths_match_the_schema() -> None:
    """The named limits are read from the tables, so they cannot drift apart."""
    assert limits.EXTERNAL_ID_CHARS == jobs.c.external_id.type.length == 200  # type: ignore[attr-defined]
    assert limits.CASE_ID_CHARS == cases.c.external_id.type.length == 200  # type: ignore[attr-defined]
    assert limits.CASE_TITLE_CHARS == cases.c.title.type.length == 500  # type: ignore[attr-defined]
    assert limits.QUEUE_CHARS == queues.c.name.type.length == 100  # type: ignore[attr-defined]
    assert limits.ASSIGNMENT_CHARS == assignments.c.name.type.length == 200  # type: ignore[attr-defined]
    assert limits.STEP_NAME_CHARS == steps.c.name.type.length == 200  # type: ignore[attr-defined]
    assert limits.GATE_CHARS == human_requests.c.gate.type.length == 200  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("record", "problem"),
    [
        (
            _run(started_at=AT, finished_at=AT - timedelta(milliseconds=1)),
            "field 'finished_at': 2026-05-01T07:59:59.999000Z is before started_at "
            "2026-05-01T08:00:00Z",
        ),
        (
            _run(
                human_requests=(
                    HumanRequestRecord(
                        type=HumanRequestType.QUESTION,
                        created_at=AT,
                        answered_at=AT - timedelta(seconds=1),
                    ),
                )
            ),
            "field 'human_requests[0].answered_at': 2026-05-01T07:59:59Z is before created_at "
            "2026-05-01T08:00:00Z",
        ),
        (
            _run(
                human_requests=(
                    HumanRequestRecord(
                        type=HumanRequestType.QUESTION, answered_at=AT - timedelta(seconds=1)
                    ),
                )
            ),
            "field 'human_requests[0].answered_at': 2026-05-01T07:59:59Z is before the run's "
            "created_at 2026-05-01T08:00:00Z",
        ),
        (
            _run(created_at=NOW + timedelta(days=1, seconds=1)),
            "field 'created_at': 2026-06-02T12:00:01Z is more than 1 day after now",
        ),
        (
            _run(created_at=datetime(9999, 12, 31, 23, 59, 59, tzinfo=UTC)),
            "field 'created_at': 9999-12-31T23:59:59Z is more than 1 day after now",
        ),
        (
            _run(started_at=datetime(1, 1, 1, tzinfo=UTC)),
            "field 'started_at': 0001-01-01T00:00:00Z is before 1970-01-01",
        ),
        (
            _run(finished_at=datetime(1969, 12, 31, 23, 59, 59, tzinfo=UTC)),
            "field 'finished_at': 1969-12-31T23:59:59Z is before 1970-01-01",
        ),
        (
            _run(steps=(_step(1, started_at=datetime(3000, 1, 1, tzinfo=UTC)),)),
            "field 'steps[0].started_at': 3000-01-01T00:00:00Z is more than 1 day after now",
        ),
        (
            _run(
                human_requests=(
                    HumanRequestRecord(
                        type=HumanRequestType.QUESTION, created_at=datetime(1900, 1, 1, tzinfo=UTC)
                    ),
                )
            ),
            "field 'human_requests[0].created_at': 1900-01-01T00:00:00Z is before 1970-01-01",
        ),
        (
            _run(
                case=CaseRecord(
                    id="c",
                    queue="q",
                    status=CaseStatus.POSTPONED,
                    postponed_until=datetime(1960, 1, 1, tzinfo=UTC),
                )
            ),
            "field 'case.postponed_until': 1960-01-01T00:00:00Z is before 1970-01-01",
        ),
    ],
)
def test_times_out_of_order_or_range(record: RunRecord, problem: str) -> None:
    assert _problem(record) == problem


def test_time_bounds_are_inclusive_and_postponement_may_be_far_ahead() -> None:
    latest = NOW + limits.FUTURE_SLACK
    case = CaseRecord(
        id="c",
        queue="q",
        status=CaseStatus.POSTPONED,
        postponed_until=datetime(9999, 1, 1, tzinfo=UTC),
    )
    record = _run(created_at=limits.EARLIEST, finished_at=latest, case=case)
    assert limits.problems(record, NOW) is None


def test_a_record_without_location_is_named_by_its_id() -> None:
    error = limits.problems(replace(_run(duration_ms=-1), where=""), NOW)
    assert error is not None and error.where == "run r1"


@pytest.mark.parametrize(
    ("name", "problem"),
    [
        ("ok", None),
        ("a" * 200, None),
        ("a" * 201, "201 characters; at most 200 fit"),
        ("  ", "must not be blank"),
        ("a\x00", "a NUL character (\\u0000) at position 1, which PostgreSQL cannot store"),
    ],
)
def test_assignment_names(name: str, problem: str | None) -> None:
    assert limits.text_problem(name, limits.ASSIGNMENT_CHARS, blank_ok=False) == problem


@pytest.mark.parametrize(
    ("step", "problem"),
    [
        (
            _step(finish_reason="x" * 41),
            "field 'steps[0].finish_reason': 41 characters; at most 40 fit",
        ),
        (
            _step(max_tokens=2**63),
            "field 'steps[0].max_tokens': 9,223,372,036,854,775,808 is more than the maximum "
            "9,223,372,036,854,775,807",
        ),
        (
            _step(cache_write_tokens=2**63),
            "field 'steps[0].cache_write_tokens': 9,223,372,036,854,775,808 is more than the "
            "maximum 9,223,372,036,854,775,807",
        ),
        (
            _step(input_tokens=1000, cache_read_tokens=1001),
            "field 'steps[0].cache_read_tokens': 1,001 is more than the step's input_tokens "
            "1,000, which include it",
        ),
        (
            _step(input_tokens=1000, cache_write_tokens=1200),
            "field 'steps[0].cache_write_tokens': 1,200 is more than the step's input_tokens "
            "1,000, which include it",
        ),
        (
            _step(input_tokens=1000, cache_read_tokens=600, cache_write_tokens=500),
            "field 'steps[0].cache_write_tokens': cache_read_tokens + cache_write_tokens = "
            "1,100 is more than the step's input_tokens 1,000, which include both",
        ),
        (_step(cache_read_tokens=-1), "field 'steps[0].cache_read_tokens': must not be negative"),
    ],
)
def test_model_call_details(step: StepRecord, problem: str) -> None:
    assert _problem(_run(steps=(step,))).startswith(problem)


def test_model_call_details_that_fit_pass() -> None:
    steps_ = (
        _step(1, finish_reason="x" * 40, max_tokens=2**63 - 1),
        _step(2, input_tokens=1000, cache_read_tokens=600, cache_write_tokens=400),
        _step(3, cache_read_tokens=5000),  # input_tokens unknown: nothing to compare with
    )
    assert limits.problems(_run(steps=steps_), NOW) is None
    assert limits.FINISH_REASON_CHARS == steps.c.finish_reason.type.length == 40  # type: ignore[attr-defined]


_TEXT = st.one_of(
    st.none(),
    st.sampled_from(["", "ok", "a\x00b", "x\ud800", "é日本", "\udfff"]),
    st.integers(0, 3).map(lambda k: "y" * (limits.STEP_NAME_CHARS - 1 + k)),
    st.integers(0, 2).map(lambda k: "z" * (limits.FINISH_REASON_CHARS - 1 + k)),
)
_COUNT = st.one_of(
    st.none(), st.sampled_from([-1, 0, 1, 2**31 - 1, 2**31, 2**63 - 1, 2**63, 10**30])
)
_TIME = st.one_of(
    st.none(),
    st.sampled_from(
        [limits.EARLIEST, limits.EARLIEST - timedelta(microseconds=1), NOW, NOW + timedelta(days=2)]
    ),
)


@given(
    seq=st.sampled_from([0, 1, 2**31 - 1, 2**31]),
    name=_TEXT.filter(lambda t: t is not None),
    texts=st.tuples(_TEXT, _TEXT, _TEXT, _TEXT, _TEXT, _TEXT),
    counts=st.tuples(_COUNT, _COUNT, _COUNT, _COUNT, _COUNT, _COUNT, _COUNT),
    started=_TIME,
)
def test_the_fast_step_check_never_passes_a_step_the_rules_refuse(
    seq: int,
    name: str,
    texts: tuple[str | None, ...],
    counts: tuple[int | None, ...],
    started: datetime | None,
) -> None:
    connection, arguments, result, error, model, reason = texts
    step = StepRecord(
        seq=seq, kind=StepKind.MODEL, name=name, connection=connection, arguments=arguments,
        result=result, error=error, model=model, finish_reason=reason, started_at=started,
        duration_ms=counts[0], input_tokens=counts[1], output_tokens=counts[2],
        cost_micros=counts[3], max_tokens=counts[4], cache_read_tokens=counts[5],
        cache_write_tokens=counts[6],
    )  # fmt: skip
    latest = NOW + limits.FUTURE_SLACK
    problem = limits._step_problem(step, latest)
    if limits._step_fits(step, latest):
        assert problem is None
    elif problem is None:  # only cache counts send a good step to the rules
        assert counts[5] is not None or counts[6] is not None


def test_an_ordinary_step_takes_the_fast_check() -> None:
    step = StepRecord(seq=3, kind=StepKind.TOOL, name="lookup", arguments='{"id":1}',
                      result="ok", connection="crm", duration_ms=120, started_at=NOW)  # fmt: skip
    assert limits._step_fits(step, NOW + limits.FUTURE_SLACK)
