"""Load one source's nightly files into ``raw_<source>``, recording every file and every rejected row.

Flow for each file: archive (sha256) → skip when it is already the current load → read into a
validated work file or refuse. Every accepted file replaces its entity's raw table, all in one
transaction (``loaders.raw_swap``): on DuckDB as soon as the file is read, on PostgreSQL while it
is read (its ``COPY`` follows the CSV work file as it grows, and is undone if the file is refused).
Tonight's file is the source's current picture (full-extract semantics); a refused file leaves
yesterday's table untouched. ``raw_meta.file_loads`` and ``raw_meta.rejected_rows`` say what
happened.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import threading
import uuid
import zipfile
from concurrent.futures import Future, ThreadPoolExecutor, as_completed
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from loaders.archive import ArchivedFile, archive_file
from loaders.discover import Candidate, discover
from loaders.raw_swap import RawSwap, TonightsTable
from loaders.reader import FileRefused, ReadResult, RejectedRow, read_file, read_header
from loaders.work_files import GrowingFile
from schoolhouse import raw_meta
from schoolhouse.catalog import (FILE_SOURCES, META_COLUMNS, STAR_LAYOUT_ONLY, STAR_LAYOUTS, EntitySpec,
                                 raw_file_columns, star_layout)
from schoolhouse.warehouse import Warehouse


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
    status: str = "loaded"  # loaded | unchanged | refused | unrecognised
    message: str = ""
    extra_columns: str = ""  # columns the file has beyond the known ones (loaded, reported)
    missing_columns: str = ""  # optional columns the file lacks (null in tonight's table)
    archive_path: str = ""
    rejected: list[RejectedRow] = field(default_factory=list, repr=False)
    tonight: TonightsTable | None = field(default=None, repr=False)  # what replaces the raw table


@dataclass
class LoadSummary:
    source: str
    load_id: str
    outcomes: list[FileOutcome]
    missing: list[str] = field(default_factory=list)  # entities with no file tonight
    never_loaded: list[str] = field(default_factory=list)  # of those, the ones that have no previous data either
    archived: list[ArchivedFile] = field(default_factory=list)  # the folder's files as they came (zips whole)

    @property
    def refused(self) -> list[FileOutcome]:
        return [o for o in self.outcomes if o.status == "refused"]

    @property
    def unrecognised(self) -> list[FileOutcome]:
        return [o for o in self.outcomes if o.status == "unrecognised"]

    @property
    def recognised_nothing(self) -> bool:
        """Files were there, but none is one of the source's entities."""
        return bool(self.unrecognised) and all(o.status == "unrecognised" for o in self.outcomes)

    @property
    def ok(self) -> bool:
        return not self.refused and not self.recognised_nothing


def new_load_id() -> str:
    # Microseconds first, so load ids sort in the order the loads happened.
    return datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S%f") + "-" + uuid.uuid4().hex[:8]


@dataclass(frozen=True)
class _Layout:
    """What a file of ``spec`` must hold and may hold, given its header (STAR has two layouts)."""
    required: tuple[str, ...]
    keys: tuple[str, ...]
    other_layout: frozenset[str]  # the other STAR layout's own columns: not missing when absent

    @classmethod
    def of(cls, source: str, spec: EntitySpec, header: list[str]) -> _Layout:
        if source != "star":
            return cls(spec.required, spec.keys, frozenset())
        layout, required, keys = star_layout(header)
        other = {c for name, (req, k) in STAR_LAYOUTS.items() if name != layout for c in (*req, *k)}
        other |= {c for name, cols in STAR_LAYOUT_ONLY.items() if name != layout for c in cols}
        return cls(required, keys, frozenset(other - {*required, *keys}))

    def tonight(self, spec: EntitySpec, work_file: Path, columns: list[str], lineage: dict[str, str]) -> TonightsTable:
        """What replaces the raw table: the work file's columns (the file's and the record number)."""
        known = spec.known | set(self.required) | set(self.keys)
        return TonightsTable(spec.entity, work_file, (*columns, "_record_number"), lineage,
                             extra_columns=tuple(c for c in columns if c not in known))


def _read_one(source: str, entity: str, spec: EntitySpec, af: ArchivedFile, wh: Warehouse, work: Path,
              load_id: str, max_reject_share: float, current: str | None,
              growing: GrowingFile | None = None) -> FileOutcome:
    out = FileOutcome(source, entity, af.name, af.sha256, af.size, af.encoding, archive_path=str(af.path))
    if current == af.sha256:
        out.status, out.message = "unchanged", "already the current load; nothing changed"
        return out
    try:
        layout = _Layout.of(source, spec, read_header(af, spec.aliases) if source == "star" else [])
        result: ReadResult = read_file(
            af, required=layout.required, keys=layout.keys, work_dir=work, load_id=load_id,
            max_reject_share=max_reject_share, work_format=wh.loader_file_format, known=spec.known,
            aliases=spec.aliases, table_columns=tuple(c for c in raw_file_columns(spec) if c not in META_COLUMNS),
            growing=growing)
    except FileRefused as exc:
        out.status, out.message = "refused", str(exc)
        return out
    out.rows_read, out.rows_loaded = result.data_records, result.loaded_records
    out.rows_rejected, out.rejected = len(result.rejected), result.rejected
    out.tonight = layout.tonight(spec, result.work_path, result.columns, result.lineage)
    out.extra_columns = ",".join(out.tonight.extra_columns)
    # The optional columns tonight's file lacked (the other STAR layout's columns do not count).
    out.missing_columns = ",".join(c for c in result.absent_columns if c not in layout.other_layout)
    if result.rejected:
        n = len(result.rejected)
        out.message = f"{n} row{'' if n == 1 else 's'} rejected (see raw_meta.rejected_rows)"
    return out


def entity_specs(source: str, patterns: dict[str, tuple[str, ...]] | None = None) -> tuple[EntitySpec, ...]:
    """The source's entities, with the district's own file patterns where it has some."""
    patterns = patterns or {}
    return tuple(s.with_patterns(patterns[s.entity]) if s.entity in patterns else s for s in FILE_SOURCES[source])


class _Archiver:
    """Archives each file of the folder once, and each zip member on its own as zip:member. Safe to
    call from the reader threads (two members of one zip archive the zip once)."""

    def __init__(self, root: Path, work: Path) -> None:
        self.root, self.work, self.done = root, work, {}
        self._guard, self._locks = threading.Lock(), {}

    def __call__(self, candidate: Candidate) -> ArchivedFile:
        with self._guard:
            lock = self._locks.setdefault(candidate.path, threading.Lock())
        with lock:
            if candidate.path not in self.done:
                self.done[candidate.path] = archive_file(candidate.path, self.root)
            container = self.done[candidate.path]
        if candidate.member is None:
            return container
        target = self.work / f"{container.sha256[:12]}-{Path(candidate.member).name}"
        with zipfile.ZipFile(container.path) as zf, zf.open(candidate.member) as src, open(target, "wb") as dst:
            shutil.copyfileobj(src, dst)
        return archive_file(target, self.root, name=candidate.label)


def _outcome_of(source: str, entity: str, spec: EntitySpec, candidate: Candidate, af: ArchivedFile,
                wh: Warehouse, work: Path, load_id: str, max_reject_share: float, current: str | None,
                growing: GrowingFile | None) -> FileOutcome:
    if candidate.member is None and candidate.path.suffix.lower() == ".zip":
        return FileOutcome(source, entity, af.name, af.sha256, af.size, status="refused", archive_path=str(af.path),
                           message=f"{af.name} is refused: the zip holds no CSV or text file.")
    return _read_one(source, entity, spec, af, wh, work, load_id, max_reject_share, current, growing)


def _conflict(source: str, entity: str, hits: list[Candidate], archive: _Archiver) -> FileOutcome:
    archived = [archive(c) for c in hits]  # nothing is lost: both are kept, neither is loaded
    names = ", ".join(c.label for c in hits)
    return FileOutcome(source, entity, names, status="refused", archive_path=str(archived[0].path),
                       message=f"{entity} is refused: {len(hits)} files match it ({names}); nothing was loaded for "
                               f"{entity}. Remove all but one, or list patterns in file_patterns so one wins.")


def _unrecognised(source: str, candidate: Candidate, archive: _Archiver, specs: tuple[EntitySpec, ...]) -> FileOutcome:
    af = archive(candidate)
    return FileOutcome(source, "", candidate.label, af.sha256, af.size, status="unrecognised",
                       archive_path=str(af.path),
                       message=f"{candidate.label} matches no {source} file name "
                               f"({', '.join(p for s in specs for p in s.patterns)}); it was archived, not loaded.")


def load_files(source: str, folder: Path, wh: Warehouse, archive_root: Path, *, max_reject_share: float = 0.10,
               force: bool = False, patterns: dict[str, dict[str, tuple[str, ...]]] | None = None,
               progress=None) -> LoadSummary:
    """Load every entity of ``source`` found in ``folder`` (files, or members of zips in it).
    ``patterns`` are the district's own file patterns, source → entity → patterns."""
    with wh.kept_open():
        return _load_files(source, folder, wh, archive_root, max_reject_share, force, patterns or {}, progress)


def _load_files(source: str, folder: Path, wh: Warehouse, archive_root: Path, max_reject_share: float, force: bool,
                patterns: dict[str, dict[str, tuple[str, ...]]], progress) -> LoadSummary:
    specs = entity_specs(source, patterns.get(source))
    others = tuple(s for other in FILE_SOURCES if other != source for s in entity_specs(other, patterns.get(other)))
    by_entity = {s.entity: s for s in specs}
    raw_meta.ensure(wh)
    current = raw_meta.current_shas(wh, source)  # the file each raw table holds now
    load_id = new_load_id()
    found = discover(folder, specs, others)
    with tempfile.TemporaryDirectory(prefix="schoolhouse-load-") as tmp:
        work = Path(tmp)
        archive = _Archiver(archive_root, work)

        # PostgreSQL ingests each CSV work file while it is being written (loaders.work_files.GrowingFile).
        growing = {entity: GrowingFile() for entity in found.found} if wh.loader_file_format == "csv" else {}

        def outcome(entity: str, candidate: Candidate) -> FileOutcome:
            try:
                if progress:
                    progress(f"reading {candidate.label}")
                return _outcome_of(source, entity, by_entity[entity], candidate, archive(candidate), wh, work,
                                   load_id, max_reject_share, None if force else current.get(entity),
                                   growing.get(entity))
            finally:
                if entity in growing:
                    growing[entity].close()

        # hashlib and Arrow work without the GIL: files are archived and read side by side, one per
        # core, and each accepted one goes into tonight's transaction as soon as it is read (DuckDB)
        # or while it is read (PostgreSQL, in the order they are read).
        workers = max(1, min(len(found.found), os.cpu_count() or 1))
        with ThreadPoolExecutor(max_workers=workers) as pool:
            # The largest first: its ingest, the longest, starts while the small files are still read.
            largest_first = sorted(found.found.items(), key=lambda item: -item[1].path.stat().st_size)
            reads = {entity: pool.submit(outcome, entity, candidate) for entity, candidate in largest_first}
            with RawSwap(wh, f"raw_{source}") as swap:  # opened while the first files are read
                if growing:
                    for entity, _ in largest_first:  # in the order they are read
                        _ingest_while_read(swap, source, by_entity[entity], growing[entity], reads[entity])
                else:
                    for done in as_completed(reads.values()):
                        if done.result().status == "loaded":
                            swap.add(done.result().tonight)
        outcomes = [reads[entity].result() for entity in found.found]  # in the folder's order
        outcomes += [_conflict(source, entity, hits, archive) for entity, hits in found.conflicts.items()]
        outcomes += [_unrecognised(source, c, archive, specs) for c in found.unrecognised]
        record_outcomes(wh, load_id, outcomes)
    never = [e for e in found.missing if e not in current]
    return LoadSummary(source, load_id, outcomes, found.missing, never,
                       archived=[archive.done[path] for path in sorted(archive.done)])


def _ingest_while_read(swap: RawSwap, source: str, spec: EntitySpec, growing: GrowingFile, read: Future) -> None:
    """Fill the entity's raw table as its work file is written; undone if the file is then refused."""
    if not growing.wait_opened():  # refused on its header, unchanged, or not a CSV: nothing to ingest
        read.result()  # an error in the reader is the load's error
        return
    layout = _Layout.of(source, spec, growing.columns)
    swap.add_while_written(layout.tonight(spec, growing.path, growing.columns, growing.lineage), growing,
                           accepted=lambda: read.result().status == "loaded")


def record_outcomes(wh: Warehouse, load_id: str, outcomes: list[FileOutcome]) -> None:
    """raw_meta.file_loads gets a row per file; raw_meta.rejected_rows the rows loaded files could not give."""
    now = raw_meta.now()
    loads, rejects = [], []
    for o in outcomes:
        row = {k: v for k, v in asdict(o).items() if k not in ("rejected", "tonight")}
        loads.append({"load_id": load_id, **row, "loaded_at": now})
        if o.status == "loaded":
            rejects.extend(
                {"file_sha256": o.file_sha256, "record_number": r.record_number, "source": o.source,
                 "entity": o.entity, "file_name": o.file_name, "reason": r.reason, "detail": r.detail,
                 "raw_text": r.raw_text, "load_id": load_id, "rejected_at": now}
                for r in o.rejected
            )
    raw_meta.record_load(wh, loads, rejects)
