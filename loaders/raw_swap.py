"""Tonight's raw tables replace last night's all at once, by the engine's own bulk ingest.

A load hands over one validated work file per table (``loaders.reader``, ``loaders.powerschool``).
In one transaction, each raw table gets its full shape (``loaders.raw_tables``: a new column of
tonight's file is added, never one dropped), is emptied, and is filled from its work file: DuckDB
reads the Parquet file itself (``insert ... by name select ... from read_parquet``), PostgreSQL
takes the CSV file through ``COPY`` into the table it truncated in the same transaction, while the
reader still writes it (``add_while_written``; a file refused once read is undone to a savepoint).
A reader sees every one of tonight's tables or every one of last night's, never an empty or
half-filled one; a failure anywhere leaves them all as they were.

What holds one value for the whole file (its name, checksum, date and the load id) is not in the
table's rows but in its one row of ``raw_meta.table_files``, replaced in the same transaction (the
staging models read it through the ``raw_lineage`` macro). In every row, those four were 130 bytes
against attendance's 77 of data: PostgreSQL's ``COPY`` wrote 2.7 times the table and took 1.45
times as long (bench/README.md).

Why not dlt: its transactional ``replace`` (``insert-from-staging``) loads each table into a staging
schema and copies it again; with the pipeline's own bookkeeping that was 5.4–9× the engines' bulk
ingest of the same files (bench/README.md). Its faster ``truncate-and-insert`` empties the tables
before the load in a transaction of its own, so a failed load would leave them empty.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from loaders.raw_tables import expected_tables, shape_statements
from loaders.work_files import GrowingFile
from schoolhouse import raw_meta
from schoolhouse.warehouse import Warehouse, quote_identifier


@dataclass(frozen=True)
class TonightsTable:
    table: str
    work_file: Path
    columns: tuple[str, ...]  # the work file's columns, in its order
    # The file it is (file_name, file_sha256, file_date, load_id; a PowerSchool copy has the load id
    # alone): raw_meta.table_files' row for the table.
    lineage: dict[str, str] = field(default_factory=dict)
    extra_columns: tuple[str, ...] = ()  # tonight's file's columns the catalog does not know (text)


class RawSwap:
    """One transaction in which tonight's tables replace last night's, each filled as soon as it is
    handed over (while the next file is still being read); committed when the ``with`` block ends
    without an error, rolled back otherwise."""

    def __init__(self, wh: Warehouse, schema: str) -> None:
        self.wh, self.schema = wh, schema

    def __enter__(self) -> RawSwap:
        self._known = expected_tables()
        self._have = self.wh.table_columns("raw_")
        self._connection = self.wh.connect()
        self._cur = self.wh.cursor(self._connection.__enter__())
        if self.wh.target == "duckdb":
            self._cur.execute("begin transaction")
        return self

    def add(self, t: TonightsTable) -> None:
        self._shape(t)
        if self.wh.target == "duckdb":
            _fill_duckdb(self._cur, self._relation(t), t)
        else:
            with open(t.work_file, "rb") as data:
                _fill_postgres(self._cur, self._relation(t), t, data)
        self._record_file(t)

    def add_while_written(self, t: TonightsTable, growing: GrowingFile, accepted: Callable[[], bool]) -> bool:
        """PostgreSQL: fill ``t``'s table from its work file while the reader still writes it; once the
        reader is done, keep what was filled if ``accepted()``, else undo it (yesterday's table stays)."""
        self._cur.execute("savepoint tonights_table")
        self._shape(t)
        try:
            _fill_postgres(self._cur, self._relation(t), t, growing)
        finally:
            growing.release()
        self._record_file(t)
        keep = accepted()
        self._cur.execute("release savepoint tonights_table" if keep else "rollback to savepoint tonights_table")
        return keep

    def _record_file(self, t: TonightsTable) -> None:
        for sql, params in raw_meta.table_file_statements(self.schema, t.table, t.lineage, self.wh.placeholder):
            self._cur.execute(sql, params)

    def _relation(self, t: TonightsTable) -> str:
        return f"{self.schema}.{quote_identifier(t.table)}"

    def _shape(self, t: TonightsTable) -> None:
        key = (self.schema, t.table)
        shape = {**self._known.get(key, {}), **{c: "text" for c in t.extra_columns}}
        for sql in shape_statements({key: shape}, self._have, drop_prefix="_dlt_"):
            self._cur.execute(sql)

    def __exit__(self, *exc_info) -> None:
        # wh.connect commits on a clean exit; on an error it closes the connection and the engine rolls back.
        self._connection.__exit__(*exc_info)


def replace_raw_tables(wh: Warehouse, schema: str, tables: list[TonightsTable]) -> None:
    """Replace each of ``tables`` in ``schema`` with its work file, all in one transaction."""
    if not tables:
        return
    with RawSwap(wh, schema) as swap:
        for t in tables:
            swap.add(t)


def _fill_duckdb(cur, table: str, t: TonightsTable) -> None:
    cur.execute(f"delete from {table}")
    cur.execute(f"insert into {table} by name select * from read_parquet(?)", [str(t.work_file)])


def _fill_postgres(cur, table: str, t: TonightsTable, data) -> None:
    cur.execute(f"truncate table {table}")
    cur.copy_expert(f"copy {table} ({', '.join(map(quote_identifier, t.columns))}) from stdin "
                    "with (format csv, header true)", data, size=1 << 20)
