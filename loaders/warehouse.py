"""The warehouse: which engine, how dlt and dbt reach it, and a plain DB-API connection for metadata.

DuckDB (embedded file, the default) or PostgreSQL (from the standard libpq variables). This is
the only module that knows the difference between the two.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

TARGETS = ("duckdb", "postgres")


@dataclass(frozen=True)
class Warehouse:
    target: str = "duckdb"

    @classmethod
    def from_env(cls, target: str | None = None) -> "Warehouse":
        target = target or os.environ.get("SCHOOLHOUSE_TARGET", "duckdb")
        if target not in TARGETS:
            raise ValueError(f"Unknown target {target!r}: use one of {', '.join(TARGETS)}.")
        return cls(target)

    @property
    def duckdb_path(self) -> Path:
        return Path(os.environ.get("SCHOOLHOUSE_DUCKDB_PATH", "warehouse.duckdb")).resolve()

    @staticmethod
    def pg_params() -> dict[str, Any]:
        return {
            "host": os.environ.get("PGHOST", "localhost"),
            "port": int(os.environ.get("PGPORT", "5432")),
            "user": os.environ.get("PGUSER", "postgres"),
            "password": os.environ.get("PGPASSWORD", ""),
            "dbname": os.environ.get("PGDATABASE", "schoolhouse"),
        }

    def dlt_destination(self):
        import dlt

        if self.target == "duckdb":
            return dlt.destinations.duckdb(str(self.duckdb_path))
        from dlt.destinations.impl.postgres.configuration import PostgresCredentials

        p = self.pg_params()
        creds = PostgresCredentials()
        creds.database, creds.username, creds.host, creds.port = p["dbname"], p["user"], p["host"], p["port"]
        creds.password = p["password"] or None
        # dlt insists on a password; libpq does not (trust, peer, .pgpass). Mark resolved as configured.
        creds.resolve()
        return dlt.destinations.postgres(credentials=creds)

    @property
    def loader_file_format(self) -> str:
        # Arrow data goes to DuckDB as Parquet and to PostgreSQL as CSV through COPY.
        return "parquet" if self.target == "duckdb" else "csv"

    @contextmanager
    def connect(self, read_only: bool = False) -> Iterator[Any]:
        """A DB-API connection, closed on exit. Commits on success for PostgreSQL."""
        if self.target == "duckdb":
            import duckdb

            if read_only and not self.duckdb_path.exists():
                raise FileNotFoundError(f"No warehouse at {self.duckdb_path}: run `schoolhouse load` and `schoolhouse build` first.")
            con = duckdb.connect(str(self.duckdb_path), read_only=read_only)
            try:
                yield con
            finally:
                con.close()
        else:
            import psycopg2

            con = psycopg2.connect(**self.pg_params())
            if read_only:
                con.set_session(readonly=True)
            try:
                yield con
                con.commit()
            finally:
                con.close()

    def query(self, sql: str, params: tuple | list | None = None) -> list[tuple]:
        with self.connect() as con:
            cur = con.cursor()
            cur.execute(sql, params or ())
            return cur.fetchall() if cur.description else []

    def table_exists(self, schema: str, table: str) -> bool:
        rows = self.query(
            "select count(*) from information_schema.tables where table_schema = %s and table_name = %s"
            if self.target == "postgres" else
            "select count(*) from information_schema.tables where table_schema = ? and table_name = ?",
            (schema, table),
        )
        return bool(rows and rows[0][0])

    @property
    def placeholder(self) -> str:
        return "%s" if self.target == "postgres" else "?"
