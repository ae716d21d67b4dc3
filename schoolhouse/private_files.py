"""Files about children are readable by their owner only, whatever the umask.

Everything Schoolhouse writes holds student data: the archive of SIS exports (names, addresses,
birth dates), the landing folder, the loader's work files (a private temporary folder), the DuckDB
warehouse and its WAL, the
dashboards' app store, dbt's target and logs (compiled SQL with values), the vendor files. The
command line and the dashboards set the process umask to 077 before they write anything, so every
file they and the processes they start (dbt, DuckDB, Streamlit) create is 0600 and every folder
0700; ``tighten`` also closes what an earlier version or another umask left open.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterable
from pathlib import Path

from schoolhouse.settings import Settings

UMASK = 0o077


def owner_only() -> None:
    """From now on this process and its children create owner-only files and folders."""
    os.umask(UMASK)


def student_data_paths(settings: Settings) -> list[Path]:
    """Where this installation keeps student data on this machine."""
    paths = [settings.archive_dir, settings.landing_dir, settings.cache_dir]
    if settings.target == "duckdb":
        w = settings.duckdb_path
        paths += [w, w.with_name(w.name + ".wal"), w.with_name(w.name + ".app.sqlite"),
                  w.with_name(w.name + ".app.sqlite-wal"), w.with_name(w.name + ".app.sqlite-shm"),
                  w.with_name(f".{w.name}.next")]  # a generation being written (schoolhouse.generation)
    paths += [Path(e.to) for e in settings.exports if "://" not in e.to]
    for env, default in (("DBT_TARGET_PATH", "target"), ("DBT_LOG_PATH", "logs")):
        paths.append(Path(os.environ[env]) if os.environ.get(env) else settings.project_dir / default)
    return paths


def tighten(paths: Iterable[Path]) -> None:
    """chmod what exists: folders (and everything under them) 0700 for folders, 0600 for files."""
    for path in paths:
        if not path.exists() or path.is_symlink():
            continue
        if path.is_dir():
            for root, dirs, files in os.walk(path):
                _chmod(Path(root), 0o700)
                for name in files:
                    _chmod(Path(root) / name, 0o600)
        else:
            _chmod(path, 0o600)


def _chmod(path: Path, mode: int) -> None:
    try:
        if stat.S_IMODE(path.lstat().st_mode) != mode and not path.is_symlink():
            path.chmod(mode)
    except PermissionError:
        pass  # not ours (a shared folder's parent): leave it; ours inside are still tightened
