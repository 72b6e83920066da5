"""The daily check's reports on the demo, TRAIL and every scenario equal their committed
snapshots, on SQLite and on PostgreSQL (one snapshot for both): a change to how the check
reads or computes that alters any finding, title, evidence value, named job or text line
fails here. ``python -m tests.golden.regenerate`` rewrites the snapshots when a change of
findings is meant (tests/golden/cases.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.golden.cases import GoldenCase, golden_cases, read_snapshot
from tests.golden.regenerate import stores

CASES = golden_cases()


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_report_equals_its_snapshot(case: GoldenCase, db_url: str, tmp_path: Path) -> None:
    expected = read_snapshot(case)
    found = case.run(stores(db_url), tmp_path)
    assert sorted(found) == sorted(expected)
    for label, want in expected.items():
        assert found[label]["text"] == want["text"], label
        assert found[label]["report"] == want["report"], label


def test_every_case_has_a_snapshot_and_every_snapshot_a_case() -> None:
    names = {case.name for case in CASES}
    files = {path.stem for path in (Path(__file__).parent / "snapshots").glob("*.json")}
    assert names == files
    assert {"demo", "trail"} <= names and len(names) > 2
