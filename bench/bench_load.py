"""Loader speed and memory on the generated 50,000-student district, beside the engines' own bulk ingest.

    python -m bench.bench_load [--students 50000] [--runs 3]

Ours: `schoolhouse load aspen` (archive + sha256, parse and validate into work files, replace the
raw tables in one transaction) for all eight Aspen files, into a new warehouse. Floor: DuckDB
read_csv(all_varchar) into a table, and PostgreSQL COPY into text columns, of the same files. Each
measurement runs in its own child process so peak RSS is that run's own; each is run ``--runs``
times, the four interleaved, and the median is recorded (single runs vary by ±30% on 2 cores).
"""

from __future__ import annotations

import argparse
import csv
import shutil
import statistics
import sys
import tempfile
from pathlib import Path

from bench.common import write_results, district, python_child, timed

ASPEN = ["students_export.txt", "educators_export.txt", "courses_sections_export.txt",
         "student_section_assignment_export.txt", "educator_section_assignment_export.txt",
         "attendance_export.txt", "behavior_export.txt", "assessment_export.txt"]


def rows_in(folder: Path) -> int:
    return sum(sum(1 for _ in open(folder / f, encoding="utf-8")) - 1 for f in ASPEN)


def ours(folder: Path, target: str, env: dict[str, str]) -> tuple[float, float]:
    tmp = Path(tempfile.mkdtemp(prefix="bench-load-"))
    env = {**env, "SCHOOLHOUSE_TARGET": target, "SCHOOLHOUSE_DUCKDB_PATH": str(tmp / "w.duckdb"),
           "SCHOOLHOUSE_ARCHIVE_DIR": str(tmp / "archive"), "SCHOOLHOUSE_CACHE_DIR": str(tmp / "cache")}
    try:
        return timed([sys.executable, "-m", "schoolhouse.cli", "load", "aspen", str(folder)], env)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def duckdb_floor(folder: Path) -> tuple[float, float]:
    tmp = Path(tempfile.mkdtemp(prefix="bench-floor-"))
    statements = "; ".join(
        f"create table t{i} as select * from read_csv('{folder / f}', all_varchar=true, header=true)"
        for i, f in enumerate(ASPEN))
    code = f"import duckdb; con = duckdb.connect('{tmp / 'f.duckdb'}'); con.execute(\"{statements}\"); con.close()"
    try:
        return timed(python_child(code))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def postgres_floor(folder: Path, env: dict[str, str], database: str) -> tuple[float, float]:
    parts = []
    for i, f in enumerate(ASPEN):
        with open(folder / f, encoding="utf-8") as fh:
            header = next(csv.reader(fh))
        cols = ", ".join(f'"{c}" text' for c in header)
        parts.append(f"cur.execute('drop table if exists t{i}; create table t{i} ({cols})'); "
                     f"cur.copy_expert(\"copy t{i} from stdin with (format csv, header true)\", open('{folder / f}', 'rb'))")
    code = ("import psycopg2; con = psycopg2.connect(dbname='" + database + "'); cur = con.cursor(); "
            + "; ".join(parts) + "; con.commit(); con.close()")
    return timed(python_child(code), env)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--students", type=int, default=50_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    folder = district(args.students)
    rows = rows_in(folder)
    mib = sum((folder / f).stat().st_size for f in ASPEN) / 2**20

    from tests import pgserver

    server = pgserver.start()
    server.createdb("bench_floor")
    fresh = iter(range(1_000))

    def ours_on_postgres() -> tuple[float, float]:
        database = f"bench_ours_{next(fresh)}"  # a new warehouse each run, as DuckDB's
        server.createdb(database)
        return ours(folder, "postgres", server.env(database))

    measures = {
        ("DuckDB", "schoolhouse load aspen"): lambda: ours(folder, "duckdb", {}),
        ("DuckDB", "read_csv (floor)"): lambda: duckdb_floor(folder),
        ("PostgreSQL", "schoolhouse load aspen"): ours_on_postgres,
        ("PostgreSQL", "COPY (floor)"): lambda: postgres_floor(folder, server.env("bench_floor"), "bench_floor"),
    }
    runs: dict[tuple[str, str], list[tuple[float, float]]] = {key: [] for key in measures}
    try:
        for _ in range(args.runs):
            for key, measure in measures.items():
                runs[key].append(measure())
    finally:
        server.stop()
    results = {key: (statistics.median(s for s, _ in values), max(r for _, r in values))
               for key, values in runs.items()}

    lines = [f"# Loader benchmark: {args.students:,} students, {rows:,} rows in 8 Aspen files ({mib:.0f} MiB)", "",
             f"Median of {args.runs} runs (every run in the runs column); peak RSS the largest of them.", "",
             "| engine | what | seconds | runs | rows/s | peak RSS MiB | × floor |", "|---|---|---|---|---|---|---|"]
    for engine in ("DuckDB", "PostgreSQL"):
        floor = [v for (e, w), v in results.items() if e == engine and "floor" in w][0][0]
        for (e, what), (secs, rss) in results.items():
            if e == engine:
                every = ", ".join(f"{t:.2f}" for t, _ in runs[(e, what)])
                lines.append(f"| {e} | {what} | {secs:.2f} | {every} | {rows / secs:,.0f} | {rss:.0f} | "
                             f"{secs / floor:.2f} |")
    lines += ["", "Ours includes starting the command line, archiving with sha256, encoding detection, header "
              "checks, record numbering, reject capture, recording the load and replacing the eight raw tables "
              "in one transaction; the floor only ingests. Each run is one child process."]
    write_results("load" if args.students == 50_000 else f"load_{args.students}", lines)


if __name__ == "__main__":
    main()
