"""Files about children are owner-only (0600, folders 0700) whatever the umask: the archive of SIS
exports, the landing folder, the DuckDB warehouse, and what was left open before."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from generator import generate

ROOT = Path(__file__).resolve().parent.parent


def _modes(folder: Path) -> dict[str, int]:
    out = {}
    for root, dirs, files in os.walk(folder):
        for name in [*dirs, *files]:
            p = Path(root) / name
            out[str(p.relative_to(folder))] = stat.S_IMODE(p.stat().st_mode)
    return out


@pytest.mark.parametrize("umask", [0o000, 0o022])
def test_a_load_under_a_lax_umask_leaves_nothing_readable_to_others(tmp_path, umask):
    district = tmp_path / "district"
    generate(district, students=60, seed=4, day=20)
    archive = tmp_path / "archive"
    (archive / "old").mkdir(parents=True)
    (archive / "old" / "students_export.txt").write_text("left by an earlier version\n")
    os.chmod(archive, 0o755)
    os.chmod(archive / "old", 0o755)
    os.chmod(archive / "old" / "students_export.txt", 0o644)
    env = {**os.environ, "SCHOOLHOUSE_TARGET": "duckdb", "SCHOOLHOUSE_DUCKDB_PATH": str(tmp_path / "w.duckdb"),
           "SCHOOLHOUSE_ARCHIVE_DIR": str(archive), "SCHOOLHOUSE_CACHE_DIR": str(tmp_path / "cache")}
    done = subprocess.run(
        [sys.executable, "-c", f"import os, sys; os.umask({umask}); from schoolhouse.cli import main; "
                               "sys.argv = ['schoolhouse', 'load', 'district', sys.argv[1]]; main()", str(district)],
        env=env, cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    assert stat.S_IMODE(archive.stat().st_mode) == 0o700
    for folder in (archive,):
        modes = _modes(folder)
        assert modes, folder
        for name, mode in modes.items():
            kind = 0o700 if (folder / name).is_dir() else 0o600
            assert mode == kind, (folder, name, oct(mode))
    assert any(name.endswith("orgs.csv") for name in _modes(archive))  # tonight's file is there, private
    assert stat.S_IMODE((tmp_path / "w.duckdb").stat().st_mode) == 0o600
