"""A reader of the warehouse in its own process, as a dashboard, a notebook or a BI tool is.

``python -m tests.warehouse_reader OUT STOP [--hold]`` reads the warehouse the environment names
(SCHOOLHOUSE_TARGET, SCHOOLHOUSE_DUCKDB_PATH or PG*) in a loop until the file STOP exists, and
appends one JSON line per read to OUT: when it started, how long it took, and its answer or its
error. ``--hold`` keeps one connection open throughout (a notebook left open); otherwise each read
opens and closes its own, as the dashboards do.
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

# Each value comes from one table; on DuckDB all of them are read through one connection (one file).
ANSWER_SQL = (
    "select count(*) from raw_meta.runs where status <> 'running'",
    "select count(*) from marts.fct_attendance_events",
    "select count(*) from snapshots.snap_students",
    "select count(*) from marts.dim_students",
)


def connect(hold: bool):
    if os.environ.get("SCHOOLHOUSE_TARGET", "duckdb") == "duckdb":
        import duckdb

        return duckdb.connect(os.environ["SCHOOLHOUSE_DUCKDB_PATH"], read_only=True)
    import psycopg2

    con = psycopg2.connect("")  # PGHOST, PGPORT, PGUSER, PGDATABASE from the environment
    con.set_session(readonly=True, autocommit=True)
    return con


def answer(con) -> list[int]:
    cur = con.cursor()
    values = []
    for sql in ANSWER_SQL:
        cur.execute(sql)
        values.append(cur.fetchone()[0])
    return values


def main(out: Path, stop: Path, hold: bool) -> None:
    held = connect(hold) if hold else None
    with open(out, "a", encoding="utf-8") as sink:
        while not stop.exists():
            t0 = time.time()
            record: dict = {"t": t0}
            try:
                con = held or connect(hold)
                try:
                    record["answer"] = answer(con)
                finally:
                    if not held:
                        con.close()
            except Exception as exc:  # noqa: BLE001 - every failed read is what the test counts
                record["error"] = f"{type(exc).__name__}: {exc}"
            record["seconds"] = time.time() - t0
            sink.write(json.dumps(record) + "\n")
            sink.flush()
            # Four reads a second: enough to catch any moment of a night, without the readers
            # taking the cores the night and the other test worker need.
            time.sleep(0.25)


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]), "--hold" in sys.argv[3:])
