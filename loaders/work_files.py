"""Work files: what the engine ingests as is (Parquet for DuckDB, CSV for PostgreSQL's COPY; loaders.raw_swap)."""

from __future__ import annotations

import threading
from pathlib import Path

import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq


def work_writer(path: Path, schema: pa.Schema, work_format: str):
    """A writer of ``schema``'s tables to ``path`` (use as a context manager; write_table per batch).
    The CSV writer writes each batch through to the file (a ``GrowingFile`` can follow it)."""
    if work_format == "csv":
        return pacsv.CSVWriter(path, schema, write_options=pacsv.WriteOptions(quoting_style="needed"))
    return pq.ParquetWriter(path, schema)


class GrowingFile:
    """A CSV work file that PostgreSQL's ``COPY`` reads while the reader is still writing it, so that
    parsing a file and ingesting it overlap instead of taking turns (loaders.load).

    The reader thread calls ``opened`` once the file exists, ``grew`` after each batch and ``close``
    when it is done, whether the file was accepted or refused (the loader decides which, afterwards).
    ``read`` waits for more bytes until then."""

    def __init__(self) -> None:
        self._changed = threading.Condition()
        self._version, self._closed = 0, False
        self.path: Path | None = None
        self.columns: list[str] = []
        self.lineage: dict[str, str] = {}
        self._data = None

    def opened(self, path: Path, columns: list[str], lineage: dict[str, str]) -> None:
        """The work file exists, holding ``columns`` and then the record number (loaders.reader)."""
        data = open(path, "rb")  # now: a refused file is deleted, perhaps before COPY reaches it
        with self._changed:
            self.path, self.columns, self.lineage, self._data = path, columns, lineage, data
            self._changed.notify_all()

    def grew(self) -> None:
        with self._changed:
            self._version += 1
            self._changed.notify_all()

    def close(self) -> None:
        with self._changed:
            self._closed = True
            self._changed.notify_all()

    def wait_opened(self) -> bool:
        """True once the file exists; False when the reader finished without writing one."""
        with self._changed:
            self._changed.wait_for(lambda: self.path is not None or self._closed)
            return self.path is not None

    def read(self, size: int = -1) -> bytes:
        while True:
            with self._changed:
                seen, closed = self._version, self._closed
            data = self._data.read(size)
            if data or closed:  # closed: what was read after it was closed is the file's end
                return data
            with self._changed:
                self._changed.wait_for(lambda: self._version != seen or self._closed)

    def release(self) -> None:
        if self._data is not None:
            self._data.close()
