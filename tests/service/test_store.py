"""Opening the store and describing the database, on SQLite and PostgreSQL."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from sopwatch.domain.errors import InvalidInput
from sopwatch.service import db
from sopwatch.service.store import load_settings, open_store
from sopwatch.settings import Settings, display_url
from sopwatch.store.engine import make_engine
from sopwatch.store.migrate import HEAD, upgrade


@pytest.mark.parametrize("scheme", ["postgres", "postgresql", "postgresql+psycopg"])
def test_every_postgres_scheme_opens_the_same_database(postgres_url: str, scheme: str) -> None:
    url = make_url(postgres_url).render_as_string(hide_password=False)
    given = scheme + url[url.index("://") :]
    settings = Settings(database_url=given, team="schemes")
    assert settings.database_url.startswith("postgresql+psycopg://")
    store = open_store(settings)
    assert store.engine.dialect.name == "postgresql" and store.team == "schemes"
    store.engine.dispose()


def test_password_is_hidden() -> None:
    shown = display_url(Settings(database_url="postgres://me:s3cret@db:5432/sw").database_url)
    assert shown == "postgresql+psycopg://me:***@db:5432/sw"


@pytest.mark.parametrize(
    ("variable", "value", "problem"),
    [
        ("SOPWATCH_DATABASE_URL", "mysql://me:s3cret@db/x", "must start with sqlite:///"),
        ("SOPWATCH_DATABASE_URL", "postgres://me:s3cret@db:abc/x", "bad port"),
        ("SOPWATCH_DATABASE_URL", "me:s3cret@db/x", "got no scheme"),
        ("SOPWATCH_PAYLOAD_LIMIT_BYTES", "12", "greater than or equal to 256"),
        ("SOPWATCH_TEAM", " ", "must not be blank"),
    ],
)
def test_bad_settings_name_the_variable(
    monkeypatch: pytest.MonkeyPatch, variable: str, value: str, problem: str
) -> None:
    monkeypatch.setenv(variable, value)
    with pytest.raises(InvalidInput) as caught:
        load_settings()
    assert caught.value.field == variable and problem in caught.value.problem
    assert "s3cret" not in str(caught.value)


def test_an_unreachable_server_is_one_clear_error() -> None:
    settings = Settings(database_url="postgresql://nobody@127.0.0.1:1/none")
    with pytest.raises(InvalidInput) as caught:
        open_store(settings)
    assert caught.value.field == "SOPWATCH_DATABASE_URL"
    assert caught.value.problem.startswith("cannot open the database")


def test_info_of_a_missing_sqlite_file_creates_nothing(tmp_path: Path) -> None:
    path = tmp_path / "later.db"
    found = db.info(Settings(database_url=f"sqlite:///{path}", team="t"))
    assert (found.exists, found.revision, found.current, found.counts) == (False, None, False, {})
    assert not path.exists()


def test_info_after_open(db_url: str) -> None:
    settings = Settings(database_url=db_url, team="info")
    before = db.info(settings)
    assert (before.revision, before.team_exists, before.counts) == (None, False, {})
    open_store(settings).engine.dispose()
    after = db.info(settings)
    assert (after.revision, after.newest, after.current) == (HEAD, HEAD, True)
    assert after.team_exists and after.counts["teams"] == 1 and after.counts["jobs"] == 0
    assert after.backend == make_url(db_url).get_backend_name()


def test_info_reports_a_schema_behind_without_migrating(db_url: str) -> None:
    engine = make_engine(db_url)
    upgrade(engine, "0001")
    engine.dispose()
    found = db.info(Settings(database_url=db_url))
    assert (found.revision, found.current) == ("0001", False)
    assert db.info(Settings(database_url=db_url)).revision == "0001"
