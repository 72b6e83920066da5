"""Facts written with every job, on both databases: equal to what the rules derive from
the stored steps, kept current on re-import, and derived again by rebuild-facts."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from tests.conftest import BUNDLED_DATA

from sopwatch.domain.facts import FACTS_VERSION, JobFacts, derive_facts, side_effects
from sopwatch.ingest.importer import ImportOptions, import_paths
from sopwatch.service.facts import rebuild_facts
from sopwatch.service.store import open_store
from sopwatch.settings import Settings
from sopwatch.store.facts import side_effects as side_effects_table
from sopwatch.store.jobs import jobs, jobs_by_id, steps_of
from sopwatch.store.teams import ensure_team

AT = "2026-03-01T10:00:00Z"
GPT_OSS = next((BUNDLED_DATA / "tau2-bench").glob("gpt-oss-120b_*.json"))


def _options(engine: sa.Engine, team: str = "t") -> ImportOptions:
    with engine.begin() as conn:
        team_id = ensure_team(conn, team).id
    return ImportOptions(
        team_id=team_id,
        assignment="a",
        fmt=None,
        spread=timedelta(days=7),
        end=datetime(2026, 3, 2, tzinfo=UTC),
    )


def _stored_facts(engine: sa.Engine) -> dict[int, dict[str, Any]]:
    """job id → its stored fact columns (facts_version included)."""
    names = list(JobFacts().columns())
    with engine.connect() as conn:
        rows = conn.execute(sa.select(jobs.c.id, *[jobs.c[n] for n in names])).all()
    return {row[0]: dict(zip(names, row[1:], strict=True)) for row in rows}


def _rederived(engine: sa.Engine) -> tuple[dict[int, dict[str, Any]], set[tuple[Any, ...]]]:
    """job id → facts derived now from the stored job and steps; and the side effects."""
    with engine.connect() as conn:
        ids = list(conn.execute(sa.select(jobs.c.id)).scalars())
        found, stored = jobs_by_id(conn, ids), steps_of(conn, ids)
    facts = {i: derive_facts(found[i], stored[i]).columns() for i in ids}
    effects = {
        (i, e.seq, e.tool, e.digest, e.at) for i in ids for e in side_effects(found[i], stored[i])
    }
    return facts, effects


def _stored_effects(engine: sa.Engine) -> set[tuple[Any, ...]]:
    t = side_effects_table
    with engine.connect() as conn:
        rows = conn.execute(sa.select(t.c.job_id, t.c.seq, t.c.tool, t.c.digest, t.c.at)).all()
    return {tuple(row) for row in rows}


def test_imported_facts_equal_the_rules_applied_to_the_stored_steps(engine: sa.Engine) -> None:
    result = import_paths(engine, [GPT_OSS], _options(engine))
    assert (result.imported, result.errors) == (25, [])
    facts, effects = _rederived(engine)
    assert _stored_facts(engine) == facts
    assert _stored_effects(engine) == effects
    assert max(f["loop_calls"] for f in facts.values()) == 100  # the bundled loop
    assert effects  # the runs write (book, update, transfer)


def _write(path: Path, runs: list[dict[str, Any]]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in runs))
    return path


def _run(steps: list[dict[str, Any]], status: str = "completed") -> dict[str, Any]:
    return {"id": "r1", "status": status, "created_at": AT, "steps": steps}


def test_reimport_replaces_facts_and_side_effects(engine: sa.Engine, tmp_path: Path) -> None:
    send = {"kind": "tool", "name": "send_report", "arguments": {"to": "ops"}, "result": "ok"}
    path = _write(tmp_path / "r.jsonl", [_run([send], status="running")])
    import_paths(engine, [path], _options(engine))
    assert len(_stored_effects(engine)) == 1
    failing = {"kind": "tool", "name": "crm", "error": "HTTP 401 Unauthorized"}
    _write(path, [_run([send, send, failing], status="failed")])
    assert import_paths(engine, [path], _options(engine)).updated == 1
    (stored,) = _stored_facts(engine).values()
    assert (stored["tool_calls"], stored["failed_steps"], stored["loop_calls"]) == (3, 1, 2)
    assert (stored["error_class"], stored["ending_name"]) == ("auth", "crm")
    assert len(_stored_effects(engine)) == 2
    facts, effects = _rederived(engine)
    assert _stored_facts(engine) == facts and _stored_effects(engine) == effects


def test_rebuild_derives_missing_facts_and_leaves_current_ones(
    engine: sa.Engine, db_url: str
) -> None:
    import_paths(engine, [GPT_OSS], _options(engine, team="t"))
    expected, effects = _stored_facts(engine), _stored_effects(engine)
    with engine.begin() as conn:
        conn.execute(jobs.update().where(jobs.c.id % 2 == 0).values(facts_version=None))
        conn.execute(side_effects_table.delete())
    store = open_store(Settings(database_url=db_url, team="t"))
    done = rebuild_facts(store)
    assert done.jobs == len([i for i in expected if i % 2 == 0]) and done.version == FACTS_VERSION
    assert rebuild_facts(store).jobs == 0  # nothing left to derive
    assert rebuild_facts(store, everything=True).jobs == len(expected)
    assert _stored_facts(engine) == expected
    assert _stored_effects(engine) == effects
    store.engine.dispose()
