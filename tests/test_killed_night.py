"""A killed night (issue 15): SIGKILL of the nightly at several points leaves the warehouse readers
see byte for byte as it was, and the next night runs whole. Its own file, so the test processes
share the long serving tests between them."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from schoolhouse.generation import next_path
from tests.test_serving import answer, night, nights

pytestmark = pytest.mark.slow


def _nightly_process(config: Path) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-c", "from schoolhouse.cli import main; main()", "nightly",
                             "--config", str(config)], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            text=True, env={**os.environ, "PYTHONUNBUFFERED": "1", "COLUMNS": "200"},
                            cwd=Path(__file__).parent.parent)


def _kill_when(proc: subprocess.Popen, seen) -> str:
    """SIGKILL the nightly once ``seen(output so far)`` is true; the output it had written."""
    output = []
    for line in proc.stdout:
        output.append(line)
        if seen("".join(output)):
            break
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)
    return "".join(output)


def test_a_killed_night_leaves_readers_and_the_next_night_whole(duckdb_warehouse, tmp_path):
    wh = duckdb_warehouse
    configs = nights(tmp_path, 2)
    night(configs[0])
    first = answer(wh)
    before = wh.duckdb_path.read_bytes()
    kill_points = {
        "while copying and loading": lambda out: "loading district" in out,
        "in the middle of dbt build": lambda out: out.count(" OK created ") >= 40,
        "while writing the vendor files": lambda out: "exporting clever" in out,
    }
    for point, seen in kill_points.items():
        output = _kill_when(_nightly_process(configs[1]), seen)
        assert seen(output), f"the nightly ended before it was {point}:\n{output[-2000:]}"
        assert wh.duckdb_path.read_bytes() == before, f"killed {point}, the warehouse changed"
        assert answer(wh) == first, f"killed {point}, readers no longer see last night"
    night(configs[1])
    after = answer(wh)
    assert after[0] == 2 and after[1] != first[1], "the next night ran whole after three killed ones"
    assert not next_path(wh.duckdb_path).parent.exists()
