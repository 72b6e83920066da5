"""Bulk inserts, the import's hot path, with the one dialect difference kept here.

SQLite: ``executemany`` (with ``RETURNING`` for ids, SQLAlchemy's insertmanyvalues).
PostgreSQL: ids are drawn from the table's sequence in one query and rows go in with
``COPY … FROM STDIN`` through psycopg, several times faster than multi-row ``INSERT``
statements, which psycopg must parse in Python. Rows are plain dicts with every column the
table needs (``COPY`` applies no Python-side defaults; a column left out takes its
server default or NULL); timestamps must be timezone-aware. ``insert_returning_ids``
needs the same keys in every row; ``insert_rows`` takes rows with different key sets
(e.g. steps with and without model-call details, so the common case sends fewer
parameters), one statement per key set.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa

Row = dict[str, Any]


def insert_returning_ids(conn: sa.Connection, table: sa.Table, rows: Sequence[Row]) -> list[int]:
    """Insert ``rows`` into ``table`` and return their new ``id`` values, in row order."""
    if not rows:
        return []
    if conn.dialect.name != "postgresql":
        query = sa.insert(table).returning(table.c.id, sort_by_parameter_order=True)
        return [int(row[0]) for row in conn.execute(query, list(rows))]
    ids = [
        int(i)
        for i in conn.execute(
            sa.text(
                "SELECT nextval(pg_get_serial_sequence(:table, 'id')) FROM generate_series(1, :n)"
            ),
            {"table": table.name, "n": len(rows)},
        ).scalars()
    ]
    _copy(conn, table, [{"id": i, **row} for i, row in zip(ids, rows, strict=True)])
    return ids


def insert_rows(conn: sa.Connection, table: sa.Table, rows: Sequence[Row]) -> None:
    """Insert ``rows`` into ``table`` (no ids needed back), one statement per set of keys
    (in the order each set first appears)."""
    groups: dict[tuple[str, ...], list[Row]] = {}
    for row in rows:
        key = tuple(row)
        group = groups.get(key)
        if group is None:
            groups[key] = [row]
        else:
            group.append(row)
    for group in groups.values():
        if conn.dialect.name == "postgresql":
            _copy(conn, table, group)
        else:
            conn.execute(sa.insert(table), group)


def _copy(conn: sa.Connection, table: sa.Table, rows: Sequence[Row]) -> None:
    """``COPY table (columns) FROM STDIN`` inside the connection's transaction."""
    columns = list(rows[0])
    unknown = [c for c in columns if c not in table.c]
    if unknown:
        raise ValueError(f"{table.name} has no column {unknown[0]!r}")
    names = ", ".join(f'"{c}"' for c in columns)
    statement = f'COPY "{table.name}" ({names}) FROM STDIN'
    driver = conn.connection.driver_connection
    dbapi_error = conn.dialect.loaded_dbapi.Error
    assert driver is not None
    try:
        with driver.cursor() as cursor, cursor.copy(statement) as copy:
            for row in rows:
                copy.write_row([row[c] for c in columns])
    except dbapi_error as exc:
        # The same SQLAlchemy error an INSERT would raise (e.g. DataError), so callers
        # handle one family of errors on both databases.
        raise sa.exc.DBAPIError.instance(statement, None, exc, dbapi_error) from exc


def insert_if_absent(conn: sa.Connection, table: sa.Table, values: Row) -> None:
    """Insert one row unless it would break one of ``table``'s unique constraints (the row
    already exists, perhaps inserted by another process a moment ago): ``INSERT … ON
    CONFLICT DO NOTHING`` on both databases. On PostgreSQL a conflicting insert that is
    not yet committed is waited for, so the row can be read right after."""
    from sqlalchemy.dialects import postgresql, sqlite

    dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
    conn.execute(dialect.insert(table).values(**values).on_conflict_do_nothing())
