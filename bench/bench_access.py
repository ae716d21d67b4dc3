"""Who-sees-whom at scale: the access models' build time and size, and the dashboards' permission
query through the access_viewer_students view, at two district sizes.

    python -m bench.bench_access [--students 50000 1000000]

Access is decided by rule (scopes on the org tree), so what is stored grows with staff + schools,
never with viewers × students; this benchmark records both so that stays true.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

from bench.common import as_of, district, timed, write_results

ACCESS_MODELS = ("access_org_schools", "access_grants", "access_viewer_scopes", "access_viewers",
                 "access_viewer_schools", "access_viewer_students")

# The dashboards' permission filter (dashboards/data.py ALLOWED) under a count, as every page runs it.
PAGE_QUERY = ("select count(*) from marts.dim_students as m where m.student_id in "
              "(select student_id from marts.access_viewer_students where staff_id = ?)")


def _measure(students: int) -> dict:
    night = district(students, day=60)
    tmp = Path(tempfile.mkdtemp(prefix="bench-access-"))
    env = {"SCHOOLHOUSE_TARGET": "duckdb", "SCHOOLHOUSE_DUCKDB_PATH": str(tmp / "w.duckdb"),
           "SCHOOLHOUSE_ARCHIVE_DIR": str(tmp / "archive"), "SCHOOLHOUSE_CACHE_DIR": str(tmp / "cache"),
           "SCHOOLHOUSE_AS_OF_DATE": as_of(night), "DBT_TARGET_PATH": str(tmp / "target")}
    cli = [sys.executable, "-m", "schoolhouse.cli"]
    try:
        for source in ("district", "aspen", "star"):
            timed([*cli, "load", source, str(night)], env)
        wall, rss = timed([*cli, "build", "--select", "+path:models/marts/access"], env)
        results = json.loads((tmp / "target" / "run_results.json").read_text())["results"]
        model_secs = {r["unique_id"].split(".")[-1]: r["execution_time"] for r in results
                      if r["unique_id"].startswith("model.")}
        import duckdb

        with duckdb.connect(env["SCHOOLHOUSE_DUCKDB_PATH"], read_only=True) as con:
            rows = {m: con.execute(f"select count(*) from marts.{m}").fetchone()[0] for m in ACCESS_MODELS}
            viewers = dict(con.execute(
                "select effective_scope, min(staff_id) from marts.access_viewers "
                "where effective_scope in ('sections', 'school', 'district') group by 1").fetchall())
            page = {}
            for scope, staff_id in sorted(viewers.items()):
                times = []
                for _ in range(5):
                    t = time.perf_counter()
                    n = con.execute(PAGE_QUERY, [staff_id]).fetchone()[0]
                    times.append(time.perf_counter() - t)
                page[scope] = (n, statistics.median(times))
            total_students = con.execute("select count(*) from marts.dim_students").fetchone()[0]
            staff = con.execute("select count(*) from marts.dim_staff").fetchone()[0]
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return {"students": total_students, "staff": staff, "wall": wall, "rss": rss,
            "model_secs": model_secs, "rows": rows, "page": page}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--students", type=int, nargs="+", default=[50_000, 1_000_000])
    args = parser.parse_args()
    runs = [_measure(n) for n in args.students]
    lines = ["# Access by rule: build and query at scale (DuckDB, 2 cores)", "",
             "`schoolhouse build --select +path:models/marts/access` (the access models, everything they "
             "read, their tests) on a generated district; then the dashboards' permission query per kind "
             "of viewer (median of 5, warm).", "",
             "| | " + " | ".join(f"{r['students']:,} students" for r in runs) + " |",
             "|---|" + "---|" * len(runs)]
    lines.append("| staff | " + " | ".join(f"{r['staff']:,}" for r in runs) + " |")
    lines.append("| build wall s (whole selection) | " + " | ".join(f"{r['wall']:.1f}" for r in runs) + " |")
    lines.append("| build peak RSS MiB | " + " | ".join(f"{r['rss']:.0f}" for r in runs) + " |")
    for m in ACCESS_MODELS:
        lines.append(f"| {m}: rows | " + " | ".join(f"{r['rows'][m]:,}" for r in runs) + " |")
        lines.append(f"| {m}: build s | " + " | ".join(f"{r['model_secs'].get(m, 0):.2f}" for r in runs) + " |")
    for scope in ("sections", "school", "district"):
        cells = [f"{r['page'][scope][1] * 1000:.0f} ms ({r['page'][scope][0]:,} students)" if scope in r["page"]
                 else "—" for r in runs]
        lines.append(f"| permission query, {scope} viewer | " + " | ".join(cells) + " |")
    lines += ["", "access_viewer_students and access_viewer_schools are views: their row counts are what a "
              "full scan would return (every viewer's students), computed on demand, never stored."]
    write_results("access", lines)


if __name__ == "__main__":
    main()
