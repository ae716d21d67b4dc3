"""How dbt is invoked: in-process, on the settings' target, with the settings' vars."""

from __future__ import annotations

import json
import os
import shutil
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from schoolhouse.settings import Settings
from schoolhouse.warehouse import pg_options


def profiles_dir(settings: Settings) -> Path:
    """DBT_PROFILES_DIR when set, else the project's profiles.yml (made from the example on first use)."""
    if os.environ.get("DBT_PROFILES_DIR"):
        return Path(os.environ["DBT_PROFILES_DIR"])
    profiles = settings.project_dir / "profiles.yml"
    if not profiles.exists():
        shutil.copyfile(settings.project_dir / "profiles.yml.example", profiles)
    return settings.project_dir


def target_dir(settings: Settings) -> Path:
    """Where dbt writes manifest.json and run results."""
    path = Path(os.environ.get("DBT_TARGET_PATH", "target"))
    return path if path.is_absolute() else settings.project_dir / path


@contextmanager
def profile_environment(settings: Settings, extra: dict[str, str] | None = None) -> Iterator[None]:
    """profiles.yml reads the engine from the environment; the settings decide what it says, for this
    run only (a generation's file must not become what later settings of this process read).
    ``extra`` sets further variables for the run (the runtime vars)."""
    values = {**(extra or {}),
              "SCHOOLHOUSE_TARGET": settings.target, "SCHOOLHOUSE_DUCKDB_PATH": str(settings.duckdb_path),
              "SCHOOLHOUSE_DBT_THREADS": str(settings.dbt_threads),
              "SCHOOLHOUSE_DUCKDB_MEMORY_LIMIT": settings.duckdb_memory_limit,
              "SCHOOLHOUSE_DUCKDB_THREADS": str(settings.duckdb_threads or os.cpu_count() or 1)}
    if settings.target == "postgres":
        values["PGOPTIONS"] = pg_options()  # dbt-postgres's libpq reads it (warehouse.PG_SESSION_OPTIONS)
    before = {k: os.environ.get(k) for k in values}
    os.environ.update(values)
    os.environ.setdefault("DBT_SEND_ANONYMOUS_USAGE_STATS", "false")
    try:
        yield
    finally:
        for key, value in before.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


# Vars whose value changes from night to night and only matters when SQL runs: passed as environment
# variables (macros/runtime_var.sql reads them) instead of --vars, because dbt re-parses the whole
# project, 6-10 s of every build, whenever --vars differs from the last run's.
RUNTIME_VARS = ("as_of_date", "snapshot_at")


def runtime_var_environment(run_vars: dict) -> dict[str, str]:
    """SCHOOLHOUSE_VAR_<NAME> for every runtime var, empty when unset (never last run's value)."""
    return {f"SCHOOLHOUSE_VAR_{name.upper()}": "" if run_vars.get(name) is None else str(run_vars[name])
            for name in RUNTIME_VARS}


def run_dbt(settings: Settings, command: str, *extra: str, vars: dict | None = None,
            target: str | None = None, target_path: Path | None = None) -> bool:
    """Run a dbt command ("build", "parse", "docs generate", ...) in-process; True when every node
    succeeded. The vars are the settings' (Settings.dbt_vars) with ``vars`` over them; ``target``
    and ``target_path`` default to the settings' target and DBT_TARGET_PATH."""
    from dbt.cli.main import dbtRunner

    target = target or settings.target
    args = [*command.split(), "--project-dir", str(settings.project_dir),
            "--profiles-dir", str(profiles_dir(settings)), "--target", target]
    if target_path is not None:
        args += ["--target-path", str(target_path)]
    merged = {**settings.dbt_vars(), **(vars or {})}
    runtime = runtime_var_environment(merged)
    if command not in ("deps", "clean"):
        args += ["--vars", json.dumps({k: v for k, v in merged.items() if k not in RUNTIME_VARS})]
    with profile_environment(settings, runtime):
        try:
            result = dbtRunner().invoke([*args, *extra])
        finally:
            if target == "duckdb":
                release_duckdb()
    return bool(result.success)


def release_duckdb() -> None:
    """Close the DuckDB file dbt-duckdb keeps open after a run in this process: a generation's file
    is published by renaming it, which must not happen while a writer still holds it."""
    if "dbt.adapters.duckdb.connections" not in sys.modules:
        return  # dbt never ran in this process (a load): nothing to close, and no second of importing it
    from dbt.adapters.duckdb.connections import DuckDBConnectionManager

    env = DuckDBConnectionManager._ENV
    DuckDBConnectionManager.close_all_connections()
    if env is not None:
        env.close()
