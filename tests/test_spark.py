"""Parity with Spark: one generated district built on DuckDB and on a local Spark (dbt-spark's
session method, ANSI mode on as Databricks runs it); every mart and export view is the same, row
for row. Skip it locally with ``-m "not spark"``; CI runs it."""

from __future__ import annotations

import datetime as dt
import json
import math
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest
import yaml

from generator import generate
from schoolhouse import spark
from schoolhouse.build import build
from schoolhouse.settings import load_settings
from tests.test_pipeline import SOURCES, load_all

pytestmark = [pytest.mark.spark, pytest.mark.slow]

SNAPSHOT_AT = "2026-11-02 02:00:00"


def _value(v):
    """One cell as both engines can agree on it: numbers to 6 decimals, instants in UTC, no NaN."""
    if hasattr(v, "item") and not isinstance(v, (str, bytes)):  # numpy scalar
        v = v.item()
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return None
    if isinstance(v, bool):
        return v
    if isinstance(v, (int, float, Decimal)):
        return round(float(v), 6)
    if isinstance(v, dt.datetime):
        if v.tzinfo is not None:
            v = v.astimezone(dt.timezone.utc).replace(tzinfo=None)
        return v.isoformat(sep=" ")
    if isinstance(v, dt.date):
        return v.isoformat()
    if hasattr(v, "to_pydatetime"):  # pandas Timestamp / NaT
        return None if str(v) == "NaT" else _value(v.to_pydatetime())
    return v


def _rows(records: list[tuple]) -> list[tuple]:
    return sorted((tuple(_value(v) for v in r) for r in records), key=repr)


@pytest.fixture
def district(tmp_path: Path, duckdb_warehouse, monkeypatch) -> Path:
    folder = tmp_path / "district"
    generate(folder, students=300, seed=42, dirty=True)
    truth = json.loads((folder / "truth.json").read_text())
    config = tmp_path / "district.yml"
    config.write_text(yaml.safe_dump({
        "as_of_date": truth["as_of_date"], "email_domain": "example-district.org",
        "student_email_domain": "students.example-district.org", "student_password_policy": "student_id",
        "sources": {s: str(folder) for s in SOURCES}}))
    monkeypatch.setenv("SCHOOLHOUSE_CONFIG", str(config))
    return folder


def test_every_mart_and_export_view_is_the_same_on_spark_as_on_duckdb(district, tmp_path):
    load_all(district)
    settings = load_settings()
    night = {**settings.dbt_vars(), "snapshot_at": SNAPSHOT_AT}
    assert build(settings, replay_vars=night), "dbt build on DuckDB failed"
    assert spark.build(settings, tmp_path / "spark", vars={"snapshot_at": SNAPSHOT_AT}), \
        "dbt build on Spark failed (its log is in the test's dbt_logs folder)"

    session = spark.session(tmp_path / "spark")
    with duckdb.connect(str(settings.duckdb_path), read_only=True) as con:
        relations = con.execute("select table_schema, table_name from information_schema.tables "
                                "where table_schema in ('marts', 'exports') order by 1, 2").fetchall()
        assert len(relations) > 60
        differences = []
        for schema, name in relations:
            duck = con.execute(f'select * from "{schema}"."{name}"')
            duck_columns = [d[0] for d in duck.description]
            duck_rows = _rows(duck.fetchall())
            frame = session.table(f"`{schema}`.`{name}`")
            spark_rows = _rows([tuple(r) for r in frame.collect()])
            if frame.columns != duck_columns:
                differences.append(f"{schema}.{name}: columns {frame.columns} on Spark, {duck_columns} on DuckDB")
            elif spark_rows != duck_rows:
                only_duck = [r for r in duck_rows if r not in spark_rows][:3]
                only_spark = [r for r in spark_rows if r not in duck_rows][:3]
                differences.append(f"{schema}.{name}: {len(spark_rows)} rows on Spark, {len(duck_rows)} on DuckDB; "
                                   f"only on DuckDB {only_duck}, only on Spark {only_spark}")
    # Something to compare: the facts and the vendor files are not empty.
    for schema, name in [("marts", "fct_attendance_events"), ("marts", "fct_school_enrollments"),
                         ("exports", "clever__students"), ("exports", "oneroster_11__users")]:
        assert session.table(f"{schema}.{name}").count() > 0, name
    assert not differences, "\n".join(differences)
