"""A generation of the warehouse: everything one command writes, shown to readers all at once.

DuckDB lets one process write a file or many read it, never both. So a command that writes (load,
build, export, nightly, purge) never opens the file readers open: it copies the current file into
a side folder (``.<name>.next/<name>``, same file name so the catalog name and every view's SQL stay
valid), writes there, and on success replaces the current file with one ``rename``. A reader that
opens the warehouse sees last night's complete file or tonight's, never a mix and never a lock
error; one that already has it open keeps reading last night's until it reconnects. A command
that fails leaves the current file untouched (the copy is removed). Extra disk: one copy.

PostgreSQL is written in place: dbt swaps each table inside a transaction, so a reader waits at
most for one table swap, and a reader never blocks the build for longer than its own query.

Commands that write take one lock (``.<name>.lock``) so two never copy and publish over each other;
the second waits. Every generation that changed the warehouse appends what it did (loads with
their archived files, builds with their vars) to the archive's journal, which ``schoolhouse replay``
plays back to recreate a lost warehouse.
"""

from __future__ import annotations

import dataclasses
import fcntl
import os
import shutil
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

from schoolhouse import journal, raw_meta
from schoolhouse.console import console
from schoolhouse.settings import Settings
from schoolhouse.warehouse import next_path


def lock_path(current: Path) -> Path:
    return current.parent / f".{current.name}.lock"


def wal(path: Path) -> Path:
    return path.with_name(path.name + ".wal")


@dataclasses.dataclass
class Generation:
    """What one command writes: ``settings`` point at the file being written (DuckDB) or the
    warehouse itself (PostgreSQL). ``snapshot_at`` is the night's time, the same for every snapshot
    it takes and recorded in the journal, so a replay gives every history row the same time."""

    settings: Settings
    command: str
    id: str = dataclasses.field(default_factory=lambda: uuid.uuid4().hex)
    started_at: datetime = dataclasses.field(default_factory=raw_meta.now)
    steps: list[dict[str, Any]] = dataclasses.field(default_factory=list)
    published: bool = False
    # Local wall time, as the engines' own now()::timestamp would have recorded it.
    snapshot_at: str = dataclasses.field(default_factory=lambda: datetime.now().isoformat(sep=" "))
    _publish: Callable[[], None] | None = dataclasses.field(default=None, repr=False)

    def publish(self) -> None:
        """Show readers what this generation wrote (DuckDB: swap the file in; PostgreSQL: it already is)."""
        if self._publish:
            self._publish()
        self.published = True

    def record(self, step: dict[str, Any]) -> None:
        """One thing this generation did to the warehouse, for the journal."""
        self.steps.append(step)


def _journal(settings: Settings, gen: Generation) -> None:
    journal.append(settings.archive_dir, gen.id, gen.command, gen.started_at, gen.published, gen.steps)


@contextmanager
def _writer_lock(current: Path) -> Iterator[None]:
    current.parent.mkdir(parents=True, exist_ok=True)
    with open(lock_path(current), "a+") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            console.log(f"Another Schoolhouse command is writing {current.name}; waiting for it to finish.")
            fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def copy_file(src: Path, dest: Path) -> None:
    # copy_file_range: a reflink (no data copied) on filesystems that can, an in-kernel copy elsewhere.
    with open(src, "rb") as fin, open(dest, "wb") as fout:
        size = os.fstat(fin.fileno()).st_size
        done = 0
        try:
            while done < size:
                n = os.copy_file_range(fin.fileno(), fout.fileno(), size - done)
                if n == 0:
                    break
                done += n
        except OSError:
            fin.seek(0)
            fout.seek(0)
            fout.truncate()
            shutil.copyfileobj(fin, fout, 1 << 24)
            done = size
        fout.flush()
        os.fsync(fout.fileno())


def _checkpoint(path: Path) -> None:
    """Fold the write-ahead log into the file and close it: a published file stands alone."""
    import duckdb

    if not path.exists():
        return
    con = duckdb.connect(str(path))
    try:
        con.execute("checkpoint")
    finally:
        con.close()
    if wal(path).exists():
        raise RuntimeError(f"{path} is still open for writing in this process; it cannot be published.")


@contextmanager
def generation(settings: Settings, command: str) -> Iterator[Generation]:
    """Write through ``gen.settings``; call ``gen.publish()`` when the result may be shown."""
    if settings.target != "duckdb":
        gen = Generation(settings, command)
        try:
            yield gen
        finally:
            # In place: whatever ran changed the warehouse, published or not, so the journal has it.
            if gen.steps:
                _journal(settings, gen)
        return
    current = settings.duckdb_path
    with _writer_lock(current):
        nxt = next_path(current)
        if nxt.parent.exists():
            shutil.rmtree(nxt.parent)  # what a killed command left
        nxt.parent.mkdir(mode=0o700, parents=True)
        t0 = time.monotonic()
        if current.exists():
            copy_file(current, nxt)
            if wal(current).exists():  # left by a writer of an earlier version: DuckDB replays it on open
                copy_file(wal(current), wal(nxt))
            console.log(f"writing a copy of {current.name} ({current.stat().st_size / 2**20:,.0f} MiB, "
                        f"{time.monotonic() - t0:.1f} s); readers keep the current one")
        gen = Generation(dataclasses.replace(settings, duckdb_path=nxt), command)
        gen._publish = lambda: _swap_in(gen, nxt, current)
        try:
            yield gen
        finally:
            if nxt.parent.exists():
                shutil.rmtree(nxt.parent)


def _swap_in(gen: Generation, nxt: Path, current: Path) -> None:
    from schoolhouse.dbt_runner import release_duckdb

    release_duckdb()
    _checkpoint(nxt)
    if wal(current).exists():
        wal(current).unlink()  # it belonged to the file being replaced, whose changes the copy holds
    os.replace(nxt, current)
    dir_fd = os.open(current.parent, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)
    gen.published = True
    if gen.steps:
        _journal(gen.settings, gen)
