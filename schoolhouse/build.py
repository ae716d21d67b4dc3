"""`schoolhouse build`: make sure every raw table exists, then dbt build on the settings' target."""

from __future__ import annotations

import hashlib
import json
from importlib import metadata
from typing import TYPE_CHECKING, Any

import yaml

from loaders.raw_tables import ensure_raw_tables
from schoolhouse.dbt_runner import RUNTIME_VARS, run_dbt, target_dir
from schoolhouse.settings import Settings

if TYPE_CHECKING:
    from schoolhouse.generation import Generation


def build(settings: Settings, *, select: str | None = None, exclude: str | None = None, export_checks: str = "warn",
          indirect_selection: str | None = None, full_refresh: bool = False,
          generation: Generation | None = None, replay_vars: dict[str, Any] | None = None,
          unit_tests_once: bool = False) -> bool:
    """dbt build (seeds, models, snapshots, tests); True when every node succeeded.

    ``export_checks`` is the severity of the vendor export checks: 'warn' for a plain build (a
    district without exports still gets its marts), 'error' before anything is pushed. Within a
    ``generation`` the snapshots take its time and the build goes into its journal; a replay gives
    the recorded vars (``replay_vars``) instead. With ``unit_tests_once`` (the nightly) dbt's unit
    tests run only when what they test changed since they last all passed (unit_tests_fingerprint)."""
    ensure_raw_tables(settings.warehouse())
    extra = ["--select", select] if select else []
    if exclude:
        extra += ["--exclude", exclude]
    if indirect_selection:
        extra += ["--indirect-selection", indirect_selection]
    if full_refresh:
        extra.append("--full-refresh")
    if replay_vars is not None:
        run_vars = replay_vars
    else:
        run_vars = {**settings.dbt_vars(), "export_checks_severity": export_checks}
        if settings.exports and export_checks == "error" and not select:
            # A whole build: the checks of vendors the district does not send to only warn.
            run_vars["export_vendors"] = sorted({t.vendor for t in settings.exports})
        if generation:
            run_vars["snapshot_at"] = generation.snapshot_at
    # Only a whole build runs every unit test, so only it can say they all passed.
    whole = not select and not exclude
    fingerprint = unit_tests_fingerprint(settings, run_vars) if whole else None
    passed = target_dir(settings) / UNIT_TESTS_PASSED
    skip_unit_tests = unit_tests_once and whole and passed.exists() and passed.read_text() == fingerprint
    if skip_unit_tests:
        extra += ["--exclude-resource-type", "unit_test"]
    ok = run_dbt(settings, "build", *extra, vars=run_vars)
    if ok and fingerprint and not skip_unit_tests:
        passed.write_text(fingerprint)
    elif not ok:
        passed.unlink(missing_ok=True)
    if generation:
        generation.record({"kind": "build", "vars": run_vars, "select": select, "full_refresh": full_refresh,
                           "indirect_selection": indirect_selection, "ok": ok})
    return ok


# Where a build records the fingerprint of the code its unit tests passed on (in dbt's target folder).
UNIT_TESTS_PASSED = "unit_tests_passed.sha256"


def unit_tests_fingerprint(settings: Settings, run_vars: dict[str, Any]) -> str:
    """What dbt's unit tests' outcome depends on: the dbt project's files (models, macros, seeds,
    snapshots, tests: a crosswalk edit counts), the engine with its dbt and adapter versions, and the
    vars apart from tonight's date. Unit tests read fixed inputs, not the district's data (dbt's own
    advice is to run them in development and CI, not every production run), so a night whose
    fingerprint matches the last whole build that passed them need not run them again."""
    project = settings.project_dir
    config = yaml.safe_load((project / "dbt_project.yml").read_text(encoding="utf-8")) or {}
    folders = [p for key in ("model-paths", "seed-paths", "macro-paths", "snapshot-paths", "test-paths")
               for p in config.get(key) or ()]
    digest = hashlib.sha256()
    for path in sorted({f for folder in folders for f in (project / folder).rglob("*") if f.is_file()} |
                       {project / "dbt_project.yml"}):
        digest.update(str(path.relative_to(project)).encode() + b"\0" + path.read_bytes() + b"\0")
    packages = ("dbt-core", "dbt-postgres") if settings.target == "postgres" else ("dbt-core", "dbt-duckdb", "duckdb")
    versions = {name: metadata.version(name) for name in packages}
    settled = {k: v for k, v in run_vars.items() if k not in RUNTIME_VARS}
    digest.update(json.dumps([settings.target, versions, settled], sort_keys=True, default=str).encode())
    return digest.hexdigest()
