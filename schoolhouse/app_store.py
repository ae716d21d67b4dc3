"""What people write through the dashboards: the access log and educators' notes on students (and
anything else no nightly may rebuild). It lives outside what dbt builds, so a nightly run, a --full-refresh, a restore of the
warehouse or its replacement by a rebuilt copy never touches it.

* PostgreSQL: schema ``app`` of the same database (dbt never writes it).
* DuckDB: a SQLite file beside the warehouse (``<warehouse>.app.sqlite``): DuckDB lets one process
  write a file, and the dashboards must be able to write while the nightly holds the warehouse;
  SQLite in WAL mode takes many short writers and readers at once.

Every write is an insert (an edit is a new row), so the log of who did what is never lost.

dbt reads the notes as the source ``app.educator_notes``: on PostgreSQL the table itself, on DuckDB
a copy each build takes (``share_with_dbt``), since DuckDB cannot read the SQLite file offline.
"""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Iterator, Sequence
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from schoolhouse.warehouse import Warehouse, published_path

SCHEMA = "app"

TABLES: dict[str, tuple[tuple[str, str], ...]] = {
    # Who looked at what: a profile opened, a list downloaded, a sign-in that failed.
    "access_log": (
        ("event_at", "timestamp"), ("event", "text"), ("staff_id", "text"), ("login", "text"),
        ("client", "text"), ("student_id", "text"), ("detail", "text"),
    ),
    # An educator's dated note on a student, one row per revision: revision 1 is the note as first
    # written, each edit or deletion a further revision by whoever made it (dashboards.notes).
    "educator_notes": (
        ("note_id", "text"), ("revision", "int"), ("written_at", "timestamp"), ("staff_id", "text"),
        ("student_id", "text"), ("note_date", "date"), ("kind", "text"), ("body", "text"),
        ("is_deleted", "int"),
    ),
}

# The tables dbt reads (source ``app``); the access log stays out of the warehouse.
SHARED = ("educator_notes",)

# Two people saving the same note at once both try its next revision: the second is refused.
UNIQUE: dict[str, tuple[str, ...]] = {"educator_notes": ("note_id", "revision")}


class Conflict(Exception):
    """A row with the same unique key is already there (someone else saved first)."""


def now() -> datetime:
    return datetime.now(timezone.utc).replace(tzinfo=None)


def sqlite_path(wh: Warehouse) -> Path:
    """Beside the published warehouse file, also when ``wh`` is a command's next copy of it."""
    path = published_path(wh.duckdb_path)
    return path.with_name(path.name + ".app.sqlite")


@contextlib.contextmanager
def _sqlite(wh: Warehouse) -> Iterator[sqlite3.Connection]:
    path = sqlite_path(wh)
    path.parent.mkdir(parents=True, exist_ok=True)
    con = sqlite3.connect(path, timeout=30, detect_types=sqlite3.PARSE_DECLTYPES)
    try:
        con.execute("pragma journal_mode=wal")
        yield con
        con.commit()
    finally:
        con.close()


def _ddl(table: str, dialect: str) -> str:
    kinds = {"timestamp": "timestamp", "text": "text", "date": "date",
             "int": "bigint" if dialect == "postgres" else "integer"}
    body = ", ".join(f"{name} {kinds[kind]}" for name, kind in TABLES[table])
    if table in UNIQUE:
        body += f", unique ({', '.join(UNIQUE[table])})"
    name = f"{SCHEMA}.{table}" if dialect == "postgres" else table
    return f"create table if not exists {name} ({body})"


_ensured: set[str] = set()


def ensure(wh: Warehouse) -> None:
    """Create the app tables once per process and warehouse (they are never dropped or rebuilt)."""
    key = str(sqlite_path(wh)) if wh.target == "duckdb" else repr(sorted(wh.pg_params().items()))
    if key in _ensured:
        return
    _create(wh)
    _ensured.add(key)


def _create(wh: Warehouse) -> None:
    if wh.target == "postgres":
        wh.execute_many([(f"create schema if not exists {SCHEMA}", ()),
                         *((_ddl(t, "postgres"), ()) for t in TABLES)])
        return
    with _sqlite(wh) as con:
        for table in TABLES:
            con.execute(_ddl(table, "sqlite"))


def append(wh: Warehouse, table: str, rows: Sequence[dict[str, Any]]) -> None:
    """Add rows (an insert only: nothing here is ever updated in place)."""
    if not rows:
        return
    ensure(wh)
    columns = [name for name, _ in TABLES[table]]
    values = [tuple(r.get(c) for c in columns) for r in rows]
    if wh.target == "postgres":
        import psycopg2

        sql = f"insert into {SCHEMA}.{table} ({', '.join(columns)}) values ({', '.join(['%s'] * len(columns))})"
        try:
            wh.execute_many([(sql, v) for v in values])
        except psycopg2.errors.UniqueViolation as exc:
            raise Conflict(str(exc)) from exc
        return
    try:
        with _sqlite(wh) as con:
            con.executemany(f"insert into {table} ({', '.join(columns)}) values ({', '.join('?' * len(columns))})",
                            values)
    except sqlite3.IntegrityError as exc:
        raise Conflict(str(exc)) from exc


def read(wh: Warehouse, sql: str, params: Sequence = ()) -> tuple[list[str], list[tuple]]:
    """A query of the app tables: column names and rows. Name a table as ``{app}access_log`` (the
    schema prefix differs by engine) and use ``?`` placeholders."""
    ensure(wh)
    if wh.target == "postgres":
        with wh.connect(read_only=True) as con:
            cur = wh.cursor(con)
            cur.execute(sql.format(app=f"{SCHEMA}.").replace("?", "%s"), list(params))
            return [d[0] for d in cur.description], cur.fetchall()
    with _sqlite(wh) as con:
        cur = con.execute(sql.format(app=""), list(params))
        return [d[0] for d in cur.description], cur.fetchall()


def share_with_dbt(wh: Warehouse) -> None:
    """Make the SHARED app tables readable as dbt's source ``app`` before a build. PostgreSQL: they are
    (created if new). DuckDB: replace ``raw_app.<table>`` in the warehouse being built with tonight's
    copy of the SQLite file (in one transaction, so a build never sees half)."""
    ensure(wh)
    if wh.target == "postgres":
        return
    import pyarrow as pa

    kinds = {"timestamp": pa.timestamp("us"), "text": pa.string(), "date": pa.date32(), "int": pa.int64()}
    copies = {}
    for table in SHARED:
        spec = TABLES[table]
        columns, rows = read(wh, f"select {', '.join(n for n, _ in spec)} from {{app}}{table}")
        schema = pa.schema([(name, kinds[kind]) for name, kind in spec])
        copies[table] = pa.Table.from_pylist([dict(zip(columns, r)) for r in rows], schema=schema)
    with wh.connect() as con:
        con.execute("begin transaction")
        con.execute("create schema if not exists raw_app")
        for table, copy in copies.items():
            con.register("app_rows", copy)
            con.execute(f"create or replace table raw_app.{table} as select * from app_rows")
            con.unregister("app_rows")
