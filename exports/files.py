"""A vendor's files as the dbt project declares them, rendered to exact bytes.

What a vendor receives is decided in dbt, not here: every view in ``models/exports/<vendor>/``
carries ``meta: {vendor, file_name[, archive]}`` and declares its columns (header spelling, case
and order) in YAML with an enforced contract. This module reads those from dbt's manifest,
selects the columns in that order, and writes RFC 4180 CSV (UTF-8, no BOM, CRLF, minimal quoting).
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import zipfile
from dataclasses import dataclass
from pathlib import Path

from schoolhouse.warehouse import Warehouse

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


def export_files(vendor: str, manifest_path: Path) -> list[ExportFile]:
    """The vendor's files, from the models whose meta.vendor is ``vendor`` (sorted by file name)."""
    if not manifest_path.is_file():
        raise ExportError(f"The dbt manifest {manifest_path} is missing; run `schoolhouse build` first.")
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


def package(files: list[RenderedFile]) -> list[tuple[str, bytes]]:
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
