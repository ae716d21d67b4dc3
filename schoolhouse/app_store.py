"""What people write through the dashboards: the access log (and, with it, anything else no nightly
may rebuild). It lives outside what dbt builds, so a nightly run, a --full-refresh, a restore of the
warehouse or its replacement by a rebuilt copy never touches it.

* PostgreSQL: schema ``app`` of the same database (dbt never writes it).
* DuckDB: a SQLite file beside the warehouse (``<warehouse>.app.sqlite``): DuckDB lets one process
  write a file, and the dashboards must be able to write while the nightly holds the warehouse;
  SQLite in WAL mode takes many short writers and readers at once.

Every write is an insert (an edit is a new row), so the log of who did what is never lost.
"""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Iterator, Sequence
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from schoolhouse.warehouse import Warehouse

SCHEMA = "app"

TABLES: dict[str, tuple[tuple[str, str], ...]] = {
    # Who looked at what: a profile opened, a list downloaded, a sign-in that failed.
    "access_log": (
        ("event_at", "timestamp"), ("event", "text"), ("staff_id", "text"), ("login", "text"),
        ("client", "text"), ("student_id", "text"), ("detail", "text"),
    ),
}


def now() -> datetime:
    return datetime.now(timezone.utc).replace(tzinfo=None)


def sqlite_path(wh: Warehouse) -> Path:
    return wh.duckdb_path.with_name(wh.duckdb_path.name + ".app.sqlite")


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
    kinds = {"timestamp": "timestamp", "text": "text", "int": "bigint" if dialect == "postgres" else "integer"}
    body = ", ".join(f"{name} {kinds[kind]}" for name, kind in TABLES[table])
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
    if wh.target == "postgres":
        sql = f"insert into {SCHEMA}.{table} ({', '.join(columns)}) values ({', '.join(['%s'] * len(columns))})"
        wh.execute_many([(sql, tuple(r.get(c) for c in columns)) for r in rows])
        return
    with _sqlite(wh) as con:
        con.executemany(f"insert into {table} ({', '.join(columns)}) values ({', '.join('?' * len(columns))})",
                        [tuple(r.get(c) for c in columns) for r in rows])


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
