"""`schoolhouse build`: make sure every raw table exists, then dbt build on the settings' target."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from loaders.raw_tables import ensure_raw_tables
from schoolhouse.dbt_runner import run_dbt
from schoolhouse.settings import Settings

if TYPE_CHECKING:
    from schoolhouse.generation import Generation


def build(settings: Settings, *, select: str | None = None, exclude: str | None = None, export_checks: str = "warn",
          indirect_selection: str | None = None, full_refresh: bool = False,
          generation: Generation | None = None, replay_vars: dict[str, Any] | None = None) -> bool:
    """dbt build (seeds, models, snapshots, tests); True when every node succeeded.

    ``export_checks`` is the severity of the vendor export checks: 'warn' for a plain build (a
    district without exports still gets its marts), 'error' before anything is pushed. Within a
    ``generation`` the snapshots take its time and the build goes into its journal; a replay gives
    the recorded vars (``replay_vars``) instead."""
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
    ok = run_dbt(settings, "build", *extra, vars=run_vars)
    if generation:
        generation.record({"kind": "build", "vars": run_vars, "select": select, "full_refresh": full_refresh,
                           "indirect_selection": indirect_selection, "ok": ok})
    return ok
