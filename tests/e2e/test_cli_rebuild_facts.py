"""``sopwatch db rebuild-facts`` on both databases."""

from __future__ import annotations

from sopwatch.domain.facts import FACTS_VERSION
from tests.conftest import BUNDLED_DATA
from tests.e2e.conftest import Cli

GPT_OSS = next((BUNDLED_DATA / "tau2-bench").glob("gpt-oss-120b_*.json"))


def test_rebuild_facts_command(cli: Cli) -> None:
    assert cli("import", str(GPT_OSS), "-a", "air").code == 0
    ran = cli("db", "rebuild-facts", "--assignment", "air", "--all")
    assert (ran.code, ran.out.strip()) == (
        0,
        f"Derived the facts of 25 jobs (rules version {FACTS_VERSION}).",
    )
    unknown = cli("db", "rebuild-facts", "--assignment", "nope")
    assert unknown.code == 2 and unknown.err.startswith("error: assignment: 'nope' not found")
