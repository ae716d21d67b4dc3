"""`schoolhouse build`: make sure every raw table exists, then dbt build on the settings' target."""

from __future__ import annotations

from loaders.raw_tables import ensure_raw_tables
from schoolhouse.dbt_runner import run_dbt
from schoolhouse.settings import Settings


def build(settings: Settings, *, select: str | None = None, export_checks: str = "warn",
          indirect_selection: str | None = None, full_refresh: bool = False) -> bool:
    """dbt build (seeds, models, snapshots, tests); True when every node succeeded.

    ``export_checks`` is the severity of the vendor export checks: 'warn' for a plain build (a
    district without exports still gets its marts), 'error' before anything is pushed."""
    ensure_raw_tables(settings.warehouse())
    extra = ["--select", select] if select else []
    if indirect_selection:
        extra += ["--indirect-selection", indirect_selection]
    if full_refresh:
        extra.append("--full-refresh")
    return run_dbt(settings, "build", *extra, vars={"export_checks_severity": export_checks})
