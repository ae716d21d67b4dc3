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
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pyarrow as pa

from exports.files import RenderedFile
from schoolhouse.warehouse import read_text_csv


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


def _table(data: bytes) -> pa.Table:
    """A file we wrote (exports.files.csv_bytes) as text columns c0, c1, ... (the header dropped)."""
    header = next(csv.reader([data.split(b"\r\n", 1)[0].decode("utf-8")]), [])
    return read_text_csv(data, len(header), skip_rows=1)


def compare(previous: bytes | None, now: RenderedFile) -> FileChange:
    """Counted by DuckDB over the two files' Arrow tables: a state's files are millions of rows,
    which as Python tuples and sets took minutes and gigabytes."""
    name = now.spec.file_name
    if previous is None:
        return FileChange(name, now.rows, now.rows, 0, 0, compared=False)
    if previous == now.data:  # most of a night's files: nothing to count
        return FileChange(name, now.rows, 0, 0, 0, compared=True)
    old_rows, new_rows = _table(previous), _table(now.data)
    con = duckdb.connect()
    try:
        con.register("old_rows", old_rows)
        con.register("new_rows", new_rows)
        cols = new_rows.column_names
        same_shape = cols == old_rows.column_names

        def one(sql: str) -> tuple:
            return con.execute(sql).fetchone()

        keyed = all(one(f"select count(distinct c0) = count(*) from {t}")[0] for t in ("old_rows", "new_rows"))
        if keyed:
            differs = " or ".join(f"n.{c} <> o.{c}" for c in cols[1:]) if same_shape else "true"
            added, removed, changed = one(
                "select count(*) filter (where o.c0 is null), count(*) filter (where n.c0 is null), "
                f"count(*) filter (where n.c0 is not null and o.c0 is not null and ({differs or 'false'})) "
                "from new_rows as n full join old_rows as o on n.c0 = o.c0")
            return FileChange(name, now.rows, added, changed, removed, compared=True)
        if same_shape:
            added = one("select count(*) from (select * from new_rows except select * from old_rows)")[0]
            removed = one("select count(*) from (select * from old_rows except select * from new_rows)")[0]
        else:  # another header: no row is the same
            added = one("select count(*) from (select distinct * from new_rows)")[0]
            removed = one("select count(*) from (select distinct * from old_rows)")[0]
        return FileChange(name, now.rows, added, 0, removed, compared=True)
    finally:
        con.close()


def changes(archive_dir: Path, vendor: str, destination: str, files: list[RenderedFile]) -> list[FileChange]:
    """Each of tonight's files against the same file of the last push kept for ``destination``."""
    folder = kept_folder(archive_dir, vendor, destination)
    out = []
    for f in files:
        path = folder / f.spec.file_name
        out.append(compare(path.read_bytes() if path.exists() else None, f))
    return out
