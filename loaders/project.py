"""Where the dbt project lives and how dbt is invoked on a target."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

PROJECT_DIR = Path(os.environ.get("SCHOOLHOUSE_PROJECT_DIR", Path(__file__).resolve().parent.parent))


def profiles_dir() -> Path:
    """DBT_PROFILES_DIR when set, else the project's profiles.yml (made from the example on first use)."""
    if os.environ.get("DBT_PROFILES_DIR"):
        return Path(os.environ["DBT_PROFILES_DIR"])
    profiles = PROJECT_DIR / "profiles.yml"
    if not profiles.exists():
        shutil.copy(PROJECT_DIR / "profiles.yml.example", profiles)
    return PROJECT_DIR


def dbt_vars() -> dict[str, str]:
    """dbt vars from the environment: SCHOOLHOUSE_AS_OF_DATE pins 'today' (tests, demos, back-fills);
    SCHOOLHOUSE_SIS_SOURCE picks the SIS the marts read (aspen or powerschool)."""
    names = {"SCHOOLHOUSE_AS_OF_DATE": "as_of_date", "SCHOOLHOUSE_SIS_SOURCE": "sis_source"}
    return {var: os.environ[env] for env, var in names.items() if os.environ.get(env)}


def run_dbt(command: str, target: str, *extra: str, vars: dict | None = None) -> bool:
    """Run a dbt command ("build", "docs generate", ...) in-process on ``target``; True when every node
    succeeded. ``vars`` are merged over the environment's (one --vars flag: dbt keeps only the last)."""
    from dbt.cli.main import dbtRunner

    os.environ.setdefault("DBT_SEND_ANONYMOUS_USAGE_STATS", "false")
    if command.split()[0] in ("build", "run", "snapshot", "test", "docs"):
        from loaders.raw_tables import ensure_raw_tables
        from loaders.warehouse import Warehouse

        ensure_raw_tables(Warehouse(target))
    args = [*command.split(), "--project-dir", str(PROJECT_DIR), "--profiles-dir", str(profiles_dir()), "--target", target]
    merged = {**dbt_vars(), **(vars or {})}
    if merged and command not in ("deps", "clean"):
        args += ["--vars", json.dumps(merged)]
    result = dbtRunner().invoke([*args, *extra])
    return bool(result.success)
