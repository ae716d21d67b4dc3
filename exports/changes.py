"""What changed in a vendor's files since the last push to the same place.

Each successful push keeps its files (the exact CSVs, before zipping) under
``<archive_dir>/pushed/<vendor>/<destination key>/``, owner-only like the rest of the archive, and
only the last push per destination, each beside its rows' hashes and its sha256. A file with the
sha256 of the last push's is unchanged; any other is compared with it row by row, by those hashes:
a file whose first column is unique in both (every vendor file's id) is compared by that id (added,
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

from exports.files import RenderedFile, row_hashes, scratch_duckdb
from schoolhouse.warehouse import read_text_csv

# Beside each kept file, its rows' hashes (Arrow IPC): tonight's are taken as the file is rendered,
# last night's are read back from here, so a changed file is compared without parsing either one.
# Named with DuckDB's version: another version may hash otherwise, and then the file is parsed.
HASHES_SUFFIX = f".rows-duckdb-{duckdb.__version__}.arrow"
# And its sha256, so a file the same as the last push is known without reading it back (~400 MB for a
# state's enrollments: 4 s of CPU a night over the five vendors).
SHA256_SUFFIX = ".sha256"


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
        (fresh / (f.spec.file_name + SHA256_SUFFIX)).write_text(f.sha256 + "\n", encoding="ascii")
        if f.row_hashes is not None:
            with pa.OSFile(str(fresh / (f.spec.file_name + HASHES_SUFFIX)), "wb") as sink:
                with pa.ipc.new_file(sink, f.row_hashes.schema) as writer:
                    writer.write_table(f.row_hashes)
    (fresh / "DESTINATION").write_text(destination + "\n", encoding="utf-8")
    old = folder.with_name(folder.name + ".old")
    if folder.exists():
        os.replace(folder, old)
    os.replace(fresh, folder)
    shutil.rmtree(old, ignore_errors=True)


def _header(data: bytes | Path) -> bytes:
    if isinstance(data, Path):
        with open(data, "rb") as handle:
            return handle.readline()
    return data.split(b"\r\n", 1)[0]


def _width(data: bytes | Path) -> int:
    """How many columns a file we wrote (exports.files.csv_bytes) has, by its header."""
    return len(next(csv.reader([_header(data).decode("utf-8")]), []))


def _table(data: bytes | Path) -> pa.Table:
    """A file we wrote as text columns c0, c1, ... (the header dropped)."""
    return read_text_csv(data, _width(data), skip_rows=1)


def _same(previous: bytes | Path, now: RenderedFile) -> bool:
    data = now.data
    if isinstance(previous, bytes):
        return previous == data
    if previous.stat().st_size != len(data):
        return False
    beside = previous.with_name(previous.name + SHA256_SUFFIX)
    if beside.exists():
        return beside.read_text(encoding="ascii").strip() == now.sha256
    with open(previous, "rb") as handle:  # block by block: a state's file is ~400 MB
        view = memoryview(data)
        for at in range(0, len(data), 1 << 24):
            if handle.read(1 << 24) != view[at:at + (1 << 24)]:
                return False
    return True


def _hashes(data: bytes | Path, kept: pa.Table | None = None) -> pa.Table:
    """A file's row hashes: ``kept`` (taken when it was rendered), those kept beside it on disk, or
    else its rows parsed back and hashed."""
    if kept is not None:
        return kept
    if isinstance(data, Path):
        beside = data.with_name(data.name + HASHES_SUFFIX)
        if beside.exists():
            with pa.memory_map(str(beside)) as source:
                return pa.ipc.open_file(source).read_all()
    return row_hashes(_table(data))


def compare(previous: bytes | Path | None, now: RenderedFile) -> FileChange:
    """Counted by DuckDB over the two files' row hashes (exports.files.row_hashes: 16 bytes a row, kept
    beside each pushed file): a state's files are millions of rows, which as Python tuples and sets
    took minutes and gigabytes, and parsed back every night a third of the exports' time.
    ``previous``: the last push's file (its hashes read from beside it when there) or its bytes.

    A file whose first column is unique in both is compared by it (added, changed, removed); any
    other by whole rows (added, removed). A changed row hidden by its hashes colliding: about 1 in
    10^19 a row; two ids with the same hash make a file count as not keyed (about 1 in 10^7 for a
    state's million ids), which changes how its changes are counted, never the file."""
    name = now.spec.file_name
    if previous is None:
        return FileChange(name, now.rows, now.rows, 0, 0, compared=False)
    if _same(previous, now):  # most of a night's files: nothing to count
        return FileChange(name, now.rows, 0, 0, 0, compared=True)
    same_shape = _width(previous) == _width(now.data)
    con = scratch_duckdb()
    try:
        con.register("o", _hashes(previous))
        con.register("n", _hashes(now.data, now.row_hashes))

        def one(sql: str) -> tuple:
            return con.execute(sql).fetchone()

        keyed = all(one(f"select count(distinct key) = count(*) from {t}")[0] for t in ("o", "n"))
        if keyed:
            differs = "n.rest <> o.rest" if same_shape else "true"
            added, removed, changed = one(
                "select count(*) filter (where o.key is null), count(*) filter (where n.key is null), "
                f"count(*) filter (where n.key is not null and o.key is not null and {differs}) "
                "from n full join o on n.key = o.key")
            return FileChange(name, now.rows, added, changed, removed, compared=True)
        if same_shape:
            added = one("select count(*) from (select key, rest from n except select key, rest from o)")[0]
            removed = one("select count(*) from (select key, rest from o except select key, rest from n)")[0]
        else:  # another header: no row is the same
            added = one("select count(*) from (select distinct key, rest from n)")[0]
            removed = one("select count(*) from (select distinct key, rest from o)")[0]
        return FileChange(name, now.rows, added, 0, removed, compared=True)
    finally:
        con.close()


def changes(archive_dir: Path, vendor: str, destination: str, files: list[RenderedFile]) -> list[FileChange]:
    """Each of tonight's files against the same file of the last push kept for ``destination``."""
    folder = kept_folder(archive_dir, vendor, destination)
    out = []
    for f in files:
        path = folder / f.spec.file_name
        out.append(compare(path if path.exists() else None, f))
    return out
