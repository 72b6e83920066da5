"""Real agent logs as they come, through the CLI on both databases: a gzip-compressed
invoice-triage JSONL log and the same log on standard input import with no error; an
empty file is a note, not an error; a tau2 file written as text imports."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

from tests.conftest import BUNDLED_DATA
from tests.e2e.conftest import Cli
from tests.ingest.invoice_log import ASSIGNMENT, CANONICAL_VENDOR_ARGUMENTS, invoice_jsonl

GPT_OSS = next((BUNDLED_DATA / "tau2-bench").glob("gpt-oss-120b_*.json"))


def _check_invoices(cli: Cli) -> None:
    """What the 20 stored invoice-triage jobs must look like."""
    jobs = cli("jobs", ASSIGNMENT, "--limit", "100", "--json").json()
    assert len(jobs) == 20
    statuses = sorted(j["status"] for j in jobs)
    assert statuses == ["completed"] * 12 + ["failed"] * 4 + ["needs_input"] * 4
    assert {j["source"] for j in jobs} == {"trigger", "scheduled", "api"}
    assert {j["revision"] for j in jobs} == {2}
    failed = cli("job", "inv-run-003", "-a", ASSIGNMENT, "--json").json()
    assert failed["error"] == '{"error":{"code":"rate_limited","message":"Rate limited"}}'
    assert failed["created_at"].startswith("2026-02-02T17:00:00")  # epoch seconds
    assert failed["finished_at"].startswith("2026-02-02T17:00:04.25")  # lowercase t/z
    assert failed["steps"][2]["status"] == "error"
    first = cli("job", "inv-run-000", "-a", ASSIGNMENT, "--json").json()
    assert json.loads(first["input"])["attachments"][0]["name"] == "INV-4100.pdf"
    assert first["input"].startswith('{"attachments":[{"name":')  # canonical JSON text
    model, lookup, _ = first["steps"]
    assert (model["kind"], model["input_tokens"], model["cost_usd"]) == ("model", 1200, 0.00042)
    arguments = {
        cli("job", name, "-a", ASSIGNMENT, "--json").json()["steps"][1]["arguments"]
        for name in ("inv-run-000", "inv-run-001", "inv-run-002", "1007")
    }
    assert arguments == {CANONICAL_VENDOR_ARGUMENTS}
    assert lookup["result"] == '{"iban_verified":true,"terms_days":30,"vendor":"Acme GmbH"}'


def test_gzip_invoice_log_imports_without_errors(cli: Cli, tmp_path: Path) -> None:
    path = tmp_path / "invoices.jsonl.gz"
    path.write_bytes(gzip.compress(invoice_jsonl().encode()))
    ran = cli("import", str(path), "--json")
    assert ran.code == 0, ran.out + ran.err
    summary = ran.json()
    assert (summary["imported"], summary["errors"], summary["laid_out"]) == (20, [], 0)
    _check_invoices(cli)


def test_invoice_log_on_stdin_imports_without_errors(cli: Cli) -> None:
    ran = cli("import", "-", "--json", input=invoice_jsonl().encode())
    assert ran.code == 0, ran.out + ran.err
    summary = ran.json()
    assert (summary["files"], summary["imported"], summary["errors"]) == (1, 20, [])
    _check_invoices(cli)


def test_bad_lines_on_stdin_name_stdin_and_the_good_ones_load(cli: Cli) -> None:
    lines = invoice_jsonl(3).splitlines()
    bad = json.dumps({"id": "bad", "assignment": ASSIGNMENT, "status": "DONE"})
    text = "\n".join([lines[0], bad, lines[1], '{"id": "cut", "status": "compl'])
    ran = cli("import", "-", "--json", input=text)
    assert ran.code == 1
    assert ran.json()["imported"] == 2
    assert ran.json()["errors"] == [
        "<stdin>: line 2: field 'status': must be one of completed, failed, needs_input, "
        "stopped, running; got 'DONE'",
        "<stdin>: line 4: cut off: the file ends inside this line's JSON (invalid JSON at "
        "column 25: Unterminated string starting at)",
    ]


def test_empty_and_gzip_files_in_a_directory(cli: Cli, tmp_path: Path) -> None:
    folder = tmp_path / "logs"
    folder.mkdir()
    (folder / "empty.jsonl").write_text("")
    (folder / "blank.ndjson").write_text("\n  \n")
    (folder / "runs.ndjson.gz").write_bytes(gzip.compress(invoice_jsonl(4).encode()))
    (folder / "notes.txt").write_text("not a log")
    ran = cli("import", str(folder), "--json")
    assert ran.code == 0, ran.out + ran.err
    assert (ran.json()["files"], ran.json()["imported"], ran.json()["errors"]) == (3, 4, [])


def test_tau2_written_as_text_imports(cli: Cli, tmp_path: Path) -> None:
    doc = json.loads(GPT_OSS.read_text())
    simulations = doc["simulations"][:5]
    for sim in simulations:
        sim["duration"] = str(sim["duration"])
        sim["agent_cost"] = "None"
        sim["reward_info"] = repr(sim["reward_info"])
    path = tmp_path / "as-text.json.gz"
    path.write_bytes(gzip.compress(json.dumps(simulations, indent=1).encode()))
    ran = cli("import", str(path), "-a", "airline", "--json")
    assert ran.code == 0, ran.out + ran.err
    assert (ran.json()["imported"], ran.json()["errors"]) == (5, [])
    jobs = cli("jobs", "airline", "--json").json()
    assert {j["verdict"] for j in jobs} == {"accepted", "rejected"}
