"""The warehouse: which engine, and a plain DB-API connection to it.

DuckDB (an embedded file, the default) or PostgreSQL (from the standard libpq variables
PGHOST, PGPORT, PGUSER, PGPASSWORD, PGDATABASE). This is the only module that knows the
difference between the two; build one with ``Settings.warehouse()``.
"""

from __future__ import annotations

import itertools
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

TARGETS = ("duckdb", "postgres")

# PostgreSQL compiles a query's expressions to machine code (JIT) once its estimated cost passes
# jit_above_cost. The planner's estimates for our many-join models are far off (a 50,000-row join of
# students to six crosswalks estimated at 45 million rows), so JIT fired on most models and cost more
# than the query itself: 13.6 s of compiling for a 4.7 s dq_invalid_values, and a 50,000-student build
# of 73 s that takes 47 s without it. Off for the warehouse's own sessions (dbt, loaders, dashboards);
# a PGOPTIONS that says otherwise comes after it and wins.
PG_SESSION_OPTIONS = "-c jit=off"


def pg_options() -> str:
    """libpq's ``options`` for the warehouse's sessions: ours, then the environment's PGOPTIONS."""
    return " ".join(filter(None, [PG_SESSION_OPTIONS, os.environ.get("PGOPTIONS", "").strip()]))


def quote_identifier(name: str) -> str:
    """``name`` as a standard SQL identifier (double quotes, a quote inside doubled): the same on
    DuckDB and PostgreSQL, whatever case or characters a vendor's header or a file's column has."""
    return '"' + name.replace('"', '""') + '"'


def next_path(current: Path) -> Path:
    """Where a command writes its copy of the DuckDB file ``current`` before publishing it
    (schoolhouse.generation): same file name, so the catalog name and every view's SQL stay valid."""
    return current.parent / f".{current.name}.next" / current.name


def published_path(path: Path) -> Path:
    """The file readers open: ``path`` itself, or the file ``path`` is the next copy of."""
    if path.parent.name == f".{path.name}.next":
        return path.parent.parent / path.name
    return path


@dataclass(frozen=True)
class Warehouse:
    target: str = "duckdb"
    duckdb_path: Path = field(default_factory=lambda: Path("warehouse.duckdb").resolve())

    def __post_init__(self) -> None:
        if self.target not in TARGETS:
            raise ValueError(f"Unknown target {self.target!r}: use one of {', '.join(TARGETS)}.")

    @staticmethod
    def pg_params() -> dict[str, Any]:
        return {
            "host": os.environ.get("PGHOST", "localhost"),
            "port": int(os.environ.get("PGPORT", "5432")),
            "user": os.environ.get("PGUSER", "postgres"),
            "password": os.environ.get("PGPASSWORD", ""),
            "dbname": os.environ.get("PGDATABASE", "schoolhouse"),
        }

    def describe(self) -> str:
        if self.target == "duckdb":
            return f"DuckDB {self.duckdb_path.name}"
        p = self.pg_params()
        return f"PostgreSQL {p['dbname']}@{p['host']}"

    @property
    def loader_file_format(self) -> str:
        # The loader's work files: DuckDB reads Parquet itself, PostgreSQL's COPY takes CSV (loaders.raw_swap).
        return "parquet" if self.target == "duckdb" else "csv"

    @contextmanager
    def connect(self, read_only: bool = False) -> Iterator[Any]:
        """A DB-API connection, closed on exit. Commits on success.

        DuckDB: a command's unpublished copy (next_path) is opened for writing even to read. Only the
        command writing it opens it, and DuckDB refuses a read-only connection to a file its own
        process holds open for writing (the nightly reads it for the dashboards while it exports)."""
        if self.target == "duckdb":
            import duckdb

            if read_only and not self.duckdb_path.exists():
                raise FileNotFoundError(f"No warehouse at {self.duckdb_path}: run `schoolhouse load` and `schoolhouse build` first.")
            unpublished = published_path(self.duckdb_path) != self.duckdb_path
            con = duckdb.connect(str(self.duckdb_path), read_only=read_only and not unpublished)
        else:
            import psycopg2

            con = psycopg2.connect(**self.pg_params(), options=pg_options())
            if read_only:
                con.set_session(readonly=True)
        try:
            yield con
            if not read_only:
                con.commit()
        finally:
            con.close()

    @contextmanager
    def kept_open(self) -> Iterator[None]:
        """Within this, DuckDB opens the file once: a process's connections to one file share its
        database while any of them is open, and a command's many short ones (each of which would
        otherwise read the catalog again, ~30 ms) reuse it. PostgreSQL: nothing to keep."""
        if self.target != "duckdb":
            yield
            return
        import duckdb

        con = duckdb.connect(str(self.duckdb_path))
        try:
            yield
        finally:
            con.close()

    def cursor(self, con: Any) -> Any:
        """Something to execute on within ``con``'s transaction (a DuckDB cursor is a second connection)."""
        return con if self.target == "duckdb" else con.cursor()

    def query(self, sql: str, params: tuple | list | None = None) -> list[tuple]:
        with self.connect() as con:
            cur = self.cursor(con)
            cur.execute(sql, params or ())
            return cur.fetchall() if cur.description else []

    def text_table(self, sql: str):
        """The rows of ``sql`` as an Arrow table of text (large_string) columns, NULL as ''.

        Columnar, so a state's export views (millions of rows) never become Python objects: DuckDB
        hands over Arrow itself, PostgreSQL its COPY text, which Arrow's CSV reader parses."""
        import pyarrow as pa
        import pyarrow.compute as pc

        # Read-only on PostgreSQL only: a DuckDB process holds one configuration per file, and the
        # nightly that renders exports has its copy of the file open for writing.
        with self.connect(read_only=self.target == "postgres") as con:
            table = con.sql(sql).to_arrow_table() if self.target == "duckdb" else _copied_text(con.cursor(), sql)
        columns = [pc.fill_null(pc.cast(col, pa.large_string()), "") for col in table.columns]
        return pa.table(columns, names=table.column_names)

    def execute_many(self, statements: list[tuple[str, tuple | list]]) -> None:
        """Several statements in one transaction: all of them or none."""
        with self.connect() as con:
            cur = self.cursor(con)
            if self.target == "duckdb":
                cur.execute("begin transaction")
            for sql, group in itertools.groupby(statements, key=lambda s: s[0]):
                params = [p for _, p in group]
                if len(params) == 1:
                    cur.execute(sql, params[0])
                else:
                    cur.executemany(sql, params)

    def table_exists(self, schema: str, table: str) -> bool:
        ph = self.placeholder
        rows = self.query(
            f"select count(*) from information_schema.tables where table_schema = {ph} and table_name = {ph}",
            (schema, table),
        )
        return bool(rows and rows[0][0])

    def columns(self, schema: str, table: str) -> list[str]:
        ph = self.placeholder
        rows = self.query(
            f"select column_name from information_schema.columns where table_schema = {ph} and table_name = {ph} "
            f"order by ordinal_position", (schema, table))
        return [r[0] for r in rows]

    def table_columns(self, schema_prefix: str) -> dict[tuple[str, str], set[str]]:
        """(schema, table) → its columns, for every table of the schemas whose name starts with
        ``schema_prefix`` (one query, where ``columns`` is one per table)."""
        ph = self.placeholder
        rows = self.query("select table_schema, table_name, column_name from information_schema.columns "
                          f"where left(table_schema, {len(schema_prefix)}) = {ph}", (schema_prefix,))
        out: dict[tuple[str, str], set[str]] = {}
        for schema, table, column in rows:
            out.setdefault((schema, table), set()).add(column)
        return out

    @property
    def placeholder(self) -> str:
        return "%s" if self.target == "postgres" else "?"


def _copied_text(cur: Any, sql: str):
    """PostgreSQL's rows of ``sql`` through COPY ... TO STDOUT (CSV), as Arrow text columns."""
    import io

    cur.execute(f"select * from ({sql}) as q limit 0")
    names = [d[0] for d in cur.description]
    buf = io.BytesIO()
    cur.copy_expert(f"copy ({sql}) to stdout with (format csv)", buf)
    return read_text_csv(buf.getvalue(), len(names)).rename_columns(names)


def read_text_csv(data: bytes | Path, columns: int, skip_rows: int = 0):
    """CSV bytes, or a CSV file (read from disk block by block, never held whole), as an Arrow table of
    ``columns`` text (large_string) columns named c0, c1, ... (positional: a header may repeat names
    or hold anything), every value as written ('' for empty)."""
    import io

    import pyarrow as pa
    from pyarrow import csv as arrow_csv

    names = [f"c{i}" for i in range(columns)]
    if isinstance(data, Path):
        with open(data, "rb") as handle:
            for _ in range(skip_rows):
                handle.readline()
            empty = not handle.read(1)
        source = str(data)
    else:
        start = 0  # where the rows begin, found without copying a state's file to look
        for _ in range(skip_rows):
            end = data.find(b"\r\n", start)
            start = len(data) if end < 0 else end + 2
        empty, source = start >= len(data), io.BytesIO(data)
    if empty:  # Arrow's reader refuses a file with nothing to read
        return pa.table({n: pa.array([], pa.large_string()) for n in names})
    return arrow_csv.read_csv(
        source, read_options=arrow_csv.ReadOptions(skip_rows=skip_rows, column_names=names),
        parse_options=arrow_csv.ParseOptions(newlines_in_values=True),
        convert_options=arrow_csv.ConvertOptions(column_types={n: pa.large_string() for n in names},
                                                 strings_can_be_null=False, quoted_strings_can_be_null=False))
