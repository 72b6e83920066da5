"""The plain import: what the database and its driver can do with `sopwatch import`'s work.

The limit ``bench/limits.py`` compares ``sopwatch import`` with, run as its own process on
the same file: read the JSONL file bench/_data.py writes, parse each line with orjson
(the product's JSON library), look the batch's external ids up through the (assignment,
external id) unique index (so a second run would skip them, as the product does), and
write the same rows the product writes — ``jobs`` with every column it fills, the derived
facts included; ``steps``; pending ``human_requests``; ``side_effects`` of write calls —
into a database migrated by our migrations (same tables and indexes). Rows go to the
driver as tuples: sqlite3 ``executemany`` (one transaction per batch) or psycopg ``COPY``
(commit every batch); ``--batch`` jobs per batch (default 500, the product's).

"Same values in spirit": the facts are derived with simple rules that give the product's
values on the bench's data (longest repeat of one identical tool call, the last failed
step, the error text as fingerprint; no error class; of the 10,000-job bench file, 5
failed looping jobs get a ``loop_calls`` the product's rules leave at 0), the content
hash is the SHA-256 of the line, a tool whose name starts with a read verb reads. Ids of
jobs: SQLite, counted on from the largest (this script is the only writer); PostgreSQL,
drawn from the sequence per batch as the product does. No SQLAlchemy: plain drivers only.

Prints one JSON line: ``{"jobs", "steps", "requests", "side_effects", "skipped",
"seconds"}`` (seconds: inside the process, after start-up).

    python bench/plain_import.py FILE --database-url URL [--assignment bench]
                                 [--team default] [--batch 500]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import time
from collections import Counter
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, BinaryIO

import orjson

#: The product's default payload limit (``SOPWATCH_PAYLOAD_LIMIT_BYTES``, 16 KiB).
PAYLOAD_LIMIT = 16_384
#: First words of tool names that only read (in spirit of ``domain/tools.py``).
READ_VERBS = frozenset({"get", "search", "lookup", "list", "find", "read", "fetch", "query"})
#: Our migrations' fact rules version (``domain/facts.py`` FACTS_VERSION).
FACTS_VERSION = 1
#: A tool call repeated this many times or more counts as the job's loop (the product's
#: ``loops.same_call`` minimum).
LOOP_MINIMUM = 2

JOB_COLUMNS = (
    "id", "team_id", "assignment_id", "revision_id", "external_id", "status", "source",
    "imported", "created_at", "started_at", "finished_at", "duration_ms", "input",
    "input_bytes", "input_type", "output", "output_bytes", "verdict", "failure_kind", "error",
    "cost_micros", "input_tokens", "output_tokens", "model", "case_id", "updated_at",
    "cost_estimated", "content_hash", "trigger_key", "tool_calls", "model_calls",
    "failed_steps", "truncated_calls", "loop_calls", "loop_rounds", "first_failed_seq",
    "ending_seq", "ending_name", "error_class", "error_fingerprint", "connections",
    "input_digest", "facts_version",
)  # fmt: skip
STEP_COLUMNS = (
    "job_id", "seq", "kind", "name", "status", "connection", "arguments", "arguments_bytes",
    "result", "result_bytes", "error", "started_at", "duration_ms", "input_tokens",
    "output_tokens", "cost_micros", "model",
)  # fmt: skip
REQUEST_COLUMNS = (
    "job_id", "step_seq", "gate", "type", "question", "status", "response", "escalations",
    "created_at", "answered_at", "expires_at",
)  # fmt: skip
EFFECT_COLUMNS = ("assignment_id", "job_id", "seq", "tool", "digest", "at")

Row = tuple[Any, ...]


class Rows:
    """The rows of one batch, as tuples in the column orders above (job ids filled in)."""

    def __init__(self) -> None:
        self.jobs: list[Row] = []
        self.steps: list[Row] = []
        self.requests: list[Row] = []
        self.effects: list[Row] = []


def moment(text: str | None, sqlite: bool) -> Any:
    """A timestamp for the driver: aware UTC datetime (PostgreSQL) or SQLAlchemy's SQLite
    text (naive UTC, ``YYYY-MM-DD HH:MM:SS.ffffff``), from ISO 8601 text; None stays None."""
    if text is None:
        return None
    at = datetime.fromisoformat(text).astimezone(UTC)
    return at.strftime("%Y-%m-%d %H:%M:%S.%f") if sqlite else at


def cut(text: str | None) -> tuple[str | None, int | None]:
    """``(text, None)`` when it fits the payload limit, else (first bytes, full size)."""
    if text is None or len(text) * 4 <= PAYLOAD_LIMIT:
        return text, None
    raw = text.encode()
    if len(raw) <= PAYLOAD_LIMIT:
        return text, None
    return raw[:PAYLOAD_LIMIT].decode(errors="ignore"), len(raw)


def as_text(value: Any) -> str | None:
    """A payload as stored: text as it is, anything else as compact JSON."""
    if value is None or isinstance(value, str):
        return value
    return orjson.dumps(value, option=orjson.OPT_SORT_KEYS).decode()


def alternation_rounds(names: Sequence[str]) -> int:
    """Rounds (pairs) of the longest stretch of ``names`` alternating between two names,
    0 under 2 (the product's ``loop_rounds``, without its polling exception)."""
    best = start = 0
    for j in range(1, len(names)):
        if names[j] == names[j - 1]:
            start = j
        elif j - start >= 2 and names[j] != names[j - 2]:
            start = j - 1
        best = max(best, j - start + 1)
    return best // 2 if best // 2 >= 2 else 0


def micros(usd: float | None) -> int | None:
    """US dollars → integer micro-dollars (None stays None)."""
    return None if usd is None else round(usd * 1_000_000)


def add_job(
    rows: Rows, job_id: int, ids: tuple[int, int], record: dict[str, Any], line: bytes, sqlite: bool
) -> None:
    """Append the rows of one parsed job (``ids``: team id, assignment id)."""
    team_id, assignment_id = ids
    created = moment(record["created_at"], sqlite)
    requests = record.get("human_requests") or ()
    status = record["status"]
    if status == "completed" and any(h.get("status") == "pending" for h in requests):
        status = "needs_input"
    tools = models = failed = 0
    first_failed = ending_seq = ending_name = fingerprint = None
    cost: int | None = None
    priced = True  # every model step has a cost (else the job's is unknown, as the product's)
    tokens_in: int | None = None
    tokens_out: int | None = None
    connections: set[str] = set()
    calls: Counter[tuple[Any, ...]] = Counter()
    tool_names: list[str] = []
    for step in record["steps"]:
        seq, kind, name = step["seq"], step["kind"], step["name"]
        step_status = step.get("status") or "ok"
        arguments, arguments_bytes = cut(as_text(step.get("arguments")))
        result, result_bytes = cut(as_text(step.get("result")))
        error, connection = step.get("error"), step.get("connection")
        step_cost = micros(step.get("cost_usd"))
        if step_cost is not None:
            cost = step_cost if cost is None else cost + step_cost
        if kind == "model":
            models += 1
            priced = priced and step_cost is not None
        elif kind == "tool":
            tools += 1
            calls[(name, arguments, step_status, result, error)] += 1
            tool_names.append(name)
            if step_status == "ok" and name.split("_", 1)[0] not in READ_VERBS:
                digest = hashlib.sha256((arguments or "").encode()).hexdigest()[:12]
                rows.effects.append((assignment_id, job_id, seq, name, digest, created))
        if step_status == "error":
            failed += 1
            first_failed = seq if first_failed is None else first_failed
            ending_seq, ending_name, fingerprint = seq, name, error
        if connection:
            connections.add(connection)
        if step.get("input_tokens") is not None:
            tokens_in = (tokens_in or 0) + step["input_tokens"]
        if step.get("output_tokens") is not None:
            tokens_out = (tokens_out or 0) + step["output_tokens"]
        rows.steps.append((job_id, seq, kind, name, step_status, connection, arguments,
                           arguments_bytes, result, result_bytes, error, None,
                           step.get("duration_ms"), step.get("input_tokens"),
                           step.get("output_tokens"), step_cost, step.get("model")))  # fmt: skip
    loop = max(calls.values(), default=0)
    output, output_bytes = cut(as_text(record.get("output")))
    text_in, input_bytes = cut(as_text(record.get("input")))
    ended = status == "failed"
    rows.jobs.append((
        job_id, team_id, assignment_id, None, record["id"], status, record.get("source") or
        "ingested", True, created, None, None, None, text_in, input_bytes,
        record.get("input_type"), output, output_bytes, None, None, None,
        cost if priced else None, tokens_in, tokens_out, None, None, created, False,
        hashlib.sha256(line).hexdigest(), None, tools, models, failed, 0,
        loop if loop >= LOOP_MINIMUM else 0, alternation_rounds(tool_names), first_failed,
        ending_seq if ended else None, ending_name if ended else None, None,
        fingerprint if ended else None,
        "\n".join(sorted(connections)) or None, None, FACTS_VERSION,
    ))  # fmt: skip
    for h in requests:
        at = moment(h.get("created_at"), sqlite) or created
        rows.requests.append((job_id, h.get("step_seq"), h.get("gate"), h.get("type"),
                              h.get("question"), h.get("status"), h.get("response"), 0, at,
                              moment(h.get("answered_at"), sqlite),
                              moment(h.get("expires_at"), sqlite)))  # fmt: skip


def batches(fh: BinaryIO, size: int) -> Iterator[list[bytes]]:
    """The file's non-blank lines, ``size`` at a time."""
    batch: list[bytes] = []
    for line in fh:
        if line.strip():
            batch.append(line.rstrip(b"\r\n"))
            if len(batch) == size:
                yield batch
                batch = []
    if batch:
        yield batch


class Sqlite:
    """sqlite3, the product's pragmas, ``executemany`` in one transaction per batch."""

    sqlite = True

    def __init__(self, path: str) -> None:
        import sqlite3

        self.conn = sqlite3.connect(path, isolation_level=None)
        for pragma in ("busy_timeout=30000", "journal_mode=WAL", "foreign_keys=ON",
                       "synchronous=NORMAL"):  # fmt: skip
            self.conn.execute(f"PRAGMA {pragma}")
        self.next_id = self.conn.execute("SELECT coalesce(max(id), 0) + 1 FROM jobs").fetchone()[0]

    def ids(self, team: str, assignment: str) -> tuple[int, int]:
        """(team id, assignment id), both created when missing."""
        now = moment(datetime.now(UTC).isoformat(), True)
        c = self.conn
        c.execute("INSERT OR IGNORE INTO teams (name, created_at) VALUES (?, ?)", (team, now))
        team_id = c.execute("SELECT id FROM teams WHERE name = ?", (team,)).fetchone()[0]
        c.execute(
            "INSERT OR IGNORE INTO assignments (team_id, name, stage, created_at, updated_at) "
            "VALUES (?, ?, 'testing', ?, ?)",
            (team_id, assignment, now, now),
        )
        found = c.execute(
            "SELECT id FROM assignments WHERE team_id = ? AND name = ?", (team_id, assignment)
        ).fetchone()
        return team_id, found[0]

    def begin(self) -> None:
        """Open the batch's transaction."""
        self.conn.execute("BEGIN")

    def known(self, assignment_id: int, keys: Sequence[str]) -> set[str]:
        """The external ids among ``keys`` already stored (the unique index)."""
        marks = ",".join("?" * len(keys))
        query = f"SELECT external_id FROM jobs WHERE assignment_id = ? AND external_id IN ({marks})"
        return {row[0] for row in self.conn.execute(query, (assignment_id, *keys))}

    def job_ids(self, n: int) -> list[int]:
        """``n`` new job ids."""
        first, self.next_id = self.next_id, self.next_id + n
        return list(range(first, first + n))

    def insert(self, table: str, columns: Sequence[str], rows: list[Row]) -> None:
        """``executemany`` of one INSERT."""
        if rows:
            marks = ",".join("?" * len(columns))
            self.conn.executemany(
                f"INSERT INTO {table} ({','.join(columns)}) VALUES ({marks})", rows
            )

    def commit(self) -> None:
        """End the batch's transaction."""
        self.conn.execute("COMMIT")


class Postgres:
    """psycopg, ``COPY … FROM STDIN`` per table, a commit per batch."""

    sqlite = False

    def __init__(self, conninfo: str) -> None:
        import psycopg

        self.conn = psycopg.connect(conninfo)

    def ids(self, team: str, assignment: str) -> tuple[int, int]:
        """(team id, assignment id), both created when missing."""
        now = datetime.now(UTC)
        c = self.conn
        c.execute(
            "INSERT INTO teams (name, created_at) VALUES (%s, %s) ON CONFLICT DO NOTHING",
            (team, now),
        )
        row = c.execute("SELECT id FROM teams WHERE name = %s", (team,)).fetchone()
        assert row is not None
        c.execute(
            "INSERT INTO assignments (team_id, name, stage, created_at, updated_at) "
            "VALUES (%s, %s, 'testing', %s, %s) ON CONFLICT DO NOTHING",
            (row[0], assignment, now, now),
        )
        found = c.execute(
            "SELECT id FROM assignments WHERE team_id = %s AND name = %s", (row[0], assignment)
        ).fetchone()
        assert found is not None
        c.commit()
        return row[0], found[0]

    def begin(self) -> None:
        """psycopg opens the transaction itself."""

    def known(self, assignment_id: int, keys: Sequence[str]) -> set[str]:
        """The external ids among ``keys`` already stored: a join on ``unnest`` of one
        array, so the plan goes through the unique index whatever the table's size."""
        query = (
            "SELECT j.external_id FROM unnest(%s::text[]) AS k(external_id) "
            "JOIN jobs j ON j.assignment_id = %s AND j.external_id = k.external_id"
        )
        return {row[0] for row in self.conn.execute(query, (list(keys), assignment_id))}

    def job_ids(self, n: int) -> list[int]:
        """``n`` ids drawn from the jobs' sequence."""
        query = "SELECT nextval(pg_get_serial_sequence('jobs', 'id')) FROM generate_series(1, %s)"
        return [row[0] for row in self.conn.execute(query, (n,))]

    def insert(self, table: str, columns: Sequence[str], rows: list[Row]) -> None:
        """One ``COPY``."""
        if rows:
            with self.conn.cursor() as cursor:
                statement = f"COPY {table} ({','.join(columns)}) FROM STDIN"
                with cursor.copy(statement) as copy:
                    for row in rows:
                        copy.write_row(row)

    def commit(self) -> None:
        """Commit the batch."""
        self.conn.commit()


def connect(url: str) -> Sqlite | Postgres:
    """A writer for a SQLAlchemy-style URL (``sqlite:///path`` or ``postgresql[+psycopg]://``)."""
    if url.startswith("sqlite:///"):
        return Sqlite(url.removeprefix("sqlite:///"))
    scheme, rest = url.split("://", 1)
    if scheme.split("+")[0] not in ("postgresql", "postgres"):
        raise SystemExit(f"unsupported database URL {url!r}")
    return Postgres("postgresql://" + rest)


def run(path: Path, url: str, assignment: str, team: str, size: int) -> dict[str, Any]:
    """Import ``path``; the counts written and the seconds taken."""
    started = time.perf_counter()
    db = connect(url)
    ids = db.ids(team, assignment)
    counts = Counter[str]()
    with path.open("rb") as fh:
        for lines in batches(fh, size):
            records = [orjson.loads(line) for line in lines]
            db.begin()
            known = db.known(ids[1], [r["id"] for r in records])
            fresh = [
                (r, line) for r, line in zip(records, lines, strict=True) if r["id"] not in known
            ]
            rows = Rows()
            for job_id, (record, line) in zip(db.job_ids(len(fresh)), fresh, strict=True):
                add_job(rows, job_id, ids, record, line, db.sqlite)
            db.insert("jobs", JOB_COLUMNS, rows.jobs)
            db.insert("steps", STEP_COLUMNS, rows.steps)
            db.insert("human_requests", REQUEST_COLUMNS, rows.requests)
            db.insert("side_effects", EFFECT_COLUMNS, rows.effects)
            db.commit()
            counts.update(jobs=len(rows.jobs), steps=len(rows.steps), skipped=len(known),
                          requests=len(rows.requests), side_effects=len(rows.effects))  # fmt: skip
    db.conn.close()
    return {
        **{key: counts[key] for key in ("jobs", "steps", "requests", "side_effects", "skipped")},
        "seconds": round(time.perf_counter() - started, 3),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("file", type=Path)
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--assignment", default="bench")
    parser.add_argument("--team", default="default")
    parser.add_argument("--batch", type=int, default=500, help="jobs per transaction")
    opts = parser.parse_args()
    print(json.dumps(run(opts.file, opts.database_url, opts.assignment, opts.team, opts.batch)))


if __name__ == "__main__":
    main()
