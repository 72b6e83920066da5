"""TRAIL GAIA (OpenInference span trees) as one assignment: the PageDownTool cluster."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import SHARED_DATA
from tests.e2e.conftest import Cli

TRAIL = SHARED_DATA / "trail"
pytestmark = pytest.mark.trail


@pytest.fixture
def gaia() -> Path:
    if not (TRAIL / "GAIA").is_dir():
        pytest.skip(f"TRAIL GAIA set not found at {TRAIL / 'GAIA'} (it lives in ../shared/data)")
    return TRAIL / "GAIA"


def test_pagedown_type_errors_are_one_cluster(cli: Cli, gaia: Path) -> None:
    summary = cli("import", str(gaia), "--assignment", "gaia", "--json").json()
    assert (summary["imported"], summary["errors"]) == (113, [])
    ran = cli("check", "gaia", "--window", "30d", "--format", "json")
    assert ran.code == 1
    clusters = [
        f for f in ran.json()["findings"]
        if f["kind"] == "failure_cluster" and "PageDownTool" in f["title"]
    ]  # fmt: skip
    assert len(clusters) == 1
    evidence = clusters[0]["evidence"]
    assert evidence["tool"] == "PageDownTool"
    assert (evidence["step_count"], evidence["job_count"]) == (84, 18)
    assert len(evidence["job_ids"]) == 18
    assert clusters[0]["severity"] == "act"
    assert "TypeError" in evidence["fingerprint"]


def test_trailing_comma_annotation_is_a_clear_error(cli: Cli, gaia: Path) -> None:
    bad = TRAIL / "annotations_gaia" / "a96c6811716c0473b86a23321db79c34.json"
    trace = gaia / "0035f455b3ff2295167a844f04d85d34.json"
    ran = cli("import", str(bad), str(trace), "--assignment", "gaia", "--json")
    assert ran.code == 1
    summary = ran.json()
    assert summary["imported"] == 1
    assert len(summary["errors"]) == 1
    assert "a96c6811716c0473b86a23321db79c34.json" in summary["errors"][0]
    assert "line" in summary["errors"][0]
