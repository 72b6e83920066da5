"""Assignments and revisions in the store, on both databases."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from sopwatch.domain.enums import Stage
from sopwatch.domain.errors import NotFound
from sopwatch.store import assignments as store
from sopwatch.store.teams import ensure_team


def test_assignment_is_created_once_per_team(engine: sa.Engine) -> None:
    with engine.begin() as conn:
        team = ensure_team(conn, "acme")
        other = ensure_team(conn, "globex")
        first = store.ensure_assignment(conn, team.id, "triage")
        again = store.ensure_assignment(conn, team.id, "triage")
        elsewhere = store.ensure_assignment(conn, other.id, "triage")
    assert first.id == again.id != elsewhere.id
    assert first.stage is Stage.TESTING
    with engine.connect() as conn, pytest.raises(NotFound):
        store.get_assignment(conn, team.id, "nope")


def test_highest_revision_is_live(engine: sa.Engine) -> None:
    with engine.begin() as conn:
        team = ensure_team(conn, "acme")
        a = store.ensure_assignment(conn, team.id, "triage")
        store.ensure_revision(conn, a.id, 2, "gpt-oss")
        store.ensure_revision(conn, a.id, 1, "gpt-4o")
        store.ensure_revision(conn, a.id, 2)
        revisions = store.list_revisions(conn, a.id)
    assert [(r.number, r.live, r.model) for r in revisions] == [
        (1, False, "gpt-4o"),
        (2, True, "gpt-oss"),
    ]
