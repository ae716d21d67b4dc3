"""The same dbt project on Spark (dbt-spark's session method: a local Spark inside this process).

The raw tables a load wrote into the DuckDB warehouse are landed as Parquet, one file per table
(DuckDB writes a table's declared columns even when it has no rows), and Spark tables point at
them; then dbt builds every seed, model and test on Spark. Install it with
``pip install -c requirements.lock -e ".[spark]"`` (Java 17). A Databricks deployment uses
dbt-databricks instead, with raw tables landed as Delta (README, "Spark and Databricks").
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from schoolhouse.dbt_runner import run_dbt
from schoolhouse.settings import Settings

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

# The spark target's settings (profiles.yml.example's spark output passes none of its own).
SESSION_CONFIG = {
    "spark.master": "local[2]",
    # Tables live only for the process: a build reads raw tables registered by land_raw and writes
    # its own under the working folder. (A Hive metastore would allow one Spark process at a time.)
    "spark.sql.catalogImplementation": "in-memory",
    "spark.driver.bindAddress": "127.0.0.1",
    "spark.driver.host": "127.0.0.1",
    "spark.ui.enabled": "false",
    "spark.sql.session.timeZone": "UTC",
    # ANSI mode as Databricks SQL warehouses run it: a bad cast is an error, not a silent null, so
    # every parse in the project must be safe (macros/normalise.sql). Double-quoted identifiers are
    # standard SQL (the vendor headers in the export views); ANSI mode lets Spark read them so.
    "spark.sql.ansi.enabled": "true",
    "spark.sql.ansi.doubleQuotedIdentifiers": "true",
    # A district's tables are small for Spark: one shuffle partition and no whole-stage code
    # generation (compiling each query costs more than running it).
    "spark.sql.shuffle.partitions": "1",
    "spark.default.parallelism": "2",
    "spark.sql.codegen.wholeStage": "false",
}


def land_raw(duckdb_path: Path, folder: Path) -> list[tuple[str, str]]:
    """Copy every raw table of the DuckDB warehouse (the raw_* schemas, raw_meta among them: its
    table_files name each raw table's file; without the staging schemas and bookkeeping tables an
    earlier version's dlt loads left) to ``folder/<schema>/<table>.parquet``, replacing what an
    earlier landing left there; the (schema, table) pairs landed."""
    import duckdb

    shutil.rmtree(folder, ignore_errors=True)
    with duckdb.connect(str(duckdb_path), read_only=True) as con:
        tables = con.execute(
            "select table_schema, table_name from information_schema.tables "
            "where table_type = 'BASE TABLE' and starts_with(table_schema, 'raw_') "
            "and not ends_with(table_schema, '_staging') and not starts_with(table_name, '_dlt') "
            "order by 1, 2").fetchall()
        for schema, table in tables:
            (folder / schema).mkdir(parents=True, exist_ok=True)
            target = str(folder / schema / f"{table}.parquet").replace("'", "''")
            con.execute(f'copy "{schema}"."{table}" to \'{target}\' (format parquet)')
    return tables


def register_raw(spark: SparkSession, folder: Path) -> None:
    """Spark tables raw_<source>.<table> over the landed Parquet files."""
    for schema_dir in sorted(p for p in folder.iterdir() if p.is_dir()):
        spark.sql(f"create database if not exists `{schema_dir.name}`")
        for file in sorted(schema_dir.glob("*.parquet")):
            location = str(file).replace("\\", "\\\\").replace("'", "\\'")
            name = f"`{schema_dir.name}`.`{file.stem}`"
            spark.sql(f"drop table if exists {name}")  # an external table: its file stays
            spark.sql(f"create table {name} using parquet location '{location}'")


def session(work_dir: Path) -> SparkSession:
    """The process's Spark session, its tables under ``work_dir``/warehouse."""
    from pyspark.sql import SparkSession

    if SparkSession.getActiveSession() is None:
        # A new process starts with an empty in-memory catalog: the tables an earlier build-spark
        # wrote are orphaned folders, and Spark refuses to create a table over one.
        shutil.rmtree(work_dir / "warehouse", ignore_errors=True)
    builder = SparkSession.builder.appName("schoolhouse")
    for key, value in {**SESSION_CONFIG, "spark.sql.warehouse.dir": str(work_dir / "warehouse"),
                       "spark.local.dir": str(work_dir / "tmp")}.items():
        builder = builder.config(key, value)
    spark = builder.getOrCreate()
    spark.sparkContext.setLogLevel("ERROR")
    return spark


@contextmanager
def _ansi_mode_kept() -> Iterator[None]:
    """dbt-spark 1.11 turns ANSI mode off on every connection it opens (for Spark 3 and 4 alike);
    the build must run as Databricks runs it, so its credentials keep it on, for this build only."""
    from dbt.adapters.spark.connections import SparkCredentials

    original = SparkCredentials.__post_init__

    def keep_ansi(self) -> None:
        original(self)
        self.server_side_parameters["spark.sql.ansi.enabled"] = SESSION_CONFIG["spark.sql.ansi.enabled"]

    SparkCredentials.__post_init__ = keep_ansi
    try:
        yield
    finally:
        SparkCredentials.__post_init__ = original


def build(settings: Settings, work_dir: Path, *dbt_args: str, vars: dict | None = None) -> bool:
    """Land the settings' DuckDB raw tables and dbt build on Spark (snapshots excluded: they need a
    table format with MERGE, macros/snapshot_time.sql); True when every node succeeded."""
    land_raw(settings.duckdb_path, work_dir / "raw")
    register_raw(session(work_dir), work_dir / "raw")
    with _ansi_mode_kept():
        return run_dbt(settings, "build", "--exclude", "resource_type:snapshot", *dbt_args, vars=vars,
                       target="spark", target_path=work_dir / "dbt_target")
