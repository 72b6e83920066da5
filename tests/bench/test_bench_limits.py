"""bench/limits.py's helpers (bench/_figures.py) and its plain scripts, against the product.

The plain import (bench/plain_import.py) must write what ``sopwatch import`` writes, and
the plain check (bench/plain_check.py) must give the counts ``sopwatch check`` reports,
or the benchmark's ratios compare different work. Both run here on SQLite and
PostgreSQL; nothing here is timed.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from typer.testing import CliRunner

from sopwatch.cli.main import app
from sopwatch.domain.tools import reads_by_name
from sopwatch.store.engine import make_engine
from sopwatch.store.migrate import upgrade

BENCH = Path(__file__).resolve().parents[2] / "bench"
sys.path.insert(0, str(BENCH))

import _data  # noqa: E402
import _figures  # noqa: E402
import limits  # noqa: E402
import plain_check  # noqa: E402
import plain_import  # noqa: E402

JOBS = 1_500  # over 10 days: ~150 jobs in the window, ~1,050 in the baseline
DAYS = 10


# --- pure helpers ------------------------------------------------------------------------


def test_tenth_rates_steady_and_slowing() -> None:
    steady = [(t / 10, t * 100) for t in range(11)]  # 100 jobs every 0.1 s
    assert _figures.tenth_rates(steady, 1000) == pytest.approx((1000.0, 1000.0))
    # the last tenth at half the speed: 100 jobs in 0.2 s
    slowing = [*steady[:10], (1.1, 1000)]
    first, last = _figures.tenth_rates(slowing, 1000) or (0, 0)
    assert first == pytest.approx(1000.0)
    assert last == pytest.approx(500.0)


def test_tenth_rates_cannot_tell() -> None:
    assert _figures.tenth_rates([(0.0, 0), (1.0, 1000)], 1000) is None  # all in one poll
    assert _figures.tenth_rates([(0.0, 0), (1.0, 100), (2.0, 500)], 1000) is None  # unfinished
    assert _figures.tenth_rates([(0.5, 100), (1.0, 1000)], 1000) is None  # no start seen
    assert _figures.tenth_rates([], 0) is None


def test_tenth_rates_leave_out_start_up() -> None:
    # 0.5 s of start-up without a commit, then 100 jobs every 0.1 s
    samples = [(0.0, 0), (0.25, 0), (0.5, 0), *[(0.5 + t / 10, t * 100) for t in range(1, 11)]]
    assert _figures.tenth_rates(samples, 1000) == pytest.approx((1000.0, 1000.0))


def test_formatting() -> None:
    assert _figures.seconds(0.0654) == "0.065 s"
    assert _figures.seconds(1.234) == "1.23 s"
    assert _figures.seconds(12.34) == "12.3 s"
    assert _figures.seconds(1234.5) == "1,234 s"
    assert _figures.seconds(None) == "—"
    assert _figures.ratio(0.88, 0.065) == "13.5×"
    assert _figures.ratio(1.0, 0) == "—"
    assert _figures.change(1.2, 1.0) == "+20%"
    assert _figures.change(0.9, 1.0) == "-10%"
    assert _figures.percent(0.95, 1.0) == "95%"
    assert _figures.size_label(1_000_000, 300) == "1M jobs / 300 d"
    assert _figures.size_label(10_000, 30) == "10k jobs / 30 d"


def test_render_markdown_and_text() -> None:
    rows = [["SQLite import", "36.5 s", "5.0 s", "7.3×", "≤ 2×"]]
    markdown = _figures.render(rows, markdown=True).splitlines()
    assert markdown[0] == "| work | sopwatch | plain | ratio | target |"
    assert markdown[1] == "|---|---|---|---|---|"
    assert markdown[2] == "| SQLite import | 36.5 s | 5.0 s | 7.3× | ≤ 2× |"
    text = _figures.render(rows, markdown=False).splitlines()
    assert text[0].split() == ["work", "sopwatch", "plain", "ratio", "target"]
    assert text[1].index("36.5 s") == text[0].index("sopwatch")  # columns aligned


def test_cross_rows_compare_equal_windows() -> None:
    cases = [
        limits.Case("sqlite", 100, 30, product_check=[1.0], plain_check=[0.1]),
        limits.Case("sqlite", 1000, 30, product_check=[3.0], plain_check=[0.3]),
        limits.Case("sqlite", 1000, 300, product_check=[1.1], plain_check=[0.1]),
        limits.Case("postgresql", 100, 30, product_check=[1.4], plain_check=[0.2]),
    ]
    rows, notes = limits.cross_rows(cases)
    works = {row[0]: row for row in rows}
    assert works["check, PostgreSQL / SQLite, 100 jobs / 30 d"][3] == "1.4×"
    history = works["SQLite check, 10× the history: 1k jobs / 300 d vs 100 jobs / 30 d"]
    assert history[3] == "+10%"
    assert any("1k jobs / 30 d → 1k jobs / 300 d" in note for note in notes)


def test_plain_read_rule_agrees_with_the_product_on_bench_tools() -> None:
    for tool in _data.TOOLS:
        plain_reads = tool.split("_", 1)[0] in plain_import.READ_VERBS
        assert plain_reads == reads_by_name(tool), tool


def test_quantile_of_a_histogram() -> None:
    assert plain_check.quantile({}, 0.5) is None
    assert plain_check.quantile({5: 1}, 0.95) == 5
    assert plain_check.quantile({1: 1, 2: 1, 3: 1, 4: 1}, 0.5) == pytest.approx(2.5)
    assert plain_check.quantile({1: 2, 10: 2}, 0.5) == pytest.approx(5.5)
    assert plain_check.quantile({1: 19, 100: 1}, 0.95) == pytest.approx(1 + 0.05 * 99)


# --- the plain scripts against the product -----------------------------------------------


def _sopwatch(monkeypatch: pytest.MonkeyPatch, url: str, *args: str) -> tuple[int, Any]:
    monkeypatch.setenv("SOPWATCH_DATABASE_URL", url)
    monkeypatch.setenv("SOPWATCH_TEAM", limits.TEAM)
    result = CliRunner().invoke(app, list(args), catch_exceptions=False)
    return result.exit_code, json.loads(result.stdout)


def _script(name: str, *args: str) -> Any:
    done = subprocess.run(
        [sys.executable, str(BENCH / name), *args], capture_output=True, text=True, check=True
    )
    return json.loads(done.stdout)


JOB_COLUMNS = (
    "status", "source", "imported", "created_at", "input_type", "output", "cost_micros",
    "input_tokens", "output_tokens", "updated_at", "cost_estimated", "tool_calls",
    "model_calls", "failed_steps", "truncated_calls", "loop_rounds", "first_failed_seq",
    "ending_seq", "ending_name", "error_fingerprint", "connections", "facts_version",
)  # fmt: skip
STEP_COLUMNS = (
    "kind", "name", "status", "connection", "arguments", "arguments_bytes", "result",
    "error", "duration_ms", "input_tokens", "output_tokens", "cost_micros", "model",
    "cost_estimated",
)  # fmt: skip


def _stored(conn: sa.Connection, assignment: str) -> dict[str, Any]:
    """What an assignment's import stored, keyed by external id (and seq)."""
    aid = conn.execute(
        sa.text("SELECT id FROM assignments WHERE name = :a"), {"a": assignment}
    ).scalar_one()
    jobs = {
        row[0]: row[1:]
        for row in conn.execute(
            sa.text(
                f"SELECT external_id, loop_calls, {', '.join(JOB_COLUMNS)} FROM jobs "
                "WHERE assignment_id = :a"
            ),
            {"a": aid},
        )
    }
    joined = "FROM jobs j JOIN {t} x ON x.job_id = j.id WHERE j.assignment_id = :a"
    steps = {
        (row[0], row[1]): row[2:]
        for row in conn.execute(
            sa.text(
                f"SELECT j.external_id, x.seq, {', '.join('x.' + c for c in STEP_COLUMNS)} "
                + joined.format(t="steps")
            ),
            {"a": aid},
        )
    }
    requests = sorted(
        tuple(row)
        for row in conn.execute(
            sa.text(
                "SELECT j.external_id, x.gate, x.type, x.status, x.created_at "
                + joined.format(t="human_requests")
            ),
            {"a": aid},
        )
    )
    effects = sorted(
        tuple(row)
        for row in conn.execute(
            sa.text(
                "SELECT j.external_id, x.seq, x.tool, x.digest, x.at "
                + joined.format(t="side_effects")
            ),
            {"a": aid},
        )
    )
    return {"jobs": jobs, "steps": steps, "requests": requests, "effects": effects}


@pytest.fixture
def small_file(tmp_path: Path) -> Path:
    path = tmp_path / "jobs.jsonl"
    _data.generate(path, JOBS, 10, DAYS)
    return path


def test_plain_import_writes_what_sopwatch_import_writes(
    db_url: str, small_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    engine = make_engine(db_url)
    upgrade(engine)
    code, summary = _sopwatch(
        monkeypatch, db_url, "import", str(small_file), "--assignment", "bench", "--json"
    )
    assert code == 0
    wrote = _script("plain_import.py", str(small_file), "--database-url", db_url,
                    "--assignment", "plain")  # fmt: skip
    assert (wrote["jobs"], wrote["steps"]) == (summary["imported"], summary["steps"])
    assert (wrote["jobs"], wrote["steps"]) == (JOBS, JOBS * 10)
    with engine.connect() as conn:
        ours, plain = _stored(conn, "bench"), _stored(conn, "plain")
    engine.dispose()
    assert len(plain["jobs"]) == len(ours["jobs"]) == JOBS
    for key, (loop_calls, *values) in ours["jobs"].items():
        plain_loop, *plain_values = plain["jobs"][key]
        assert plain_values == values, key
        if values[0] != "failed":  # the product's loop rules leave some failed loops out
            assert plain_loop == loop_calls, key
    assert plain["steps"] == ours["steps"]
    assert plain["requests"] == ours["requests"]
    assert len(plain["requests"]) == wrote["requests"] > 0
    assert plain["effects"] == ours["effects"]
    assert len(plain["effects"]) == wrote["side_effects"] > 0
    # idempotent, as the product: a second run finds every id through the unique index
    again = _script("plain_import.py", str(small_file), "--database-url", db_url,
                    "--assignment", "plain")  # fmt: skip
    assert (again["jobs"], again["skipped"]) == (0, JOBS)


def test_plain_check_counts_what_sopwatch_check_reports(
    db_url: str, small_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    engine = make_engine(db_url)
    upgrade(engine)
    engine.dispose()
    _sopwatch(monkeypatch, db_url, "import", str(small_file), "--assignment", "bench", "--json")
    _, report = _sopwatch(
        monkeypatch, db_url, "check", "bench", "--at", limits.AT, "--seed", "7", "--format", "json"
    )
    plain = _script("plain_check.py", "--database-url", db_url, "--at", limits.AT)
    found: dict[str, list[dict[str, Any]]] = {}
    for finding in report["findings"]:
        found.setdefault(finding["kind"], []).append(finding["evidence"])
    window, baseline = plain["window"], plain["baseline"]
    assert window["jobs"] == found["run_volume"][0]["jobs"] > 0
    assert baseline["jobs"] == report["baseline"]["jobs"] > 0
    attention = found["needs_attention"][0]
    assert (window["failed"], window["needs_input"]) == (
        attention["failed"],
        attention["needs_input"],
    )
    assert window["failed"] > 0
    assert baseline["failed"] == attention["baseline_failed"]
    assert window["failed_rate"] == attention["failed_rate"]
    failed_steps = {f["step"]: f["jobs"] for f in plain["failures"]}
    assert failed_steps == attention["failed_steps"]
    sources = found["source_breakdown"][0]
    assert (window["by_source"], baseline["by_source"]) == (sources["window"], sources["baseline"])
    cost = found["cost_spike"][0]
    assert window["jobs_with_cost"] == cost["window_jobs_with_cost"]
    assert baseline["jobs_with_cost"] == cost["baseline_jobs_with_cost"]
    assert window["cost_micros_p50"] == cost["window_median_cost_usd"] * 1_000_000
    assert window["model_calls"] == found["truncated_output"][0]["model_calls"]
    pending, stale = found["inbox_pending"][0], found["inbox_stale"][0]
    requests = plain["requests"]
    assert requests["pending"] == pending["pending"] > 0
    assert window["requests_raised"] == pending["raised_in_window"]
    assert (requests["stale"], requests["oldest_hours"]) == (
        stale["count"],
        stale["oldest_age_hours"],
    )
    loops = sorted(job for e in found["tool_loop"] for job in e["job_ids"])
    assert plain["loops"]["job_ids"] == loops
