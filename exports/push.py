"""Push a vendor's full file set from the built export views, behind the shrink guard.

Safety (README, "The nightly run and the vendor files"):

* The shrink guard: when any file's row count fell by more than ``shrink_guard_max_drop``
  (default 10%) since the last successful push of that vendor to the same destination, nothing
  at all is written and the attempt is recorded as refused; ``force`` overrides (recorded).
* A folder destination gets temporary files first, then renames; SFTP goes through
  :func:`schoolhouse.sftp.push_files` (temporaries, size checks, then renames; all or none).
* Every attempt, pushed, unchanged, refused or failed, is a row per file in ``raw_meta.exports``.
* Nothing changed since the last push to the same place (every file's sha256 the same): nothing
  is sent (hourly schedules poll; vendors re-import whatever lands).
* Each push keeps its files (exports.changes), so the next push, a ``dry_run`` preview and the
  shrink guard's refusal say how many rows were added, changed and removed.

The views must be built and tested first (``schoolhouse.build`` with export checks as errors);
this module only reads them.
"""

from __future__ import annotations

import csv
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from exports import destinations
from exports.changes import FileChange, changes, keep, kept_folder
from exports.checks import FailedCheck, failing_keys
from exports.files import ExportError, RenderedFile, export_files, package, render
from schoolhouse import raw_meta
from schoolhouse.settings import Settings


@dataclass
class ExportResult:
    vendor: str
    destination: str
    push_id: str
    status: str  # pushed | pushed_with_warnings | unchanged | refused | failed | preview (dry run)
    message: str
    files: list[RenderedFile] = field(default_factory=list)
    forced: bool = False
    changes: list[FileChange] = field(default_factory=list)
    issues: list[FailedCheck] = field(default_factory=list)  # this vendor's failed export checks

    @property
    def ok(self) -> bool:
        return self.status in ("pushed", "pushed_with_warnings", "unchanged", "preview")

    @property
    def rows(self) -> int:
        return sum(f.rows for f in self.files)


def shrunk_files(files: list[RenderedFile], max_drop: float) -> list[RenderedFile]:
    """Files whose row count fell by more than ``max_drop`` of the last pushed count."""
    return [f for f in files
            if f.previous_rows and (f.previous_rows - f.rows) / f.previous_rows > max_drop + 1e-12]


def _guard_sentence(vendor: str, destination: str, shrunk: list[RenderedFile], max_drop: float,
                    change: dict[str, FileChange]) -> str:
    def detail(f: RenderedFile) -> str:
        c = change.get(f.spec.file_name)
        return f": {c.added:,} added, {c.changed:,} changed, {c.removed:,} removed" if c and c.compared else ""

    parts = [f"{f.spec.file_name} fell from {f.previous_rows:,} to {f.rows:,} rows "
             f"({(f.previous_rows - f.rows) / f.previous_rows:.0%}{detail(f)})" for f in shrunk]
    return (f"Refused to push {vendor} to {destination}: {'; '.join(parts)} since the last push, more than the "
            f"{max_drop:.0%} allowed, so nothing was written (check tonight's data, or rerun with --force if the "
            f"drop is real).")


SYNC_LOG_ROWS = 10_000  # per check: enough to act on, bounded when a setting is missing for everyone
SYNC_LOG_COLUMNS = ("file", "row_key", "field", "rule", "severity", "detail")


def _sync_log(settings: Settings, result: ExportResult) -> list[dict]:
    """The push's sync log: one row per failing row of each of the vendor's failed checks."""
    wh, now, rows = settings.warehouse(), raw_meta.now(), []
    for check in result.issues:
        keys = failing_keys(wh, check, SYNC_LOG_ROWS) or [None]
        rows += [{"push_id": result.push_id, "vendor": result.vendor, "destination": result.destination,
                  "file_name": check.file_name or check.model, "row_key": key, "field": check.column,
                  "rule": check.rule, "severity": check.severity, "detail": check.sentence(), "logged_at": now}
                 for key in keys]
    return rows


def _record(settings: Settings, result: ExportResult, run_id: str | None) -> None:
    now = raw_meta.now()
    issues = _sync_log(settings, result)
    files = [(f.spec.file_name, f.spec.package, f.rows, f.previous_rows, len(f.data), f.sha256) for f in result.files]
    # Refused before its views could be read: one row says so (no file, no rows).
    files = files or [("*", None, 0, None, 0, "")]
    raw_meta.record_push(settings.warehouse(), [
        {"push_id": result.push_id, "run_id": run_id, "vendor": result.vendor, "destination": result.destination,
         "file_name": name, "package_name": package, "rows": rows, "previous_rows": previous, "bytes": size,
         "sha256": sha, "status": result.status, "forced": result.forced, "message": result.message, "pushed_at": now,
         "sensitive_fields": ",".join(settings.shares(result.vendor))}
        for name, package, rows, previous, size, sha in files], issues)
    write_sync_log(settings, result, issues)


def write_sync_log(settings: Settings, result: ExportResult, issues: list[dict]) -> None:
    """The last push's sync log as CSV, beside the files that push kept (archive/pushed/...): the
    log stays on our side, so the vendor's folder holds exactly the vendor's files."""
    path = kept_folder(settings.archive_dir, result.vendor, result.destination).with_suffix(".sync_log.csv")
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\r\n")
        writer.writerow(("push_id", "status", *SYNC_LOG_COLUMNS))
        for row in issues:
            writer.writerow((result.push_id, result.status, row["file_name"], row["row_key"] or "", row["field"] or "",
                             row["rule"], row["severity"], row["detail"]))


def _render_all(settings: Settings, vendor: str, manifest_path: Path, result: ExportResult) -> dict | None:
    wh = settings.warehouse()
    try:
        result.files = [render(wh, spec) for spec in export_files(vendor, manifest_path)]
    except ExportError as exc:
        result.message = str(exc)
        return None
    except Exception as exc:  # noqa: BLE001 - the views are missing or broken: a plain sentence, nothing written
        result.message = f"Could not read the {vendor} export views ({str(exc).splitlines()[0]}); run `schoolhouse build`."
        return None
    last = raw_meta.last_push(wh, vendor, result.destination)
    for f in result.files:
        f.previous_rows = last[f.spec.file_name][0] if f.spec.file_name in last else None
    return last


def _unchanged(files: list[RenderedFile], last: dict) -> bool:
    return bool(last) and set(last) == {f.spec.file_name for f in files} and \
        all(last[f.spec.file_name][1] == f.sha256 for f in files)


def export_vendor(settings: Settings, vendor: str, destination: str, manifest_path: Path, *, force: bool = False,
                  run_id: str | None = None, log: Callable[[str], None] | None = None,
                  dry_run: bool = False, checks: list[FailedCheck] = ()) -> ExportResult:
    """Render the vendor's views as they are in the warehouse, apply the guard, write, record.
    ``checks``: the vendor's failed export checks of the build (exports.checks.for_vendor): an error
    refuses the push, warnings go with it (pushed_with_warnings); either way they are its sync log.
    ``dry_run``: say what would change at ``destination`` since its last push, write and record nothing."""
    # Its two dozen short connections share one open DuckDB file (0.35 s of a 2.6 s export at 50,000).
    with settings.warehouse().kept_open():
        return _export_vendor(settings, vendor, destination, manifest_path, force=force, run_id=run_id, log=log,
                              dry_run=dry_run, checks=checks)


def _export_vendor(settings: Settings, vendor: str, destination: str, manifest_path: Path, *, force: bool,
                   run_id: str | None, log: Callable[[str], None] | None, dry_run: bool,
                   checks: list[FailedCheck]) -> ExportResult:
    log = log or (lambda _msg: None)
    dest = destinations.normalise_destination(destination)
    raw_meta.ensure(settings.warehouse())
    result = ExportResult(vendor, dest, uuid.uuid4().hex, "failed", "", forced=force, issues=list(checks))
    errors = [c for c in result.issues if c.severity == "error"]
    last = _render_all(settings, vendor, manifest_path, result)
    if errors and not dry_run:
        result.status = "refused"
        result.message = (f"Refused to push {vendor} to {dest}, nothing was written (the vendor keeps the last files): "
                          + " ".join(c.sentence() for c in errors))
        _record(settings, result, run_id)
        return result
    if last is None:
        return result
    result.changes = changes(settings.archive_dir, vendor, dest, result.files)
    if dry_run:
        result.status = "preview"
        result.message = (f"A push of {vendor} to {dest} now would send {len(result.files)} files: "
                          + "; ".join(c.sentence() for c in result.changes) + ". Nothing was written.")
        return result
    if _unchanged(result.files, last) and not force:
        at = max(t for _, _, t in last.values())
        result.status = "unchanged"
        result.message = (f"Nothing changed in the {vendor} files since the last push to {dest} "
                          f"({at:%Y-%m-%d %H:%M} UTC); nothing was sent.")
        _record(settings, result, run_id)
        return result
    shrunk = shrunk_files(result.files, settings.shrink_guard_max_drop)
    if shrunk and not force:
        result.status = "refused"
        result.message = _guard_sentence(vendor, dest, shrunk, settings.shrink_guard_max_drop,
                                         {c.file_name: c for c in result.changes})
        _record(settings, result, run_id)
        return result
    outputs = package(result.files)
    log(f"writing {', '.join(name for name, _ in outputs)} ({result.rows:,} rows) to {dest}")
    try:
        destinations.write(dest, outputs, settings.sftp_auth(vendor) if dest.startswith("sftp://") else None,
                           attempts=settings.sftp_attempts, backoff_seconds=settings.sftp_backoff_seconds)
    except Exception as exc:  # noqa: BLE001 - SftpError, HostKeyError, ExportError, OSError
        result.status, result.message = "failed", f"The {vendor} push to {dest} failed: {exc}"
        _record(settings, result, run_id)
        return result
    keep(settings.archive_dir, vendor, dest, result.files)
    warnings = [c for c in result.issues if c.severity == "warn"]
    result.status = "pushed_with_warnings" if warnings else "pushed"
    # What changed since the last push kept for this place (nothing to compare on a first push).
    changed = [c.sentence() for c in result.changes if c.compared and c.any]
    result.message = (f"Pushed {len(result.files)} {vendor} files ({result.rows:,} rows) to {dest}"
                      + (f" with --force although {', '.join(f.spec.file_name for f in shrunk)} shrank" if shrunk else "")
                      + (f" ({'; '.join(changed)})" if changed else "") + "."
                      + (f" With {len(warnings)} warning{'s' if len(warnings) > 1 else ''} (the sync log): "
                         + " ".join(c.sentence() for c in warnings) if warnings else ""))
    _record(settings, result, run_id)
    return result
