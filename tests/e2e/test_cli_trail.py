"""TRAIL GAIA (OpenInference span trees, bundled gzip-compressed in data/trail) as one
assignment: the PageDownTool cluster."""

from __future__ import annotations

import pytest

from tests.conftest import BUNDLED_DATA
from tests.e2e.conftest import Cli

TRAIL = BUNDLED_DATA / "trail"
GAIA = TRAIL / "GAIA"
pytestmark = pytest.mark.trail


def test_pagedown_type_errors_are_one_cluster(cli: Cli) -> None:
    assert len(list(GAIA.glob("*.json.gz"))) == 113
    summary = cli("import", str(GAIA), "--assignment", "gaia", "--json").json()
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


def test_trailing_comma_annotation_is_a_clear_error(cli: Cli) -> None:
    bad = TRAIL / "annotations_gaia" / "a96c6811716c0473b86a23321db79c34.json.gz"
    trace = GAIA / "0035f455b3ff2295167a844f04d85d34.json.gz"
    ran = cli("import", str(bad), str(trace), "--assignment", "gaia", "--json")
    assert ran.code == 1
    summary = ran.json()
    assert summary["imported"] == 1
    assert len(summary["errors"]) == 1
    assert summary["errors"][0] == (
        f"{bad}: not JSON or JSONL (invalid JSON at line 39 column 5: Expecting value); "
        "cannot detect its format"
    )
