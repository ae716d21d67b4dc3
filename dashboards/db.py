"""Read-only queries against the warehouse, on DuckDB or PostgreSQL, returned as DataFrames.

A connection is opened per query (or per batch of queries, ``queries``) and closed at once, so the query after a nightly run reads the
file it published (schoolhouse.generation: the nightly writes a copy and renames it into place;
readers never wait for it). When something else holds DuckDB's write lock (a `dbt build` run by
hand on the file itself), queries raise WarehouseBusy and the pages say so (cached results stay served).

SQL is written once with ``?`` placeholders and portable SQL; this module adapts the placeholders
for psycopg2. Values always travel as parameters, never inside the SQL text.
"""

from __future__ import annotations

import contextlib
import contextvars
import decimal
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pandas as pd

from schoolhouse.settings import Settings, current_settings
from schoolhouse.warehouse import Warehouse


class WarehouseBusy(RuntimeError):
    """The warehouse cannot be read right now (the nightly load is writing, or it is not built)."""


_reading: contextvars.ContextVar[Settings | None] = contextvars.ContextVar("reading", default=None)


def settings() -> Settings:
    """The app's Settings (district.yml and SCHOOLHOUSE_*, as for every command)."""
    return _reading.get() or current_settings()


@contextlib.contextmanager
def reading(chosen: Settings) -> Iterator[None]:
    """Queries in this block read ``chosen``'s warehouse: the nightly's copy, before it publishes it."""
    token = _reading.set(chosen)
    try:
        yield
    finally:
        _reading.reset(token)


def warehouse() -> Warehouse:
    return settings().warehouse()


def _adapt(sql: str, target: str) -> str:
    if target == "postgres":
        return sql.replace("%", "%%").replace("?", "%s")
    return sql


@dataclass
class _PageConnection:
    """The connection a page's queries share (one_connection), opened by its first query."""

    warehouse: Warehouse | None = None
    con: Any = None
    stack: contextlib.ExitStack | None = None

    def close(self) -> None:
        if self.stack is not None:
            self.stack.close()
        self.warehouse, self.con, self.stack = None, None, None


_page: contextvars.ContextVar[_PageConnection | None] = contextvars.ContextVar("page", default=None)


@contextlib.contextmanager
def one_connection() -> Iterator[None]:
    """Every query in this block (a page being drawn) shares one read-only connection, opened on
    first use and closed at the end: one night's data for the whole page, and one connection's cost
    (20–35 ms for the DuckDB file) instead of one per query. Nothing is held between pages, so a
    nightly that replaces the file, or a `dbt build` run by hand on it, never waits for the app."""
    held = _PageConnection()
    token = _page.set(held)
    try:
        yield
    finally:
        _page.reset(token)
        held.close()


@contextlib.contextmanager
def _connection(wh: Warehouse) -> Iterator[Any]:
    held = _page.get()
    if held is None:
        with wh.connect(read_only=True) as con:
            yield con
        return
    if held.warehouse != wh:  # first query of the page (or another warehouse: a new connection)
        held.close()
        stack = contextlib.ExitStack()
        held.con = stack.enter_context(wh.connect(read_only=True))
        held.stack, held.warehouse = stack, wh
    yield held.con


def query(sql: str, params: list | tuple = (), many_rows: bool = False) -> pd.DataFrame:
    return queries([(sql, params)], many_rows)[0]


def queries(statements: list[tuple[str, list | tuple]], many_rows: bool = False) -> list[pd.DataFrame]:
    """Several queries on one connection (one file or one session: the same night's data for all of
    them, and one connection's cost instead of one each). ``many_rows``: the queries read a large
    share of the marts (a district-wide view); on PostgreSQL they are planned as such (hash joins,
    not an index probe per row, and the memory to sort in), whatever the planner guesses."""
    wh = warehouse()
    results = []
    try:
        with _connection(wh) as con:
            cur = con.cursor()
            try:
                if many_rows and wh.target == "postgres":
                    cur.execute("set local enable_nestloop = off")
                    cur.execute("set local work_mem = '64MB'")
                for sql, params in statements:
                    cur.execute(_adapt(sql, wh.target), list(params))
                    results.append((cur.fetchall(), [d[0] for d in cur.description]))
            finally:
                cur.close()
                if wh.target == "postgres":
                    con.rollback()  # ends this read-only transaction, and with it any "set local"
    except FileNotFoundError as exc:
        raise WarehouseBusy(str(exc)) from exc
    except Exception as exc:  # duckdb.IOException (lock held), psycopg2.OperationalError (server down)
        name = type(exc).__name__
        if name in ("IOException", "OperationalError", "ConnectionException"):
            raise WarehouseBusy(f"The warehouse cannot be read right now ({name}): {exc}") from exc
        raise
    return [_frame(rows, columns) for rows, columns in results]


def _frame(rows: list, columns: list[str]) -> pd.DataFrame:
    df = pd.DataFrame.from_records(rows, columns=columns)
    for col in df.columns:
        # PostgreSQL numeric arrives as Decimal; pages want floats.
        if df[col].dtype == object:
            present = df[col].dropna()
            if len(present) and isinstance(present.iloc[0], decimal.Decimal):
                df[col] = pd.to_numeric(df[col], errors="coerce").astype(float)
    return df


def table_exists(schema: str, table: str) -> bool:
    df = query(
        "select count(*) as n from information_schema.tables where table_schema = ? and table_name = ?",
        [schema, table],
    )
    return bool(len(df) and df.iloc[0, 0])


def describe_target() -> str:
    return warehouse().describe()
