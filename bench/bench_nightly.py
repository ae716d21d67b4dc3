"""The whole nightly job at a district's size: load, build with every test, all five vendor exports.

    python -m bench.bench_nightly [--students 50000] [--target duckdb|postgres] [--record]

Night 1 is a fresh warehouse (the full night); night 2 is the next school day's files on top of it
(snapshots and incremental facts do only what changed). Each night is `schoolhouse nightly` in its
own process: wall time and peak RSS are that process's own. The slowest dbt nodes of each night come
from dbt's run_results.json. PostgreSQL comes from the PG* variables (a running server). --record
appends the result to bench/results/nightly.md.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import sys
import tempfile
from datetime import date
from pathlib import Path

import yaml

from bench.common import RESULTS, as_of, district, timed

VENDORS = ("sds-v2.1", "sds-v1", "stmath", "oneroster-1.1", "clever")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--students", type=int, default=50_000)
    ap.add_argument("--target", choices=("duckdb", "postgres"), default="duckdb")
    ap.add_argument("--slowest", type=int, default=12, help="how many of the slowest dbt nodes to list per night")
    ap.add_argument("--memory-limit", default=None,
                    help="the duckdb_memory_limit setting (e.g. 4GB; default DuckDB's 80%% of RAM)")
    ap.add_argument("--record", action="store_true", help=f"append the result to {RESULTS / 'nightly.md'}")
    args = ap.parse_args(argv)
    nights = [district(args.students, day=60), district(args.students, day=61)]
    tmp = Path(tempfile.mkdtemp(prefix="bench-nightly-"))
    env = {"SCHOOLHOUSE_TARGET": args.target, "SCHOOLHOUSE_DUCKDB_PATH": str(tmp / "w.duckdb"),
           "SCHOOLHOUSE_ARCHIVE_DIR": str(tmp / "archive"), "SCHOOLHOUSE_CACHE_DIR": str(tmp / "cache"),
           "DBT_TARGET_PATH": str(tmp / "target"), "DBT_LOG_PATH": str(tmp / "logs")}
    if args.memory_limit:
        env["SCHOOLHOUSE_DUCKDB_MEMORY_LIMIT"] = args.memory_limit
    rows, slowest, steps = [], [], []
    try:
        for n, folder in enumerate(nights, start=1):
            config = tmp / f"night{n}.yml"
            config.write_text(yaml.safe_dump({
                "district_name": f"Bench {args.students:,}", "as_of_date": as_of(folder),
                "email_domain": "example-district.org", "student_email_domain": "students.example-district.org",
                "student_password_policy": "student_id",
                "sources": {s: str(folder) for s in ("district", "aspen", "star")},
                "exports": [{"vendor": v, "to": str(tmp / "out" / v)} for v in VENDORS],
            }))
            seconds, rss = timed([sys.executable, "-m", "schoolhouse.cli", "nightly"],
                                 {**env, "SCHOOLHOUSE_CONFIG": str(config)})
            rows.append((f"night {n}" + (" (fresh warehouse)" if n == 1 else " (the next school day)"), seconds, rss))
            steps.append((n, _steps(args.target, tmp / "w.duckdb")))
            results = json.loads((tmp / "target" / "run_results.json").read_text())["results"]
            top = sorted(results, key=lambda r: -r["execution_time"])[:args.slowest]
            slowest.append((n, sum(r["execution_time"] for r in results), len(results),
                            [(r["unique_id"].split(".", 2)[-1], r["execution_time"]) for r in top]))
        size = (tmp / "w.duckdb").stat().st_size if args.target == "duckdb" else None
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    lines = [f"## {args.students:,} students, {args.target}, {os.cpu_count()} cpu, Python {platform.python_version()} "
             f"({date.today()})" + (f", duckdb_memory_limit {args.memory_limit}" if args.memory_limit else ""), "", "| night | seconds | peak RSS MiB |", "|---|---:|---:|"]
    lines += [f"| {label} | {secs:.1f} | {peak:,.0f} |" for label, secs, peak in rows]
    if size:
        lines += ["", f"Warehouse file: {size / 2**20:,.0f} MiB."]
    for n, parts in steps:
        lines += ["", f"Night {n} by step: " + ", ".join(f"{name} {secs:.1f} s" for name, secs in parts) + "."]
    for n, total, count, top in slowest:
        lines += ["", f"Night {n}: {count} dbt nodes, {total:.1f} s of node time (threads overlap it); the slowest:", ""]
        lines += [f"- `{node}` {secs:.1f} s" for node, secs in top]
    text = "\n".join(lines) + "\n"
    print(text)
    if args.record:
        path = RESULTS / "nightly.md"
        if not path.exists():
            path.write_text("# Nightly benchmark\n\n`python -m bench.bench_nightly --students N --record`: "
                            "`schoolhouse nightly` (load, build with every test, five vendor exports) on two "
                            "consecutive school days.\n\n")
        with path.open("a") as f:
            f.write(text + "\n")
    return 0


def _steps(target: str, duckdb_path: Path) -> list[tuple[str, float]]:
    """(step, seconds) of the night just run, from its record in raw_meta.runs."""
    from schoolhouse.warehouse import Warehouse

    wh = Warehouse(target, duckdb_path)
    [(recorded,)] = wh.query("select steps from raw_meta.runs order by started_at desc limit 1")
    return [(s["name"], s["seconds"]) for s in json.loads(recorded)]


if __name__ == "__main__":
    sys.exit(main())
