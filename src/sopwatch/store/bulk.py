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

The import's hot path uses the tuple forms instead (``insert_values``,
``insert_values_returning_ids``): rows are sequences of values in the order of the
``columns`` given, handed to the driver as they are (the raw ``executemany`` of
sqlite3, ``COPY`` rows on PostgreSQL), with no per-row SQLAlchemy work. The one value they
convert is a timestamp on SQLite, written as the text SQLAlchemy writes (``sqlite_time``),
so rows inserted either way read and compare alike.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa

from sopwatch.store.base import UtcDateTime

Row = dict[str, Any]
#: A row for the tuple forms: values in the order of the ``columns`` given.
Values = Sequence[Any]


def insert_returning_ids(conn: sa.Connection, table: sa.Table, rows: Sequence[Row]) -> list[int]:
    """Insert ``rows`` into ``table`` and return their new ``id`` values, in row order."""
    if not rows:
        return []
    if conn.dialect.name != "postgresql":
        query = sa.insert(table).returning(table.c.id, sort_by_parameter_order=True)
        return [int(row[0]) for row in conn.execute(query, list(rows))]
    ids = _next_ids(conn, table, len(rows))
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
    _checked_columns(table, columns)
    _copy_values(conn, table, columns, [[row[c] for c in columns] for row in rows])


def insert_if_absent(conn: sa.Connection, table: sa.Table, values: Row) -> None:
    """Insert one row unless it would break one of ``table``'s unique constraints (the row
    already exists, perhaps inserted by another process a moment ago): ``INSERT … ON
    CONFLICT DO NOTHING`` on both databases. On PostgreSQL a conflicting insert that is
    not yet committed is waited for, so the row can be read right after."""
    from sqlalchemy.dialects import postgresql, sqlite

    dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
    conn.execute(dialect.insert(table).values(**values).on_conflict_do_nothing())


def sqlite_time(value: datetime) -> str:
    """The text SQLAlchemy stores for an aware timestamp in a SQLite ``UtcDateTime``
    column: UTC, ``YYYY-MM-DD HH:MM:SS.ffffff``. Raises ``ValueError`` for a naive one."""
    offset = value.utcoffset()
    if offset is None:
        raise ValueError("naive datetime given to a UTC column")
    if offset:
        value = value.astimezone(UTC)
    text = value.isoformat(" ")[:-6]  # "+00:00" (an offset of 0, seconds none) cut
    return text if value.microsecond else text + ".000000"


def _checked_columns(table: sa.Table, columns: Sequence[str]) -> list[int]:
    """Indices (into ``columns``) of the ``UtcDateTime`` columns; raises ``ValueError``
    for a name ``table`` has not."""
    unknown = [c for c in columns if c not in table.c]
    if unknown:
        raise ValueError(f"{table.name} has no column {unknown[0]!r}")
    return [i for i, c in enumerate(columns) if isinstance(table.c[c].type, UtcDateTime)]


def _sqlite_rows(rows: Sequence[Values], times: list[int]) -> Sequence[Values]:
    """``rows`` with their timestamps (at ``times``) as ``sqlite_time`` text; rows with
    none are passed on as they are."""
    if not times:
        return rows
    out: list[Values] = []
    for row in rows:
        for i in times:
            if row[i] is not None:
                break
        else:
            out.append(row)  # no timestamp: the common step
            continue
        copy = list(row)
        for i in times:
            if copy[i] is not None:
                copy[i] = sqlite_time(copy[i])
        out.append(copy)
    return out


def _aware(rows: Sequence[Values], times: list[int]) -> None:
    """Raise ``ValueError`` for a naive timestamp (PostgreSQL would read it as local)."""
    for row in rows:
        for i in times:
            value = row[i]
            if value is not None and value.tzinfo is None:
                raise ValueError("naive datetime given to a UTC column")


def _insert_sql(conn: sa.Connection, table: sa.Table, columns: Sequence[str]) -> str:
    quote = conn.dialect.identifier_preparer.quote
    names = ", ".join(quote(c) for c in columns)
    marks = ", ".join("?" for _ in columns)
    return f"INSERT INTO {quote(table.name)} ({names}) VALUES ({marks})"


def insert_values(
    conn: sa.Connection, table: sa.Table, columns: Sequence[str], rows: Sequence[Values]
) -> None:
    """Insert ``rows`` (values in ``columns`` order; timestamps aware) into ``table``
    inside the connection's transaction: one ``executemany`` on SQLite, one ``COPY`` on
    PostgreSQL. A column left out takes its server default or NULL. Raises ``ValueError``
    for an unknown column or a naive timestamp; what the database refuses raises a
    ``sqlalchemy.exc.DBAPIError`` on both databases."""
    if not rows:
        return
    times = _checked_columns(table, columns)
    if conn.dialect.name == "postgresql":
        _aware(rows, times)
        _copy_values(conn, table, columns, rows)
    else:
        _sqlite_insert(conn, _insert_sql(conn, table, columns), _sqlite_rows(rows, times))


def insert_values_returning_ids(
    conn: sa.Connection, table: sa.Table, columns: Sequence[str], rows: Sequence[Values]
) -> list[int]:
    """``insert_values`` for a table with an ``id`` column; the new ids, in row order.

    SQLite: the first row is inserted alone (its id is the new largest, and the
    transaction now holds the database's write lock, so no other process inserts
    meanwhile) and the others with the ids that follow it. PostgreSQL: ids drawn from
    the table's sequence in one query, rows sent with ``COPY``."""
    if not rows:
        return []
    times = _checked_columns(table, columns)
    with_id = ["id", *columns]
    if conn.dialect.name == "postgresql":
        _aware(rows, times)
        ids = _next_ids(conn, table, len(rows))
        _copy_values(conn, table, with_id, [(i, *row) for i, row in zip(ids, rows, strict=True)])
        return ids
    rows = _sqlite_rows(rows, times)
    first = _sqlite_insert(conn, _insert_sql(conn, table, columns), rows[:1])
    ids = list(range(first, first + len(rows)))
    if len(rows) > 1:
        rest = [(i, *row) for i, row in zip(ids[1:], rows[1:], strict=True)]
        _sqlite_insert(conn, _insert_sql(conn, table, with_id), rest)
    return ids


def _sqlite_insert(conn: sa.Connection, statement: str, rows: Sequence[Values]) -> int:
    """``executemany`` on the raw sqlite3 cursor, in the connection's transaction; the
    last row's id (``lastrowid``) for a single row. A refused row raises the
    ``sqlalchemy.exc.DBAPIError`` SQLAlchemy would raise."""
    driver = conn.connection.driver_connection
    dbapi_error = conn.dialect.loaded_dbapi.Error
    assert driver is not None
    cursor = driver.cursor()
    try:
        if len(rows) == 1:
            cursor.execute(statement, rows[0])
        else:
            cursor.executemany(statement, rows)
        return int(cursor.lastrowid or 0)
    except dbapi_error as exc:
        raise sa.exc.DBAPIError.instance(statement, None, exc, dbapi_error) from exc
    finally:
        cursor.close()


def _next_ids(conn: sa.Connection, table: sa.Table, n: int) -> list[int]:
    """``n`` new ids from ``table``'s sequence (PostgreSQL)."""
    query = "SELECT nextval(pg_get_serial_sequence(:table, 'id')) FROM generate_series(1, :n)"
    found = conn.execute(sa.text(query), {"table": table.name, "n": n}).scalars()
    return [int(i) for i in found]


def _copy_values(
    conn: sa.Connection, table: sa.Table, columns: Sequence[str], rows: Sequence[Values]
) -> None:
    """``COPY table (columns) FROM STDIN`` of value rows, in the connection's transaction."""
    names = ", ".join(f'"{c}"' for c in columns)
    statement = f'COPY "{table.name}" ({names}) FROM STDIN'
    driver = conn.connection.driver_connection
    dbapi_error = conn.dialect.loaded_dbapi.Error
    assert driver is not None
    try:
        with driver.cursor() as cursor, cursor.copy(statement) as copy:
            write = copy.write_row
            for row in rows:
                write(row)
    except dbapi_error as exc:
        # The same SQLAlchemy error an INSERT would raise (e.g. DataError), so callers
        # handle one family of errors on both databases.
        raise sa.exc.DBAPIError.instance(statement, None, exc, dbapi_error) from exc
