"""Shared fixtures: a migrated database on real SQLite and on real PostgreSQL.

PostgreSQL tests use a fresh database per test session on the server at
``SOPWATCH_TEST_POSTGRES_URL`` (default ``postgresql+psycopg://postgres@127.0.0.1:5432/postgres``).
Without a server they skip with the reason, unless ``SOPWATCH_REQUIRE_POSTGRES=1`` (set by
``.ci/run``), which makes them fail instead.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from hypothesis import settings

from sopwatch.store.engine import make_engine
from sopwatch.store.migrate import upgrade
from sopwatch.store.schema import metadata

# Property tests check behaviour, not speed: no per-example deadline, so a pause on a loaded
# 2-core CI machine cannot fail them (speed targets live in bench/).
settings.register_profile("sopwatch", deadline=None)
settings.load_profile("sopwatch")

ROOT = Path(__file__).resolve().parents[1]
BUNDLED_DATA = ROOT / "data"
PG_ADMIN_URL = os.environ.get(
    "SOPWATCH_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)


def _postgres_unavailable(reason: str) -> None:
    if os.environ.get("SOPWATCH_REQUIRE_POSTGRES") == "1":
        pytest.fail(f"PostgreSQL is required (SOPWATCH_REQUIRE_POSTGRES=1) but {reason}")
    pytest.skip(f"PostgreSQL not available: {reason}")


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A fresh, empty PostgreSQL database for this test session; dropped afterwards."""
    admin = sa.create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    name = f"sopwatch_test_{uuid.uuid4().hex[:10]}"
    try:
        with admin.connect() as conn:
            conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    except sa.exc.OperationalError as exc:
        admin.dispose()
        _postgres_unavailable(f"cannot connect to {PG_ADMIN_URL}: {str(exc.orig).strip()}")
    url = admin.url.set(database=name).render_as_string(hide_password=False)
    yield url
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def _reset(engine: sa.Engine) -> None:
    with engine.begin() as conn:
        metadata.drop_all(conn)
        conn.execute(sa.text("DROP TABLE IF EXISTS alembic_version"))


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty database URL, once on SQLite (a file) and once on PostgreSQL."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'sopwatch.db'}"
        return
    url = request.getfixturevalue("postgres_url")
    engine = make_engine(url)
    _reset(engine)
    engine.dispose()
    yield url


@pytest.fixture
def engine(db_url: str) -> Iterator[sa.Engine]:
    """A migrated engine on each database."""
    eng = make_engine(db_url)
    upgrade(eng)
    yield eng
    eng.dispose()


@pytest.fixture(autouse=True)
def _never_the_users_database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every test starts with its own SQLite file, so none can touch the user's database."""
    monkeypatch.setenv("SOPWATCH_DATABASE_URL", f"sqlite:///{tmp_path / 'default.db'}")


@pytest.fixture(autouse=True)
def _engines_closed() -> Iterator[None]:
    """Every engine that connected during a test is disposed after it: stores opened by
    the code under test (``open_store``) are not closed by it, and a session of hundreds of
    PostgreSQL tests would otherwise run the server out of connections (max_connections
    100: one session held 88)."""
    used: set[sa.Engine] = set()

    def record(conn: sa.Connection) -> None:
        used.add(conn.engine)

    sa.event.listen(sa.Engine, "engine_connect", record)
    yield
    sa.event.remove(sa.Engine, "engine_connect", record)
    for engine in used:
        engine.dispose()
