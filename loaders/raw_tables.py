"""Every raw table the models read exists, even before its source's first load.

A district that sends no STAR file, or runs PowerSchool instead of Aspen, still gets a working
`dbt build`: a missing raw table is created empty, in exactly the shape the loader gives it (text
columns plus the lineage columns), and the models over it return no rows. dlt adopts such a table
on the first real load.
"""

from __future__ import annotations

from loaders.entities import FILE_SOURCES, POWERSCHOOL_TABLES, STAR_LAYOUTS
from loaders.reader import META_COLUMNS
from loaders.warehouse import Warehouse


def expected_tables() -> dict[tuple[str, str], list[str]]:
    tables: dict[tuple[str, str], list[str]] = {}
    for source, specs in FILE_SOURCES.items():
        for spec in specs:
            columns = sorted(spec.known)
            if source == "star":
                columns = sorted(set(columns) | {c for req, keys in STAR_LAYOUTS.values() for c in (*req, *keys)})
            tables[(f"raw_{source}", spec.entity)] = [*columns, *META_COLUMNS]
    for table, columns in POWERSCHOOL_TABLES.items():
        tables[("raw_powerschool", table)] = list(columns)
    return tables


def ensure_raw_tables(wh: Warehouse) -> list[str]:
    """Create the missing raw tables (empty); returns their names."""
    created = []
    with wh.connect() as con:
        cur = con.cursor()
        for (schema, table), columns in expected_tables().items():
            if wh.table_exists(schema, table):
                continue
            cols = ", ".join(f'"{c}" {"bigint" if c == "_record_number" else "text"}' for c in columns)
            cur.execute(f"create schema if not exists {schema}")
            cur.execute(f'create table {schema}."{table}" ({cols})')
            created.append(f"{schema}.{table}")
        if wh.target == "duckdb":
            con.commit()
    return created
