"""dbt build times on the generated district: a full build, then the next night's incremental build.

    python -m bench.bench_build [--students 50000]
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from pathlib import Path

from bench.common import write_results, as_of, district, timed
from schoolhouse.generation import copy_file


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--students", type=int, default=50_000)
    args = parser.parse_args()
    night1, night2 = district(args.students, day=60), district(args.students, day=61)
    tmp = Path(tempfile.mkdtemp(prefix="bench-build-"))
    env = {"SCHOOLHOUSE_TARGET": "duckdb", "SCHOOLHOUSE_DUCKDB_PATH": str(tmp / "w.duckdb"),
           "SCHOOLHOUSE_ARCHIVE_DIR": str(tmp / "archive"), "SCHOOLHOUSE_CACHE_DIR": str(tmp / "cache")}
    cli = [sys.executable, "-m", "schoolhouse.cli"]
    rows = []
    try:
        for label, night in (("full build (first night)", night1), ("incremental build (next night)", night2)):
            night_env = {**env, "SCHOOLHOUSE_AS_OF_DATE": as_of(night)}
            for source in ("district", "aspen", "star"):
                timed([*cli, "load", source, str(night)], night_env)
            rows.append((label, *timed([*cli, "build"], night_env)))
        night_env = {**env, "SCHOOLHOUSE_AS_OF_DATE": as_of(night2)}
        rows.append(("full rebuild of the same night (--full-refresh)",
                     *timed([*cli, "build", "--full-refresh"], night_env)))
        # Every writing command first copies the warehouse (schoolhouse.generation): its size and cost.
        size = (tmp / "w.duckdb").stat().st_size
        t0 = time.perf_counter()
        copy_file(tmp / "w.duckdb", tmp / "copy.duckdb")
        copy_seconds = time.perf_counter() - t0
        # Restoring a lost warehouse from the archive: the journal's loads and builds played back.
        replay_env = {**env, "SCHOOLHOUSE_DUCKDB_PATH": str(tmp / "replayed" / "w.duckdb"),
                      "SCHOOLHOUSE_CACHE_DIR": str(tmp / "cache_replay")}
        rows.append(("replay --from-archive of all the above (3 loads x 2 nights, 3 builds)",
                     *timed([*cli, "replay", "--from-archive"], replay_env)))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    lines = [f"# dbt build benchmark: {args.students:,} students on DuckDB", "",
             "| build | seconds | peak RSS MiB |", "|---|---|---|"]
    lines += [f"| {label} | {secs:.1f} | {rss:.0f} |" for label, secs, rss in rows]
    lines += ["", f"The warehouse file is {size / 2**20:,.0f} MiB; the copy every writing command makes first "
              f"(readers keep the current file meanwhile) took {copy_seconds:.1f} s here.",
              "", "Each build is `schoolhouse build` (seeds, models, snapshots and every test) in its own process; "
              "the incremental facts insert only new or changed rows and delete rows gone upstream."]
    write_results("build", lines)


if __name__ == "__main__":
    main()
