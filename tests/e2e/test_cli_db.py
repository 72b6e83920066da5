"""``sopwatch db info``: which database, its schema, what is in it, the team."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy.engine import make_url
from typer.testing import CliRunner

from sopwatch.cli.main import app
from sopwatch.store.migrate import HEAD
from tests.conftest import BUNDLED_DATA
from tests.e2e.conftest import Cli

GPT_OSS = next((BUNDLED_DATA / "tau2-bench").glob("gpt-oss-120b_*.json"))


def test_info_counts_rows_and_names_the_team(cli: Cli, db_url: str) -> None:
    assert cli("import", str(GPT_OSS), "-a", "oss").code == 0
    info = cli("db", "info", "--json").json()
    assert info["url"] == db_url  # the test databases have no password
    assert (info["revision"], info["newest_revision"], info["current"]) == (HEAD, HEAD, True)
    assert (info["team"], info["team_exists"], info["exists"]) == ("e2e", True, True)
    assert info["backend"] == make_url(db_url).get_backend_name()
    counts = info["counts"]
    assert (counts["assignments"], counts["jobs"], counts["steps"]) == (1, 25, 790)
    text = cli("db", "info")
    assert text.code == 0
    assert f"schema    revision {HEAD} (the newest)" in text.out
    assert "team      e2e" in text.out
    rows = dict(line.split() for line in text.out.splitlines() if line.startswith("  "))
    assert (rows["jobs"], rows["steps"], rows["human_requests"]) == ("25", "790", "13")


def test_info_hides_the_password_and_shows_the_normalised_url(
    postgres_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = make_url(postgres_url).set(password="s3cret")
    given = "postgres" + url.render_as_string(hide_password=False).removeprefix(url.drivername)
    monkeypatch.setenv("SOPWATCH_DATABASE_URL", given)
    result = CliRunner().invoke(app, ["db", "info"])
    assert "s3cret" not in result.stdout + result.stderr
    shown = url.set(drivername="postgresql+psycopg").render_as_string(hide_password=True)
    assert shown.startswith("postgresql+psycopg://postgres:***@")
    # trust auth ignores the password, so the server answers: the URL is shown normalised
    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith(f"database  {shown}\n")


def test_info_of_a_new_sqlite_file_creates_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "new.db"
    monkeypatch.setenv("SOPWATCH_DATABASE_URL", f"sqlite:///{path}")
    result = CliRunner().invoke(app, ["db", "info"])
    assert result.exit_code == 0
    assert "schema    none: the file does not exist yet" in result.stdout
    assert "team      default (not created yet)" in result.stdout
    assert not path.exists()


def test_info_of_an_unreachable_server_is_one_line(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOPWATCH_DATABASE_URL", "postgres://me:s3cret@127.0.0.1:1/none")
    result = CliRunner().invoke(app, ["db", "info"])
    assert result.exit_code == 2
    assert result.stderr.startswith("error: SOPWATCH_DATABASE_URL: cannot open the database")
    assert result.stderr.count("\n") == 1 and "s3cret" not in result.stderr


@pytest.mark.parametrize("args", [["db", "info"], ["jobs", "x"], ["check", "x"]])
def test_a_file_that_is_not_sqlite_is_one_line(
    args: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "passwd"
    path.write_text("root:x:0:0:root:/root:/bin/bash\n")
    monkeypatch.setenv("SOPWATCH_DATABASE_URL", f"sqlite:///{path}")
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 2
    assert result.stderr == (
        "error: SOPWATCH_DATABASE_URL: cannot open the database: file is not a database\n"
    )
    assert path.read_text() == "root:x:0:0:root:/root:/bin/bash\n"  # nothing written to it
