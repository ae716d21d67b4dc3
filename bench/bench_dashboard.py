"""Benchmark the educator dashboards: script time of every page for each role, with Streamlit's AppTest.

    python -m bench.bench_dashboard [--repeat 3] [--record]      # on the warehouse the environment names

The warehouse must be built (SCHOOLHOUSE_TARGET, SCHOOLHOUSE_DUCKDB_PATH or PG*), with the access
models. Roles are the demo accounts (the teacher with the most students, a principal, a counselor,
a district administrator). For every page: "cold" clears st.cache_data first (the first viewer
after a restart or after the cache expires), "warm" reruns it (the same viewer clicking around).
Times are the server-side script run (queries + building the page); the browser's drawing is not
included. --record appends the table to bench/results/dashboard.md.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import time
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "results" / "dashboard.md"
APP = Path(__file__).resolve().parent.parent / "dashboards" / "app.py"
PAGES = ["attention", "overview", "attendance", "discipline", "assessments", "student", "data_health"]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=3, help="runs per page and mode (the median is reported)")
    ap.add_argument("--record", action="store_true", help=f"append the result to {RESULTS}")
    ap.add_argument("--note", default="", help="a note for the recorded row (e.g. the district size)")
    ap.add_argument("--role", default=None, help="only the accounts whose label starts with this (e.g. District)")
    args = ap.parse_args(argv)

    os.environ["SCHOOLHOUSE_DEMO_MODE"] = "1"
    import logging

    import streamlit as st
    from streamlit.testing.v1 import AppTest

    logging.getLogger("streamlit").setLevel(logging.ERROR)
    from dashboards import access, db
    from dashboards.access import Identity

    students = int(db.query("select count(*) as n from marts.metrics_students").iloc[0, 0])
    accounts = [a for a in access.demo_accounts() if not args.role or a["label"].startswith(args.role)]
    rows = []
    for account in accounts:
        identity = Identity(method="demo", login=account["login"], email=account["email"])
        viewer = access.resolve(identity)
        sample = db.query("select student_id from marts.access_viewer_students where staff_id = ? order by student_id limit 1",
                          [viewer.staff_id]).iloc[0, 0]
        at = AppTest.from_file(str(APP), default_timeout=120)
        at.session_state["identity"] = identity
        at.query_params["student"] = sample
        st.cache_data.clear()
        t0 = time.perf_counter()
        at.run()
        sign_in = time.perf_counter() - t0
        _check(at, account["label"], "sign-in")
        for page in PAGES:
            if page == "data_health" and viewer.scope != "district":
                continue
            cold, warm = [], []
            for _ in range(args.repeat):
                st.cache_data.clear()
                at.switch_page(f"views/{page}.py")
                t0 = time.perf_counter()
                at.run()
                cold.append(time.perf_counter() - t0)
                _check(at, account["label"], page)
                t0 = time.perf_counter()
                at.run()
                warm.append(time.perf_counter() - t0)
            rows.append((account["label"], account["students"], page, statistics.median(cold), statistics.median(warm)))
            print(f"{account['label']:<24} {account['students']:>7,} {page:<12} cold {rows[-1][3]:.3f}s  warm {rows[-1][4]:.3f}s",
                  flush=True)
        print(f"{account['label']:<24} sign-in + overview, cold: {sign_in:.3f}s", flush=True)

    worst_cold = max(r[3] for r in rows)
    worst_warm = max(r[4] for r in rows)
    print(f"\n{students:,} active students on {db.describe_target()}: slowest page cold {worst_cold:.3f}s, warm {worst_warm:.3f}s")
    if args.record:
        record(rows, students, args.note)
    return 0


def _check(at, who: str, page: str) -> None:
    if at.exception:
        raise SystemExit(f"{who} {page}: {at.exception[0].message}")


def record(rows, students: int, note: str) -> None:
    from dashboards import db

    machine = f"{os.cpu_count()} cpu, Python {platform.python_version()}"
    new = not RESULTS.exists()
    with RESULTS.open("a") as f:
        if new:
            f.write("# Dashboard benchmark\n\n`python -m bench.bench_dashboard --record` (AppTest script time per page, "
                    "median of 3; cold = empty st.cache_data, warm = cached)\n")
        f.write(f"\n## {students:,} active students, {db.describe_target()}, {machine}"
                f"{', ' + note if note else ''} ({time.strftime('%Y-%m-%d')})\n\n")
        f.write("| role | viewer's students | page | cold s | warm s |\n| --- | ---: | --- | ---: | ---: |\n")
        for role, n, page, cold, warm in rows:
            f.write(f"| {role} | {n:,} | {page} | {cold:.3f} | {warm:.3f} |\n")


if __name__ == "__main__":
    sys.exit(main())
