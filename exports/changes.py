"""What changed in a vendor's files since the last push to the same place.

Each successful push keeps its files (the exact CSVs, before zipping) under
``<archive_dir>/pushed/<vendor>/<destination key>/``, owner-only like the rest of the archive, and
only the last push per destination. Tonight's files are compared with them row by row: a file
whose first column is unique in both (every vendor file's id) is compared by that id (added,
changed, removed); any other file (an enrollment list) by whole rows (added, removed).
"""

from __future__ import annotations

import csv
import hashlib
import io
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from exports.files import RenderedFile


@dataclass(frozen=True)
class FileChange:
    file_name: str
    rows: int
    added: int
    changed: int
    removed: int
    compared: bool  # False: no earlier push kept for this file, every row counts as added

    @property
    def any(self) -> bool:
        return bool(self.added or self.changed or self.removed)

    def sentence(self) -> str:
        if not self.compared:
            return f"{self.file_name}: {self.rows:,} rows, all new (no earlier push kept)"
        return (f"{self.file_name}: {self.rows:,} rows, {self.added:,} added, {self.changed:,} changed, "
                f"{self.removed:,} removed")


def kept_folder(archive_dir: Path, vendor: str, destination: str) -> Path:
    key = hashlib.sha256(destination.encode("utf-8")).hexdigest()[:16]
    return archive_dir / "pushed" / vendor / key


def keep(archive_dir: Path, vendor: str, destination: str, files: list[RenderedFile]) -> None:
    """Keep this push's files as the last push to ``destination`` (replacing the one before)."""
    folder = kept_folder(archive_dir, vendor, destination)
    folder.parent.mkdir(parents=True, exist_ok=True)
    fresh = Path(tempfile.mkdtemp(dir=folder.parent, prefix=".keeping-"))
    for f in files:
        (fresh / f.spec.file_name).write_bytes(f.data)
    (fresh / "DESTINATION").write_text(destination + "\n", encoding="utf-8")
    old = folder.with_name(folder.name + ".old")
    if folder.exists():
        os.replace(folder, old)
    os.replace(fresh, folder)
    shutil.rmtree(old, ignore_errors=True)


def _rows(data: bytes) -> list[tuple[str, ...]]:
    reader = csv.reader(io.StringIO(data.decode("utf-8"), newline=""))
    next(reader, None)
    return [tuple(r) for r in reader]


def compare(previous: bytes | None, now: RenderedFile) -> FileChange:
    new_rows = _rows(now.data)
    if previous is None:
        return FileChange(now.spec.file_name, len(new_rows), len(new_rows), 0, 0, compared=False)
    old_rows = _rows(previous)
    old_keys = {r[0] for r in old_rows if r}
    new_keys = {r[0] for r in new_rows if r}
    if len(old_keys) == len(old_rows) and len(new_keys) == len(new_rows):
        old_by = {r[0]: r for r in old_rows}
        new_by = {r[0]: r for r in new_rows}
        changed = sum(1 for k in new_keys & old_keys if new_by[k] != old_by[k])
        return FileChange(now.spec.file_name, len(new_rows), len(new_keys - old_keys), changed,
                          len(old_keys - new_keys), compared=True)
    old_set, new_set = set(old_rows), set(new_rows)
    return FileChange(now.spec.file_name, len(new_rows), len(new_set - old_set), 0, len(old_set - new_set),
                      compared=True)


def changes(archive_dir: Path, vendor: str, destination: str, files: list[RenderedFile]) -> list[FileChange]:
    """Each of tonight's files against the same file of the last push kept for ``destination``."""
    folder = kept_folder(archive_dir, vendor, destination)
    out = []
    for f in files:
        path = folder / f.spec.file_name
        out.append(compare(path.read_bytes() if path.exists() else None, f))
    return out
