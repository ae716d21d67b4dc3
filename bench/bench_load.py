"""Loader speed and memory on the generated 50,000-student district, beside the engines' own bulk ingest.

    python -m bench.bench_load [--students 50000]

Ours: `schoolhouse load aspen` (archive + sha256, parse and validate, dlt load) for all eight Aspen
files. Floor: DuckDB read_csv(all_varchar) into a table, and PostgreSQL COPY into text columns,
of the same files. Each measurement runs in its own child process so peak RSS is that run's own.
"""

from __future__ import annotations

import argparse
import csv
import shutil
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
           "SCHOOLHOUSE_ARCHIVE_DIR": str(tmp / "archive"), "SCHOOLHOUSE_DLT_DIR": str(tmp / "dlt")}
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
    args = parser.parse_args()
    folder = district(args.students)
    rows = rows_in(folder)
    mib = sum((folder / f).stat().st_size for f in ASPEN) / 2**20

    from tests import pgserver

    server = pgserver.start()
    server.createdb("bench_ours")
    server.createdb("bench_floor")
    try:
        results = {
            ("DuckDB", "schoolhouse load aspen"): ours(folder, "duckdb", {}),
            ("DuckDB", "read_csv (floor)"): duckdb_floor(folder),
            ("PostgreSQL", "schoolhouse load aspen"): ours(folder, "postgres", server.env("bench_ours")),
            ("PostgreSQL", "COPY (floor)"): postgres_floor(folder, server.env("bench_floor"), "bench_floor"),
        }
    finally:
        server.stop()

    lines = [f"# Loader benchmark: {args.students:,} students, {rows:,} rows in 8 Aspen files ({mib:.0f} MiB)", "",
             "| engine | what | seconds | rows/s | peak RSS MiB | × floor |", "|---|---|---|---|---|---|"]
    for engine in ("DuckDB", "PostgreSQL"):
        floor = [v for (e, w), v in results.items() if e == engine and "floor" in w][0][0]
        for (e, what), (secs, rss) in results.items():
            if e == engine:
                lines.append(f"| {e} | {what} | {secs:.1f} | {rows / secs:,.0f} | {rss:.0f} | {secs / floor:.2f} |")
    lines += ["", "Ours includes archiving with sha256, encoding detection, header checks, record numbering, "
              "reject capture and the dlt load; the floor only ingests. Each row is one child process."]
    write_results("load", lines)


if __name__ == "__main__":
    main()
