"""Every raw table the models read exists, even before its source's first load.

A district that sends no STAR file, or runs PowerSchool instead of Aspen, still gets a working
`dbt build`: a missing raw table is created empty, in exactly the shape the loader gives it (text
columns plus the record number; PowerSchool's typed), and the models over it return no rows. The
first real load fills it (loaders.raw_swap, which gives a table tonight's new columns through
``shape_statements``). The raw_meta tables are created here too (their DDL lives in
schoolhouse.raw_meta).
"""

from __future__ import annotations

from schoolhouse import app_store, raw_meta
from schoolhouse.catalog import FILE_SOURCES, powerschool_raw_tables, raw_file_columns
from schoolhouse.warehouse import Warehouse, quote_identifier


_SQL_TYPES = {"int": "bigint", "date": "date", "text": "text"}


def expected_tables() -> dict[tuple[str, str], dict[str, str]]:
    """(schema, table) → column → SQL type, for every raw table the models read."""
    tables: dict[tuple[str, str], dict[str, str]] = {}
    for source, specs in FILE_SOURCES.items():
        for spec in specs:
            tables[(f"raw_{source}", spec.entity)] = {
                c: "bigint" if c == "_record_number" else "text" for c in raw_file_columns(spec)}
    for table, columns in powerschool_raw_tables().items():
        tables[("raw_powerschool", table)] = {c: _SQL_TYPES[kind] for c, kind in columns.items()}
    return tables


def ensure_raw_tables(wh: Warehouse) -> list[str]:
    """Create the missing raw tables (empty) and the raw_meta tables, and give an existing raw table any
    known column it lacks (null), so the models always find every column; returns what was created.
    The app tables dbt reads (educators' notes) are made readable too (app_store.share_with_dbt)."""
    raw_meta.ensure(wh)
    app_store.share_with_dbt(wh)
    shapes = expected_tables()
    have = wh.table_columns("raw_")
    statements = [(sql, ()) for sql in shape_statements(shapes, have)] + _table_files_of_earlier_loads(wh, have)
    if statements:
        wh.execute_many(statements)
    return [f"{schema}.{table}" for schema, table in shapes if (schema, table) not in have]


# Where an earlier version kept each row's file: in the raw table's own columns, the same in every row.
_LEGACY_LINEAGE = {"file_name": "_file_name", "file_sha256": "_file_sha256", "file_date": "_file_date",
                   "load_id": "_load_id"}


def _table_files_of_earlier_loads(wh: Warehouse, have: dict[tuple[str, str], set[str]]) -> list[tuple[str, tuple]]:
    """A raw table an earlier version loaded names its file in every row, and raw_meta.table_files
    not at all: say it there once, so the models see the same lineage until the next load replaces
    the table (the old columns stay, null from then on: dropping them would drop the views on them)."""
    held = set(wh.query(f"select table_schema, table_name from {raw_meta.SCHEMA}.table_files"))
    ph = wh.placeholder
    statements = []
    for (schema, table), columns in sorted(have.items()):
        if "_load_id" not in columns or (schema, table) in held:
            continue
        values = {new: f"max({quote_identifier(old)})" if old in columns else "null"
                  for new, old in _LEGACY_LINEAGE.items()}
        values["file_date"] = f"cast({values['file_date']} as date)"  # it was text
        statements.append((
            f"insert into {raw_meta.SCHEMA}.table_files (table_schema, table_name, {', '.join(values)}, "
            f"loaded_at) select {ph}, {ph}, {', '.join(values.values())}, {ph} from {schema}.{quote_identifier(table)} "
            "where _load_id is not null having count(*) > 0", (schema, table, raw_meta.now())))
    return statements


def shape_statements(shapes: dict[tuple[str, str], dict[str, str]], have: dict[tuple[str, str], set[str]],
                     drop_prefix: str | None = None) -> list[str]:
    """DDL giving each (schema, table) of ``shapes`` its columns: a missing table is created, a missing
    column added (never one removed, except those named ``drop_prefix...``: dlt's own columns, left in
    tables that dlt loaded before Schoolhouse loaded them itself)."""
    statements = []
    for (schema, table), columns in shapes.items():
        existing = have.get((schema, table))
        relation = f"{schema}.{quote_identifier(table)}"
        if not existing:
            cols = ", ".join(f"{quote_identifier(c)} {kind}" for c, kind in columns.items())
            statements += [f"create schema if not exists {schema}", f"create table if not exists {relation} ({cols})"]
            continue
        statements += [f"alter table {relation} add column {quote_identifier(c)} {kind}"
                       for c, kind in columns.items() if c not in existing]
        if drop_prefix:
            statements += [f"alter table {relation} drop column {quote_identifier(c)}"
                           for c in sorted(existing) if c.startswith(drop_prefix) and c not in columns]
    return statements
