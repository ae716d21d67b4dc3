"""Every raw table the models read exists, even before its source's first load.

A district that sends no STAR file, or runs PowerSchool instead of Aspen, still gets a working
`dbt build`: a missing raw table is created empty, in exactly the shape the loader gives it (text
columns plus the lineage columns), and the models over it return no rows. dlt adopts such a table
on the first real load. The raw_meta tables are created here too (their DDL lives in
schoolhouse.raw_meta).
"""

from __future__ import annotations

from schoolhouse import raw_meta
from schoolhouse.catalog import FILE_SOURCES, POWERSCHOOL_TABLES, raw_file_columns
from schoolhouse.warehouse import Warehouse


def expected_tables() -> dict[tuple[str, str], list[str]]:
    tables: dict[tuple[str, str], list[str]] = {}
    for source, specs in FILE_SOURCES.items():
        for spec in specs:
            tables[(f"raw_{source}", spec.entity)] = raw_file_columns(spec)
    for table, columns in POWERSCHOOL_TABLES.items():
        tables[("raw_powerschool", table)] = list(columns)
    return tables


def _type(column: str) -> str:
    return "bigint" if column == "_record_number" else "text"


def ensure_raw_tables(wh: Warehouse) -> list[str]:
    """Create the missing raw tables (empty) and the raw_meta tables, and give an existing raw table any
    known column it lacks (null), so the models always find every column; returns what was created."""
    raw_meta.ensure(wh)
    statements, created = [], []
    for (schema, table), columns in expected_tables().items():
        have = set(wh.columns(schema, table))
        if not have:
            cols = ", ".join(f'"{c}" {_type(c)}' for c in columns)
            statements += [(f"create schema if not exists {schema}", ()), (f'create table {schema}."{table}" ({cols})', ())]
            created.append(f"{schema}.{table}")
        elif schema != "raw_powerschool":  # PowerSchool tables take the shape the database gives them
            statements += [(f'alter table {schema}."{table}" add column "{c}" {_type(c)}', ())
                           for c in columns if c not in have]
    if statements:
        wh.execute_many(statements)
    return created
