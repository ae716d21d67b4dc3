"""Write a vendor's full roster file set from the dbt export views, behind the shrink guard.

What a vendor receives is decided in dbt, not here: every view in ``models/exports/<vendor>/``
declares ``meta: {vendor, file_name[, archive]}`` and its columns (header spelling, case and
order) in YAML with an enforced contract. This module reads those from the dbt manifest, selects
the columns in that order, and writes RFC 4180 CSV (UTF-8, no BOM, CRLF, minimal quoting).

Safety (design.md, "Rules that keep data safe"):

* The shrink guard: when any file's row count fell by more than ``shrink_guard_max_drop``
  (default 10%) since the last successful push of that vendor to the same destination, nothing
  at all is written and the attempt is recorded as refused; ``--force`` overrides (recorded).
* A folder destination gets temporary files first, then ``os.replace`` of each; SFTP goes
  through :func:`loaders.sftp.push_files` (temporaries, size checks, then renames; all or none).
* Every attempt, pushed, refused or failed, is a row per file in ``raw_meta.exports``.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import secrets
import tempfile
import uuid
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from loaders.settings import Settings, SettingsError, load_settings
from loaders.warehouse import Warehouse

EXPORTS_DDL = """
create table if not exists raw_meta.exports (
    push_id text not null,
    run_id text,
    vendor text not null,
    destination text not null,
    file_name text not null,
    package_name text,
    rows bigint not null,
    previous_rows bigint,
    bytes bigint not null,
    sha256 text not null,
    status text not null,
    forced boolean not null,
    message text,
    pushed_at timestamp not null
)
"""
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)  # fixed, so the same rows always give the same zip (and sha256)


class ExportError(Exception):
    """The export could not be produced or written; one plain sentence."""


@dataclass(frozen=True)
class ExportFile:
    """One vendor file as the dbt project declares it."""

    model: str
    schema: str
    relation: str  # the view's name in the warehouse
    file_name: str
    columns: tuple[str, ...]
    package: str | None = None  # e.g. oneroster.zip: the file travels inside this zip


@dataclass
class RenderedFile:
    spec: ExportFile
    data: bytes
    rows: int
    previous_rows: int | None = None

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()


@dataclass
class ExportResult:
    vendor: str
    destination: str
    push_id: str
    status: str  # pushed | refused | failed
    message: str
    files: list[RenderedFile] = field(default_factory=list)
    forced: bool = False

    @property
    def ok(self) -> bool:
        return self.status == "pushed"

    @property
    def rows(self) -> int:
        return sum(f.rows for f in self.files)


# -- the dbt manifest ---------------------------------------------------------------------------


def target_dir() -> Path:
    from loaders.project import PROJECT_DIR

    path = Path(os.environ.get("DBT_TARGET_PATH", "target"))
    return path if path.is_absolute() else PROJECT_DIR / path


def export_files(vendor: str, manifest_path: Path | None = None) -> list[ExportFile]:
    """The vendor's files, from the models whose meta.vendor is ``vendor`` (sorted by file name)."""
    manifest_path = manifest_path or target_dir() / "manifest.json"
    if not manifest_path.is_file():
        from loaders.project import run_dbt

        if not run_dbt("parse", Warehouse.from_env().target) or not manifest_path.is_file():
            raise ExportError(f"The dbt manifest {manifest_path} is missing and `dbt parse` could not make it.")
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    out = []
    for node in manifest.get("nodes", {}).values():
        if node.get("resource_type") != "model":
            continue
        meta = (node.get("config") or {}).get("meta") or node.get("meta") or {}
        if meta.get("vendor") != vendor or not meta.get("file_name"):
            continue
        columns = tuple(node.get("columns", {}))
        if not columns:
            raise ExportError(f"The export view {node['name']} declares no columns, so its header is unknown.")
        out.append(ExportFile(node["name"], node["schema"], node.get("alias") or node["name"], meta["file_name"],
                              columns, meta.get("archive")))
    if not out:
        raise ExportError(f"The dbt project has no export views for {vendor} (models with meta.vendor: {vendor}).")
    names = [f.file_name for f in out]
    if len(set(names)) != len(names):
        raise ExportError(f"Two export views of {vendor} declare the same file name.")
    return sorted(out, key=lambda f: f.file_name)


# -- rendering ----------------------------------------------------------------------------------


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def render(wh: Warehouse, spec: ExportFile) -> RenderedFile:
    """The file's bytes: header from the manifest, rows sorted in Python (the same order on every
    engine and collation, so the same data gives the same file and sha256)."""
    cols = ", ".join(_quote(c) for c in spec.columns)
    fetched = wh.query(f"select {cols} from {_quote(spec.schema)}.{_quote(spec.relation)}")
    rows = sorted(["" if v is None else str(v) for v in row] for row in fetched)
    buf = io.StringIO(newline="")
    writer = csv.writer(buf, quoting=csv.QUOTE_MINIMAL, lineterminator="\r\n")
    writer.writerow(spec.columns)
    for n, values in enumerate(rows, start=2):
        for col, value in zip(spec.columns, values):
            if "\n" in value or "\r" in value:
                raise ExportError(f"{spec.file_name} line {n} has a line break in {col}; the export view must remove it.")
        writer.writerow(values)
    return RenderedFile(spec, buf.getvalue().encode("utf-8"), len(rows))


def _package(files: list[RenderedFile]) -> list[tuple[str, bytes]]:
    """(name, bytes) of what lands at the destination: loose files, or the files zipped together."""
    loose = [(f.spec.file_name, f.data) for f in files if not f.spec.package]
    zips: dict[str, list[RenderedFile]] = {}
    for f in files:
        if f.spec.package:
            zips.setdefault(f.spec.package, []).append(f)
    for name, members in zips.items():
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED) as zf:
            for f in members:
                info = zipfile.ZipInfo(f.spec.file_name, date_time=_ZIP_TIME)
                info.compress_type = zipfile.ZIP_DEFLATED
                info.external_attr = 0o644 << 16
                zf.writestr(info, f.data)
        loose.append((name, buf.getvalue()))
    return loose


# -- the record of pushes -----------------------------------------------------------------------


def ensure_meta_tables(wh: Warehouse) -> None:
    from loaders.nightly import RUNS_DDL

    with wh.connect() as con:
        cur = con.cursor()
        cur.execute("create schema if not exists raw_meta")
        cur.execute(EXPORTS_DDL)
        cur.execute(RUNS_DDL)


def previous_rows(wh: Warehouse, vendor: str, destination: str) -> dict[str, int]:
    """Rows per file of the last successful push of ``vendor`` to ``destination``."""
    ph = wh.placeholder
    rows = wh.query(
        f"select file_name, rows from raw_meta.exports where push_id = ("
        f"  select push_id from raw_meta.exports where vendor = {ph} and destination = {ph} and status = 'pushed'"
        f"  order by pushed_at desc limit 1)",
        (vendor, destination),
    )
    return {name: int(n) for name, n in rows}


def record(wh: Warehouse, result: ExportResult, run_id: str | None) -> None:
    now = datetime.now(timezone.utc).replace(tzinfo=None)
    ph = ", ".join([wh.placeholder] * 14)
    params = [
        (result.push_id, run_id, result.vendor, result.destination, f.spec.file_name, f.spec.package, f.rows,
         f.previous_rows, len(f.data), f.sha256, result.status, result.forced, result.message, now)
        for f in result.files
    ]
    with wh.connect() as con:
        cur = con.cursor()
        for p in params:
            cur.execute(f"insert into raw_meta.exports (push_id, run_id, vendor, destination, file_name, package_name, "
                        f"rows, previous_rows, bytes, sha256, status, forced, message, pushed_at) values ({ph})", p)


# -- the guard ----------------------------------------------------------------------------------


def shrunk_files(files: list[RenderedFile], max_drop: float) -> list[RenderedFile]:
    """Files whose row count fell by more than ``max_drop`` of the last pushed count."""
    return [f for f in files
            if f.previous_rows and (f.previous_rows - f.rows) / f.previous_rows > max_drop + 1e-12]


def _guard_sentence(vendor: str, destination: str, shrunk: list[RenderedFile], max_drop: float) -> str:
    parts = [f"{f.spec.file_name} fell from {f.previous_rows:,} to {f.rows:,} rows "
             f"({(f.previous_rows - f.rows) / f.previous_rows:.0%})" for f in shrunk]
    return (f"Refused to push {vendor} to {destination}: {'; '.join(parts)} since the last push, more than the "
            f"{max_drop:.0%} allowed, so nothing was written (check tonight's data, or rerun with --force if the "
            f"drop is real).")


# -- writing ------------------------------------------------------------------------------------


def normalise_destination(destination: str) -> str:
    if destination.lower().startswith("sftp://"):
        from loaders.sftp import SftpLocation

        return str(SftpLocation.parse(destination))
    return str(Path(destination).expanduser().resolve())


def vendor_env_key(vendor: str) -> str:
    return vendor.upper().replace("-", "_").replace(".", "")


def sftp_auth(vendor: str, settings: Settings):
    """SFTP credentials for a vendor push: SCHOOLHOUSE_SFTP_PASSWORD_<VENDOR> (e.g. _CLEVER, _SDS_V21)
    and SCHOOLHOUSE_SFTP_KEY_FILE_<VENDOR> first, else the plain SCHOOLHOUSE_SFTP_* variables."""
    from loaders.sftp import SftpAuth

    auth = SftpAuth.from_env(known_hosts=settings.known_hosts)
    key = vendor_env_key(vendor)
    password = os.environ.get(f"SCHOOLHOUSE_SFTP_PASSWORD_{key}") or None
    key_file = os.environ.get(f"SCHOOLHOUSE_SFTP_KEY_FILE_{key}") or None
    if password or key_file:
        auth = SftpAuth(known_hosts=auth.known_hosts, password=password,
                        key_file=Path(key_file).expanduser() if key_file else None,
                        key_passphrase=os.environ.get(f"SCHOOLHOUSE_SFTP_KEY_PASSPHRASE_{key}") or None)
    return auth


def write_folder(folder: Path, outputs: list[tuple[str, bytes]]) -> None:
    """Every file to a temporary name in ``folder`` (flushed to disk), then each renamed into place."""
    folder.mkdir(parents=True, exist_ok=True)
    temps: list[tuple[Path, Path]] = []
    try:
        for name, data in outputs:
            tmp = folder / f".{name}.part-{secrets.token_hex(4)}"
            temps.append((tmp, folder / name))
            with open(tmp, "wb") as fh:
                fh.write(data)
                fh.flush()
                os.fsync(fh.fileno())
        for tmp, final in temps:
            os.replace(tmp, final)
    except OSError as exc:
        raise ExportError(f"Could not write the export to {folder} ({exc.strerror or exc}); "
                          "the previous files are unchanged.") from exc
    finally:
        for tmp, _ in temps:
            tmp.unlink(missing_ok=True)


def write_sftp(destination: str, outputs: list[tuple[str, bytes]], auth) -> None:
    from loaders.sftp import SftpLocation, push_files

    with tempfile.TemporaryDirectory(prefix="schoolhouse-export-") as tmp:
        paths = []
        for name, data in outputs:
            path = Path(tmp) / name
            path.write_bytes(data)
            paths.append(path)
        # SCHOOLHOUSE_SFTP_ATTEMPTS / SCHOOLHOUSE_SFTP_BACKOFF_SECONDS tune the retries of a flaky link.
        push_files(SftpLocation.parse(destination), auth, paths,
                   attempts=int(os.environ.get("SCHOOLHOUSE_SFTP_ATTEMPTS") or 5),
                   backoff_seconds=float(os.environ.get("SCHOOLHOUSE_SFTP_BACKOFF_SECONDS") or 1.0))


def export_vendor(wh: Warehouse, vendor: str, destination: str, settings: Settings, *, force: bool = False,
                  run_id: str | None = None, manifest_path: Path | None = None,
                  log: Callable[[str], None] | None = None) -> ExportResult:
    """Render the vendor's views as they are in the warehouse, apply the guard, write, record."""
    log = log or (lambda _msg: None)
    dest = normalise_destination(destination)
    ensure_meta_tables(wh)
    result = ExportResult(vendor, dest, uuid.uuid4().hex, "failed", "", forced=force)
    try:
        specs = export_files(vendor, manifest_path)
        result.files = [render(wh, spec) for spec in specs]
    except ExportError as exc:
        result.message = str(exc)
        return result
    except Exception as exc:  # the views are missing or broken: a plain sentence, nothing written
        result.message = f"Could not read the {vendor} export views ({str(exc).splitlines()[0]}); run `schoolhouse build`."
        return result
    before = previous_rows(wh, vendor, dest)
    for f in result.files:
        f.previous_rows = before.get(f.spec.file_name)
    shrunk = shrunk_files(result.files, settings.shrink_guard_max_drop)
    if shrunk and not force:
        result.status, result.message = "refused", _guard_sentence(vendor, dest, shrunk, settings.shrink_guard_max_drop)
        record(wh, result, run_id)
        return result
    outputs = _package(result.files)
    log(f"writing {', '.join(name for name, _ in outputs)} ({result.rows:,} rows) to {dest}")
    try:
        if dest.lower().startswith("sftp://"):
            write_sftp(dest, outputs, sftp_auth(vendor, settings))
        else:
            write_folder(Path(dest), outputs)
    except Exception as exc:  # noqa: BLE001 - SftpError, HostKeyError, ExportError, OSError
        result.status, result.message = "failed", f"The {vendor} push to {dest} failed: {exc}"
        record(wh, result, run_id)
        return result
    result.status = "pushed"
    result.message = (f"Pushed {len(result.files)} {vendor} files ({result.rows:,} rows) to {dest}"
                      + (f" with --force although {', '.join(f.spec.file_name for f in shrunk)} shrank." if shrunk else "."))
    record(wh, result, run_id)
    return result


def build_export_views(wh: Warehouse, vendor: str, settings: Settings) -> bool:
    """(Re)build the vendor's export views and their tests with the settings' vars (usernames!)."""
    from loaders.project import run_dbt

    folder = {"sds-v2.1": "sds_v21", "sds-v1": "sds_v1", "stmath": "stmath", "oneroster-1.1": "oneroster_11",
              "clever": "clever"}[vendor]
    selection = f"path:seeds/vendor_* path:models/exports/shared path:models/exports/{folder}"
    return run_dbt("build", wh.target, "--select", selection, "--indirect-selection", "cautious",
                   vars={**settings.dbt_vars(), "export_checks_severity": "error"})


def run_export(wh: Warehouse, vendor: str, destination: str, *, force: bool, config_file: Path | None) -> int:
    """`schoolhouse export`: rebuild and test the vendor's views, then write them; the exit status."""
    from loaders.cli import console
    try:
        settings = load_settings(config_file)
    except SettingsError as exc:
        console.print(str(exc), markup=False)
        return 2
    console.log(f"building and testing the {vendor} export views")
    if not build_export_views(wh, vendor, settings):
        console.print(f"The {vendor} export views failed to build or failed a test (see the log above); nothing was written.",
                      markup=False)
        return 1
    result = export_vendor(wh, vendor, destination, settings, force=force, log=console.log)
    console.print(result.message, markup=False, style=None if result.ok else "red")
    return 0 if result.ok else 1
