"""Work files: what the engine ingests as is (Parquet for DuckDB, CSV for PostgreSQL's COPY; loaders.raw_swap)."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq


def work_writer(path: Path, schema: pa.Schema, work_format: str):
    """A writer of ``schema``'s tables to ``path`` (use as a context manager; write_table per batch)."""
    if work_format == "csv":
        return pacsv.CSVWriter(path, schema, write_options=pacsv.WriteOptions(quoting_style="needed"))
    return pq.ParquetWriter(path, schema)
