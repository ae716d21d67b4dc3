"""`schoolhouse dashboard`: run the Streamlit app on the chosen warehouse."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from loaders.warehouse import Warehouse

APP = Path(__file__).resolve().parent / "app.py"


def command(streamlit_args: list[str]) -> list[str]:
    return [sys.executable, "-m", "streamlit", "run", str(APP), *streamlit_args]


def environment(wh: Warehouse) -> dict[str, str]:
    env = dict(os.environ)
    env["SCHOOLHOUSE_TARGET"] = wh.target
    if wh.target == "duckdb":
        env["SCHOOLHOUSE_DUCKDB_PATH"] = str(wh.duckdb_path)  # absolute: streamlit may run from elsewhere
    root = str(APP.parent.parent)
    env["PYTHONPATH"] = root + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    env.setdefault("STREAMLIT_BROWSER_GATHER_USAGE_STATS", "false")
    return env


def run_dashboard(wh: Warehouse, streamlit_args: list[str]) -> int:
    """Run `streamlit run dashboards/app.py [streamlit_args]` in the project folder; its exit status."""
    if wh.target == "duckdb" and not wh.duckdb_path.exists():
        print(f"No warehouse at {wh.duckdb_path}: run `schoolhouse load` and `schoolhouse build` first.", file=sys.stderr)
        return 1
    try:
        return subprocess.call(command(streamlit_args), env=environment(wh), cwd=str(APP.parent.parent))
    except KeyboardInterrupt:
        return 0
