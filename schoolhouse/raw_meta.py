"""``raw_meta``: the record of what Schoolhouse did, owned here and nowhere else.

Six tables that dbt reads (models/staging/meta, the staging models' lineage) but never rebuilds:

* ``table_files``   one row per raw table: the file (or PowerSchool copy) it holds now, replaced
                    in the transaction that replaces the table (loaders.raw_swap). A raw table is
                    one file, so where its rows came from is said once here, not in every row
* ``file_loads``    one row per file per load attempt (loaded, unchanged or refused)
* ``rejected_rows`` rows a loaded file could not give (file, record number, reason, raw text)
* ``exports``       one row per file per vendor push attempt (pushed, pushed_with_warnings,
                    unchanged, refused or failed)
* ``export_issues`` a push's sync log: one row per failing row of an export check (file, key,
                    field, rule, severity), as SDS's sync log has
* ``runs``          one row per nightly run, with its steps

All but ``table_files`` are append-mostly. The DDL is written out here, in portable SQL, so both
engines hold the same columns.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from datetime import datetime, timezone
from typing import Any

from schoolhouse.warehouse import Warehouse

SCHEMA = "raw_meta"

TABLES: dict[str, tuple[tuple[str, str], ...]] = {
    "table_files": (
        ("table_schema", "text not null"), ("table_name", "text not null"), ("file_name", "text"),
        ("file_sha256", "text"), ("file_date", "date"), ("load_id", "text not null"),
        ("loaded_at", "timestamp not null"),
    ),
    "file_loads": (
        ("load_id", "text not null"), ("source", "text not null"), ("entity", "text not null"),
        ("file_name", "text not null"), ("file_sha256", "text"), ("bytes", "bigint"), ("encoding", "text"),
        ("rows_read", "bigint"), ("rows_loaded", "bigint"), ("rows_rejected", "bigint"),
        ("status", "text not null"), ("message", "text"), ("extra_columns", "text"), ("missing_columns", "text"),
        ("archive_path", "text"), ("loaded_at", "timestamp not null"),
    ),
    "rejected_rows": (
        ("file_sha256", "text not null"), ("record_number", "bigint not null"), ("source", "text not null"),
        ("entity", "text not null"), ("file_name", "text not null"), ("reason", "text not null"),
        ("detail", "text"), ("raw_text", "text"), ("load_id", "text not null"), ("rejected_at", "timestamp not null"),
    ),
    "exports": (
        ("push_id", "text not null"), ("run_id", "text"), ("vendor", "text not null"),
        ("destination", "text not null"), ("file_name", "text not null"), ("package_name", "text"),
        ("rows", "bigint not null"), ("previous_rows", "bigint"), ("bytes", "bigint not null"),
        ("sha256", "text not null"), ("status", "text not null"), ("forced", "boolean not null"),
        ("message", "text"), ("pushed_at", "timestamp not null"),
        ("sensitive_fields", "text"),  # the exports[].share fields the files carried ('' = none)
    ),
    "export_issues": (
        ("push_id", "text not null"), ("vendor", "text not null"), ("destination", "text not null"),
        ("file_name", "text"), ("row_key", "text"), ("field", "text"), ("rule", "text not null"),
        ("severity", "text not null"), ("detail", "text"), ("logged_at", "timestamp not null"),
    ),
    "runs": (
        ("run_id", "text not null"), ("started_at", "timestamp not null"), ("finished_at", "timestamp"),
        ("duration_seconds", "double precision"), ("status", "text not null"), ("exit_code", "integer"),
        ("config_file", "text"), ("district_name", "text"), ("files_loaded", "integer"),
        ("files_refused", "integer"), ("exports_pushed", "integer"), ("exports_not_pushed", "integer"),
        ("message", "text"), ("steps", "text"),
    ),
}


def now() -> datetime:
    """UTC, without a zone: what every raw_meta timestamp holds."""
    return datetime.now(timezone.utc).replace(tzinfo=None)


def columns(table: str) -> list[str]:
    return [name for name, _ in TABLES[table]]


def ensure(wh: Warehouse) -> None:
    """Create the schema and any missing table; add a column a newer version knows to an older table
    (nullable: the rows written before it have none). Nothing is ever dropped or retyped."""
    statements = [(f"create schema if not exists {SCHEMA}", ())]
    for table, cols in TABLES.items():
        body = ", ".join(f"{name} {kind}" for name, kind in cols)
        statements.append((f"create table if not exists {SCHEMA}.{table} ({body})", ()))
    wh.execute_many(statements)
    have_by_table = wh.table_columns(SCHEMA)
    added = []
    for table, cols in TABLES.items():
        have = have_by_table.get((SCHEMA, table), set())
        added += [(f"alter table {SCHEMA}.{table} add column {name} {kind.replace(' not null', '')}", ())
                  for name, kind in cols if name not in have]
    if added:
        wh.execute_many(added)


def _insert(table: str, rows: Sequence[dict[str, Any]], ph: str) -> list[tuple[str, tuple]]:
    cols = columns(table)
    sql = f"insert into {SCHEMA}.{table} ({', '.join(cols)}) values ({', '.join([ph] * len(cols))})"
    return [(sql, tuple(row.get(c) for c in cols)) for row in rows]


# -- loads ----------------------------------------------------------------------------------------


def table_file_statements(schema: str, table: str, lineage: dict[str, Any], ph: str) -> list[tuple[str, tuple]]:
    """Say that ``schema.table`` now holds the file ``lineage`` describes (file_name, file_sha256,
    file_date, load_id): run in the transaction that fills the table."""
    row = {"table_schema": schema, "table_name": table, **lineage, "loaded_at": now()}
    return [(f"delete from {SCHEMA}.table_files where table_schema = {ph} and table_name = {ph}", (schema, table)),
            *_insert("table_files", [row], ph)]


def record_load(wh: Warehouse, file_loads: Sequence[dict[str, Any]], rejected: Sequence[dict[str, Any]]) -> None:
    """One load's file rows and rejected rows, in one transaction. A rejected row is kept once per
    (file_sha256, record_number): reloading the same file replaces its rows instead of adding them."""
    if not file_loads:
        return
    ph = wh.placeholder
    statements: list[tuple[str, tuple]] = []
    for sha in sorted({r["file_sha256"] for r in rejected}):
        statements.append((f"delete from {SCHEMA}.rejected_rows where file_sha256 = {ph}", (sha,)))
    statements += _insert("file_loads", file_loads, ph)
    statements += _insert("rejected_rows", rejected, ph)
    wh.execute_many(statements)


def current_shas(wh: Warehouse, source: str) -> dict[str, str]:
    """Entity → the sha256 of the file its raw table holds now (its latest successful load)."""
    ph = wh.placeholder
    rows = wh.query(
        f"select entity, file_sha256 from (select entity, file_sha256, row_number() over ("
        f"  partition by entity order by loaded_at desc) as recency from {SCHEMA}.file_loads "
        f"  where source = {ph} and status = 'loaded') as loads where recency = 1", (source,))
    return dict(rows)


# -- exports --------------------------------------------------------------------------------------


def record_push(wh: Warehouse, rows: Sequence[dict[str, Any]], issues: Sequence[dict[str, Any]] = ()) -> None:
    """A push's files, and its sync log, in one transaction."""
    wh.execute_many(_insert("exports", rows, wh.placeholder) + _insert("export_issues", issues, wh.placeholder))


def last_push(wh: Warehouse, vendor: str, destination: str) -> dict[str, tuple[int, str, datetime]]:
    """File → (rows, sha256, pushed_at) of the last successful push of ``vendor`` to ``destination``."""
    ph = wh.placeholder
    rows = wh.query(
        f"select file_name, rows, sha256, pushed_at from {SCHEMA}.exports where push_id = ("
        f"  select push_id from {SCHEMA}.exports where vendor = {ph} and destination = {ph}"
        f"  and status in ('pushed', 'pushed_with_warnings')"
        f"  order by pushed_at desc limit 1)", (vendor, destination))
    return {name: (int(n), sha, at) for name, n, sha, at in rows}


# -- runs -----------------------------------------------------------------------------------------


def start_run(wh: Warehouse, run_id: str, started_at: datetime, config_file: str | None,
              district_name: str | None) -> None:
    """The run's row, as 'running', so a night that dies still shows up."""
    wh.execute_many(_insert("runs", [{"run_id": run_id, "started_at": started_at, "status": "running",
                                      "config_file": config_file, "district_name": district_name}],
                            wh.placeholder))


def finish_run(wh: Warehouse, run_id: str, values: dict[str, Any], steps: Iterable[dict[str, Any]]) -> None:
    ph = wh.placeholder
    values = {**values, "steps": json.dumps(list(steps))}
    assignments = ", ".join(f"{name} = {ph}" for name in values)
    wh.execute_many([(f"update {SCHEMA}.runs set {assignments} where run_id = {ph}", (*values.values(), run_id))])
