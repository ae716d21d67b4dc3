"""`schoolhouse dashboard`: run the Streamlit app on the chosen warehouse."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from schoolhouse.settings import Settings

APP = Path(__file__).resolve().parent / "app.py"


def command(streamlit_args: list[str], demo_mode: bool = False) -> list[str]:
    """``streamlit run`` with the defaults educators need, each overridable by the same option:
    the toolbar in viewer mode (no "Deploy" or "Clear cache"), and in demo mode (password-free
    accounts) only this machine may connect unless --server.address says otherwise."""
    defaults = {"--client.toolbarMode": "viewer"}
    if demo_mode:
        defaults["--server.address"] = "127.0.0.1"
    given = {a.split("=", 1)[0] for a in streamlit_args if a.startswith("--")}
    extra = [part for option, value in defaults.items() if option not in given for part in (option, value)]
    return [sys.executable, "-m", "streamlit", "run", str(APP), *extra, *streamlit_args]


def environment(settings: Settings) -> dict[str, str]:
    """The app's process environment: it builds its own Settings from the same file and variables."""
    env = dict(os.environ)
    if settings.config_file:
        env["SCHOOLHOUSE_CONFIG"] = str(settings.config_file)
    env["SCHOOLHOUSE_TARGET"] = settings.target
    env["SCHOOLHOUSE_DUCKDB_PATH"] = str(settings.duckdb_path)  # absolute: streamlit may run from elsewhere
    root = str(APP.parent.parent)
    env["PYTHONPATH"] = root + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    env.setdefault("STREAMLIT_BROWSER_GATHER_USAGE_STATS", "false")
    return env


def run_dashboard(settings: Settings, streamlit_args: list[str]) -> int:
    """Run `streamlit run dashboards/app.py [streamlit_args]` in the project folder; its exit status."""
    if settings.target == "duckdb" and not settings.duckdb_path.exists():
        print(f"No warehouse at {settings.duckdb_path}: run `schoolhouse load` and `schoolhouse build` first.",
              file=sys.stderr)
        return 1
    try:
        return subprocess.call(command(streamlit_args, settings.demo_mode), env=environment(settings), cwd=str(APP.parent.parent))
    except KeyboardInterrupt:
        return 0
