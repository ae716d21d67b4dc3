"""Load one source's nightly files into ``raw_<source>``, recording every file and every rejected row.

Flow for each file: archive (sha256) → skip when it is already the current load → read into a
validated Parquet work file or refuse → dlt ``replace`` of the entity's raw table. Tonight's file
is the source's current picture (full-extract semantics); a refused file leaves yesterday's
table untouched. ``raw_meta.file_loads`` and ``raw_meta.rejected_rows`` say what happened.
"""

from __future__ import annotations

import fnmatch
import os
import shutil
import tempfile
import uuid
import zipfile
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from loaders.archive import ArchivedFile, archive_file
from loaders.reader import FileRefused, ReadResult, RejectedRow, read_file, read_header
from schoolhouse import raw_meta
from schoolhouse.catalog import FILE_SOURCES, META_COLUMNS, EntitySpec, star_layout
from schoolhouse.warehouse import Warehouse

os.environ.setdefault("RUNTIME__DLTHUB_TELEMETRY", "false")
# dlt's default replace on PostgreSQL drops tables without CASCADE, which breaks the dbt views on them.
os.environ.setdefault("DESTINATION__REPLACE_STRATEGY", "insert-from-staging")


class SourceUnreadable(ValueError):
    """The source as a whole cannot be read (no such folder, an unreachable database); one plain sentence."""


@dataclass
class FileOutcome:
    source: str
    entity: str
    file_name: str
    file_sha256: str = ""
    bytes: int = 0
    encoding: str = ""
    rows_read: int = 0
    rows_loaded: int = 0
    rows_rejected: int = 0
    status: str = "loaded"  # loaded | unchanged | refused
    message: str = ""
    extra_columns: str = ""
    archive_path: str = ""
    rejected: list[RejectedRow] = field(default_factory=list, repr=False)
    work_file: tuple[Path, list[str], int] | None = field(default=None, repr=False)  # path, columns, rows


@dataclass
class LoadSummary:
    source: str
    load_id: str
    outcomes: list[FileOutcome]
    missing: list[str] = field(default_factory=list)  # entities with no file tonight

    @property
    def refused(self) -> list[FileOutcome]:
        return [o for o in self.outcomes if o.status == "refused"]

    @property
    def ok(self) -> bool:
        return not self.refused


def new_load_id() -> str:
    # Microseconds first, so load ids sort in the order the loads happened.
    return datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S%f") + "-" + uuid.uuid4().hex[:8]


def _matches(name: str, patterns: tuple[str, ...]) -> bool:
    return any(fnmatch.fnmatch(name.lower(), p.lower()) for p in patterns)


def discover(folder: Path, specs: tuple[EntitySpec, ...]) -> tuple[dict[str, Path], list[str]]:
    """The newest file per entity (by modification time, then name); and entities with none."""
    files = sorted(p for p in folder.iterdir() if p.is_file() and not p.name.startswith("."))
    found: dict[str, Path] = {}
    missing: list[str] = []
    for spec in specs:
        candidates = [p for p in files if _matches(p.name, spec.patterns)]
        if candidates:
            found[spec.entity] = max(candidates, key=lambda p: (p.stat().st_mtime, p.name))
        else:
            missing.append(spec.entity)
    return found, missing


def _unpack_star(archived: ArchivedFile, work: Path, root: Path) -> list[ArchivedFile]:
    """A STAR zip holds one CSV per subject; each member is archived and read on its own."""
    members = []
    with zipfile.ZipFile(archived.path) as zf:
        for info in zf.infolist():
            if info.is_dir() or not info.filename.lower().endswith(".csv"):
                continue
            target = work / Path(info.filename).name
            with zf.open(info) as src, open(target, "wb") as dst:
                shutil.copyfileobj(src, dst)
            members.append(archive_file(target, root, name=f"{archived.name}:{Path(info.filename).name}"))
    return members


def _read_one(
    source: str, entity: str, spec: EntitySpec, af: ArchivedFile, wh: Warehouse, work: Path,
    load_id: str, max_reject_share: float, force: bool,
) -> FileOutcome:
    out = FileOutcome(source, entity, af.name, af.sha256, af.size, af.encoding, archive_path=str(af.path))
    if not force and raw_meta.current_sha(wh, source, entity) == af.sha256:
        out.status, out.message = "unchanged", "already the current load; nothing changed"
        return out
    required, keys = spec.required, spec.keys
    try:
        if source == "star":
            _, required, keys = star_layout(read_header(af))
        result: ReadResult = read_file(af, required=required, keys=keys, work_dir=work, load_id=load_id,
                                       max_reject_share=max_reject_share, work_format=wh.loader_file_format)
    except FileRefused as exc:
        out.status, out.message = "refused", str(exc)
        return out
    known = spec.known | set(required) | set(keys)
    out.rows_read, out.rows_loaded = result.data_records, result.loaded_records
    out.rows_rejected, out.rejected = len(result.rejected), result.rejected
    out.extra_columns = ",".join(c for c in result.columns if c not in known)
    out.work_file = (result.work_path, result.columns, result.loaded_records)
    if result.rejected:
        out.message = f"{len(result.rejected)} rows rejected (see raw_meta.rejected_rows)"
    return out


def entity_specs(source: str, patterns: dict[str, tuple[str, ...]] | None = None) -> tuple[EntitySpec, ...]:
    """The source's entities, with the district's own file patterns where it has some."""
    patterns = patterns or {}
    return tuple(s.with_patterns(patterns[s.entity]) if s.entity in patterns else s for s in FILE_SOURCES[source])


def load_files(source: str, folder: Path, wh: Warehouse, archive_root: Path, *, max_reject_share: float = 0.10,
               force: bool = False, patterns: dict[str, tuple[str, ...]] | None = None,
               progress=None) -> LoadSummary:
    """Load the newest file of every entity of ``source`` found in ``folder``."""
    specs = entity_specs(source, patterns)
    by_entity = {s.entity: s for s in specs}
    raw_meta.ensure(wh)
    load_id = new_load_id()
    root = archive_root
    found, missing = discover(folder, specs)
    outcomes: list[FileOutcome] = []
    with tempfile.TemporaryDirectory(prefix="schoolhouse-load-") as tmp:
        work = Path(tmp)
        for entity, path in found.items():
            if progress:
                progress(f"reading {path.name}")
            af = archive_file(path, root)
            if source == "star" and path.suffix.lower() == ".zip":
                members = _unpack_star(af, work, root)
                if not members:
                    outcomes.append(FileOutcome(source, entity, af.name, af.sha256, af.size, status="refused",
                                                message=f"{af.name} is refused: the zip holds no CSV file."))
                    continue
                af = members[0]
            outcomes.append(_read_one(source, entity, by_entity[entity], af, wh, work, load_id,
                                      max_reject_share, force))
        accepted = [o for o in outcomes if o.status == "loaded"]
        if accepted:
            if progress:
                progress(f"loading {len(accepted)} tables into raw_{source}")
            _dlt_load(wh, f"raw_{source}", [(o.entity, *o.work_file) for o in accepted])
        record_outcomes(wh, load_id, outcomes)
    return LoadSummary(source, load_id, outcomes, missing)


def _work_file_resource(entity: str, path: Path, columns: list[str], rows: int, file_format: str):
    """The reader's validated work file, handed to dlt's load step as is (no second parse)."""
    import dlt

    hints = {c: {"data_type": "text", "nullable": True} for c in columns}
    for meta in META_COLUMNS:
        hints[meta] = {"data_type": "bigint" if meta == "_record_number" else "text", "nullable": False}

    @dlt.resource(name=entity, write_disposition="replace", columns=hints, file_format=file_format)
    def rows_of_file():
        yield dlt.mark.with_file_import(str(path), file_format, rows)

    return rows_of_file


def _pipeline(wh: Warehouse, dataset: str):
    import dlt

    return dlt.pipeline(
        pipeline_name=f"schoolhouse_{dataset}_{wh.target}",
        destination=wh.dlt_destination(),
        dataset_name=dataset,
        pipelines_dir=str(wh.pipelines_dir),
    )


def _dlt_load(wh: Warehouse, dataset: str, tables: list[tuple[str, Path, list[str], int]]) -> None:
    fmt = wh.loader_file_format
    _pipeline(wh, dataset).run([_work_file_resource(entity, path, columns, rows, fmt)
                                for entity, path, columns, rows in tables])


def record_outcomes(wh: Warehouse, load_id: str, outcomes: list[FileOutcome]) -> None:
    """raw_meta.file_loads gets a row per file; raw_meta.rejected_rows the rows loaded files could not give."""
    now = raw_meta.now()
    loads, rejects = [], []
    for o in outcomes:
        row = {k: v for k, v in asdict(o).items() if k not in ("rejected", "work_file")}
        loads.append({"load_id": load_id, **row, "loaded_at": now})
        if o.status == "loaded":
            rejects.extend(
                {"file_sha256": o.file_sha256, "record_number": r.record_number, "source": o.source,
                 "entity": o.entity, "file_name": o.file_name, "reason": r.reason, "detail": r.detail,
                 "raw_text": r.raw_text, "load_id": load_id, "rejected_at": now}
                for r in o.rejected
            )
    raw_meta.record_load(wh, loads, rejects)
