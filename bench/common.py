"""Shared benchmark plumbing: a generated district cached under bench/work, timed child processes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

WORK = Path(__file__).resolve().parent / "work"
RESULTS = Path(__file__).resolve().parent / "results"


def district(students: int, day: int = 60, seed: int = 2027) -> Path:
    """A clean generated district, made once and reused (bench/work is git-ignored)."""
    out = WORK / f"district_{students}_{day}_{seed}"
    if not (out / "district_manifest.json").exists():
        from generator import generate

        generate(out, students=students, seed=seed, day=day)
    return out


def as_of(folder: Path) -> str:
    return json.loads((folder / "district_manifest.json").read_text())["as_of_date"]


# Peak RSS: the largest of the command's processes (RUSAGE_CHILDREN, exact) or of the sum over its
# process tree sampled every 50 ms (the nightly protects large lattices in processes of its own,
# which run beside it).
_WRAPPER = """
import resource, subprocess, sys, time, psutil
t = time.perf_counter()
child = subprocess.Popen(sys.argv[1:], stdout=subprocess.DEVNULL)
tree_peak = 0
while child.poll() is None:
    try:
        procs = [psutil.Process(child.pid), *psutil.Process(child.pid).children(recursive=True)]
        tree_peak = max(tree_peak, sum(p.memory_info().rss for p in procs if p.is_running()))
    except psutil.Error:
        pass
    time.sleep(0.05)
if child.returncode:
    raise subprocess.CalledProcessError(child.returncode, sys.argv[1:])
print(time.perf_counter() - t, max(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, tree_peak // 1024))
"""


def timed(cmd: list[str], env: dict[str, str] | None = None) -> tuple[float, float]:
    """Run ``cmd`` under a fresh wrapper process; (wall seconds, the command's peak RSS in MiB).

    The wrapper's only child is ``cmd``, so its RUSAGE_CHILDREN peak is that command's own largest
    process; the sampled sum over the command's process tree counts processes it runs side by side."""
    out = subprocess.run([sys.executable, "-c", _WRAPPER, *cmd], check=True, capture_output=True, text=True,
                         env={**os.environ, **(env or {})})
    wall, peak_kib = out.stdout.split()[-2:]
    return float(wall), int(peak_kib) / 1024


def python_child(code: str) -> list[str]:
    return [sys.executable, "-c", code]


def write_results(name: str, lines: list[str]) -> None:
    """Write bench/results/<name>.md and print it."""
    text = "\n".join(lines) + "\n"
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / f"{name}.md").write_text(text)
    print(text)
