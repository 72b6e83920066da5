"""The import summary renders every count of ``ImportResult``, as text and as JSON."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sopwatch.cli.imports import MAX_SHOWN, exit_status, summary_dict, summary_lines
from sopwatch.ingest.records import RecordError
from sopwatch.service.runs import ImportResult, ImportSummary
from tests.conftest import BUNDLED_DATA
from tests.e2e.conftest import Cli

GPT_OSS = next((BUNDLED_DATA / "tau2-bench").glob("gpt-oss-120b_*.json"))
TAU = BUNDLED_DATA / "tau-bench" / "gpt-4o-airline.json"
KEYS = {
    "files", "read", "imported", "updated", "unchanged", "refused", "file_errors", "steps",
    "laid_out", "corrected",
    "estimated_costs", "unknown_models", "too_large_costs", "too_large_sums", "notes",
    "errors", "seconds",
}  # fmt: skip
FIRST = re.compile(
    r"Read (?P<read>[\d,]+ records?) from 1 file in \d+\.\d s: (?P<counts>.*)$", re.MULTILINE
)


def test_json_keys_and_counts(cli: Cli) -> None:
    first = cli("import", str(GPT_OSS), "-a", "oss", "--json").json()
    assert set(first) == KEYS
    assert (first["read"], first["imported"], first["unchanged"], first["steps"]) == (
        25,
        25,
        0,
        790,
    )
    assert (first["unknown_models"], first["notes"], first["errors"]) == ({}, [], [])
    again = cli("import", str(GPT_OSS), "-a", "oss", "--json").json()
    assert (again["imported"], again["updated"], again["unchanged"]) == (0, 0, 25)


def test_text_counts_new_updated_unchanged(cli: Cli) -> None:
    ran = cli("import", str(TAU), "-a", "tau", "--end", "2025-11-25T00:00:00Z")
    assert ran.code == 0
    match = FIRST.search(ran.out)
    assert match is not None, ran.out
    assert match["read"] == "200 records"
    assert match["counts"] == "200 new, 0 updated, 0 unchanged, 0 refused (3,618 steps written)."
    assert (
        "200 runs had no timestamps: laid out evenly over 7d ending 2025-11-25 00:00 UTC "
        "(--spread/--end)."
    ) in ran.out
    again = cli("import", str(TAU), "-a", "tau", "--end", "2025-11-25T00:00:00Z")
    assert "0 new, 0 updated, 200 unchanged, 0 refused (0 steps written)." in again.out
    assert "had no timestamps" not in again.out  # unchanged: they keep their stored times
    assert cli("import", str(TAU), "-a", "tau", "--json").json()["laid_out"] == 0


def test_one_error_is_singular_and_exits_1(cli: Cli, tmp_path: Path) -> None:
    path = tmp_path / "runs.jsonl"
    path.write_text('{"id": "a", "created_at": "2026-03-01T10:00:00Z"}\n{"id": "b", "status": 7}\n')
    ran = cli("import", str(path), "-a", "one")
    assert ran.code == 1
    assert "1 new, 0 updated, 0 unchanged, 1 refused (0 steps written)." in ran.out
    assert f"  error: {path}: line 2: field 'status'" in ran.out


def _summary(**counts: object) -> ImportSummary:
    result = ImportResult(**counts)  # type: ignore[arg-type]
    end = datetime(2026, 3, 1, tzinfo=UTC)
    return ImportSummary(result=result, spread=timedelta(days=7), end=end, seconds=1.25)


def test_every_count_is_rendered() -> None:
    summary = _summary(
        files=2, read=17_782, imported=17_000, updated=1, unchanged=779, steps=250_000,
        corrected=11, estimated_costs=1, unknown_models={"zeta-9": 3, "alpha-1": 1},
        notes=["a.json: no timestamps; laid out"],
        errors=[RecordError(where="b.jsonl: line 9", problem="bad"),
                RecordError(where="a.jsonl: line 2", problem="worse")],
    )  # fmt: skip
    lines = summary_lines(summary)
    assert lines[0] == (
        "Read 17,782 records from 2 files in 1.2 s: 17,000 new, 1 updated, 779 unchanged, "
        "2 refused (250,000 steps written)."
    )
    assert (
        "11 runs said completed but still had a pending human request: stored as needs_input."
        in lines
    )
    assert "1 model step: cost estimated from tokens (genai-prices)." in lines
    assert (
        "Cost unknown, model not priced by genai-prices: alpha-1 (1 step) and zeta-9 (3 steps)."
    ) in lines
    assert lines[-3:] == [
        "  note: a.json: no timestamps; laid out",
        "  error: b.jsonl: line 9: bad",  # in the order given, not sorted
        "  error: a.jsonl: line 2: worse",
    ]
    data = summary_dict(summary)
    assert set(data) == KEYS
    assert data["unknown_models"] == {"zeta-9": 3, "alpha-1": 1}
    assert data["errors"] == ["b.jsonl: line 9: bad", "a.jsonl: line 2: worse"]
    assert (data["corrected"], data["estimated_costs"], data["seconds"]) == (11, 1, 1.25)


def test_notes_are_not_errors_and_long_lists_are_capped() -> None:
    notes = [f"f{i}.json: note" for i in range(MAX_SHOWN + 2)]
    summary = _summary(files=1, notes=notes)
    assert exit_status(summary) == 0
    assert exit_status(_summary(errors=[RecordError(where="x", problem="y")])) == 1
    lines = summary_lines(summary)
    assert lines[0].endswith(", 0 refused (0 steps written).")
    assert lines[-1] == "  … and 2 more notes (use --json)"
    assert sum(line.startswith("  note: ") for line in lines) == MAX_SHOWN


def test_a_cost_too_large_to_store_is_said_once_alike_on_both_databases(
    cli: Cli, tmp_path: Path
) -> None:
    def run(name: str, *outputs: int) -> str:
        model = {"kind": "model", "name": "m", "model": "gpt-4o", "input_tokens": 0}
        steps = [{**model, "output_tokens": n} for n in outputs]
        return json.dumps({"id": name, "created_at": "2026-03-01T10:00:00Z", "steps": steps})

    path = tmp_path / "runs.jsonl"
    huge, half = 2**62, 5 * 10**17  # x $10/M: 4.6e19 micro-USD; 5e18 (two of them: 1e19)
    path.write_text("\n".join([run("a", huge), run("b", huge), run("c", half, half)]) + "\n")
    ran = cli("import", str(path), "-a", "big")
    assert ran.code == 0, ran.out
    assert (
        "Cost unknown, estimate too large to store (over 9.2 trillion USD): gpt-4o (2 steps)."
        in ran.out
    )
    assert (
        "Cost unknown for 1 job: its steps' costs add up to a sum too large to store "
        "(over 9.2 trillion USD)."
    ) in ran.out
    data = cli("import", str(path), "-a", "again", "--json").json()
    assert (data["too_large_costs"], data["too_large_sums"], data["errors"]) == (
        {"gpt-4o": 2},
        1,
        [],
    )


def test_the_counts_add_up(cli: Cli, tmp_path: Path) -> None:
    """Every record found is new, updated, unchanged or refused; a file that cannot be read
    at all is an error about a whole file, counted apart."""
    good = [{"id": f"ok{i}", "created_at": "2026-03-01T10:00:00Z"} for i in range(13)]
    bad: list[object] = [{"id": f"bad{i}", "status": "nope"} for i in range(5)]
    bad += [[1], {"id": "ok0", "created_at": "2026-03-01T10:00:00Z"}, {"status": "completed"}]
    lines = [json.dumps(row) for row in good + bad] + ["not json"] * 3
    path = tmp_path / "runs.jsonl"
    path.write_text("\n".join(lines) + "\n")
    broken = tmp_path / "broken.json"
    broken.write_text('{"simulations": 3}')
    ran = cli("import", str(path), str(broken), "-a", "sums")
    assert ran.code == 1
    assert re.sub(r"in [\d.]+ s", "in … s", ran.out.splitlines()[0]) == (
        "Read 24 records from 2 files in … s: 13 new, 0 updated, 0 unchanged, 11 refused "
        "(0 steps written); 1 error about a whole file."
    )
    data = cli("import", str(path), "-a", "sums", "--json").json()
    assert (data["read"], data["unchanged"], data["refused"], data["file_errors"]) == (
        24,
        13,
        11,
        0,
    )
