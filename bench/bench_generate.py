"""Benchmark the synthetic district generator: wall time, peak RSS and rows per file.

    python -m bench.bench_generate --students 50000 [--seed 1] [--day 60] [--dirty] [--out DIR] [--record]

--record appends the result as a row to bench/results/generate.md.
"""
from __future__ import annotations

import argparse
import os
import platform
import resource
import shutil
import tempfile
import time
from pathlib import Path

from generator import GENERATOR_VERSION, generate

RESULTS = Path(__file__).resolve().parent / "results" / "generate.md"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--students", type=int, default=50_000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--day", type=int, default=60)
    ap.add_argument("--dirty", action="store_true")
    ap.add_argument("--out", type=Path, default=None, help="keep the files here (default: a temporary folder, removed)")
    ap.add_argument("--record", action="store_true", help=f"append the result to {RESULTS}")
    args = ap.parse_args(argv)
    out = args.out or Path(tempfile.mkdtemp(prefix="bench_generate_"))
    try:
        t0 = time.perf_counter()
        manifest = generate(out, students=args.students, seed=args.seed, day=args.day, dirty=args.dirty)
        wall = time.perf_counter() - t0
        peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        size_mb = sum(p.stat().st_size for p in out.iterdir()) / 1e6
    finally:
        if args.out is None:
            shutil.rmtree(out, ignore_errors=True)
    rows = {name: f["rows"] for name, f in sorted(manifest["files"].items()) if f.get("rows") is not None}
    print(f"students={args.students} seed={args.seed} day={args.day} dirty={args.dirty} as_of={manifest['as_of_date']}")
    print(f"wall_time_s={wall:.1f} peak_rss_mb={peak_mb:.0f} output_mb={size_mb:.0f} cpus={os.cpu_count()}")
    for name, n in rows.items():
        print(f"  {name:42s} {n:>10,}")
    if args.record:
        RESULTS.parent.mkdir(parents=True, exist_ok=True)
        if not RESULTS.exists():
            RESULTS.write_text("# Generator benchmark\n\n`python -m bench.bench_generate --students N [--day D] [--dirty] --record`\n\n"
                               "| students | day | dirty | wall s | peak RSS MB | output MB | attendance rows | student rows | machine | generator |\n"
                               "| ---: | ---: | --- | ---: | ---: | ---: | ---: | ---: | --- | --- |\n", encoding="utf-8")
        with open(RESULTS, "a", encoding="utf-8") as f:
            f.write(f"| {args.students:,} | {args.day} | {args.dirty} | {wall:.1f} | {peak_mb:.0f} | {size_mb:.0f} | "
                    f"{rows['attendance_export.txt']:,} | {rows['students_export.txt']:,} | "
                    f"{os.cpu_count()} cpu, Python {platform.python_version()} | {GENERATOR_VERSION} |\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
