"""The content hash: what counts as the same run on a re-import, and what does not."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta

import pytest

from sopwatch.domain.enums import HumanRequestStatus, HumanRequestType, JobStatus, StepKind
from sopwatch.ingest.content import _Spec, content_hash
from sopwatch.ingest.records import HumanRequestRecord, RunRecord, StepRecord

AT = datetime(2026, 3, 1, 10, tzinfo=UTC)
RUN = RunRecord(
    external_id="r1",
    status=JobStatus.NEEDS_INPUT,
    where="runs.jsonl: line 1",
    created_at=AT,
    steps=(
        StepRecord(seq=1, kind=StepKind.MODEL, name="gpt-4o", input_tokens=10, output_tokens=2),
        StepRecord(seq=2, kind=StepKind.TOOL, name="refund", arguments='{"amount":600}'),
    ),
    human_requests=(HumanRequestRecord(type=HumanRequestType.APPROVAL, gate="refund", step_seq=2),),
)


def test_a_golden_hash_so_the_serialisation_cannot_drift_unnoticed() -> None:
    """Changing the serialisation re-writes every stored run on its next import: do it
    on purpose (and say so in docs/importing.md), never by accident."""
    assert content_hash(RUN, "a") == (
        "3b26547034723fbecf83f55b28ff4081e88740f7a1e61f41c78210a3b0c78f85"
    )


def test_where_a_run_sits_is_not_content() -> None:
    moved = replace(RUN, where="other.jsonl: line 9")
    assert content_hash(moved, "a") == content_hash(RUN, "a")


def test_a_laid_out_time_is_not_content_but_a_logged_one_is() -> None:
    later = AT + timedelta(days=3)
    laid = replace(RUN, laid_out=True)
    assert content_hash(replace(laid, created_at=later), "a") == content_hash(laid, "a")
    assert content_hash(replace(RUN, created_at=later), "a") != content_hash(RUN, "a")


@pytest.mark.parametrize(
    "changed",
    [
        replace(RUN, status=JobStatus.COMPLETED),
        replace(RUN, revision=2),
        replace(RUN, output="done"),
        replace(RUN, steps=(RUN.steps[0], replace(RUN.steps[1], result="ok"))),
        replace(RUN, steps=RUN.steps[:1]),
        replace(
            RUN,
            human_requests=(
                replace(RUN.human_requests[0], status=HumanRequestStatus.APPROVED, answered_at=AT),
            ),
        ),
        replace(RUN, human_requests=()),
    ],
)
def test_any_change_of_content_changes_the_hash(changed: RunRecord) -> None:
    assert content_hash(changed, "a") != content_hash(RUN, "a")


def test_the_assignment_stored_under_is_part_of_it() -> None:
    assert content_hash(RUN, "a") != content_hash(RUN, "b")


def test_a_field_appended_later_at_its_default_keeps_old_hashes() -> None:
    """Records gain fields over time; runs that leave a new field unset hash as before."""

    @dataclass(frozen=True)
    class Before:
        a: int
        b: str | None = None

    @dataclass(frozen=True)
    class After:
        a: int
        b: str | None = None
        c: bool = False
        d: int | None = None

    assert _Spec(After).values(After(1)) == _Spec(Before).values(Before(1)) == (1,)
    assert _Spec(After).values(After(1, "x", True)) == (1, "x", True)
    assert _Spec(After).values(After(1, None, False, 4)) == (1, None, False, 4)


def test_values_the_limits_refuse_still_hash() -> None:
    """The writer hashes before the database sees a row; a value orjson cannot write (the
    limits refuse it, but a check can be missed) must not crash the import."""
    huge = replace(RUN, steps=(replace(RUN.steps[0], input_tokens=2**70),))
    lone = replace(RUN, output="\ud800")
    assert content_hash(huge, "a") != content_hash(RUN, "a")
    assert content_hash(lone, "a") == content_hash(lone, "a") != content_hash(RUN, "a")
