"""The Jobs List and one job through the service."""

from __future__ import annotations

from pathlib import Path

import pytest

from sopwatch.domain.enums import JobStatus
from sopwatch.domain.errors import InvalidInput, NotFound
from sopwatch.service.jobs import MAX_LIMIT, list_jobs, show_job
from sopwatch.service.store import Store
from tests.service.conftest import load, run


def test_filters_and_limit(store: Store, tmp_path: Path) -> None:
    rows = [run(0, status="failed", error="boom"), run(1), run(2, status="needs_input")]
    load(store, tmp_path, "a", rows)
    assert [j.label for j in list_jobs(store, "a")] == ["r2", "r1", "r0"]
    assert {j.label for j in list_jobs(store, "a", needs_attention=True)} == {"r0", "r2"}
    assert [j.label for j in list_jobs(store, "a", statuses=[JobStatus.COMPLETED])] == ["r1"]
    for bad in (0, MAX_LIMIT + 1):
        with pytest.raises(InvalidInput, match="--limit"):
            list_jobs(store, "a", limit=bad)


def test_show_job_ambiguous_and_not_found(store: Store, tmp_path: Path) -> None:
    load(store, tmp_path, "one", [run(1)])
    load(store, tmp_path, "two", [run(1), run(2)])
    with pytest.raises(InvalidInput) as caught:
        show_job(store, "r1")
    assert caught.value.field == "JOB_ID"
    # the whole id: there is no more of it to give
    assert (
        caught.value.problem
        == "'r1' is the id of jobs in 2 assignments: one, two; give --assignment"
    )
    detail = show_job(store, "r1", assignment="two")
    assert (detail.job.label, detail.assignment, len(detail.steps)) == ("r1", "two", 2)
    with pytest.raises(NotFound, match="job: 'r9' not found"):
        show_job(store, "r9")
    with pytest.raises(NotFound, match="did you mean 'two'"):
        show_job(store, "r1", assignment="tw0")
