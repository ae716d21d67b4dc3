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
from functools import cache, cached_property
from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from schoolhouse.warehouse import Warehouse, quote_identifier

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
    # Each row's hashes (row_hashes below), taken from the rows as rendered so that neither
    # tonight's file nor the last push's has to be parsed back to count what changed. None: parsed.
    row_hashes: pa.Table | None = None

    @cached_property
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


def render(wh: Warehouse, spec: ExportFile) -> RenderedFile:
    """The file's bytes: header from the manifest, rows sorted by their text, column by column (the
    order Python gives lists of str: code points, which is UTF-8's byte order, so the same on every
    engine and collation, and the same data gives the same file and sha256). Columnar (Arrow) all the
    way to the bytes: a state's files are millions of rows."""
    cols = ", ".join(quote_identifier(c) for c in spec.columns)
    table = wh.text_table(f"select {cols} from {quote_identifier(spec.schema)}.{quote_identifier(spec.relation)}")
    table = sorted_rows(table.rename_columns([f"c{i}" for i in range(table.num_columns)]))
    _refuse_line_breaks(spec, table)
    return RenderedFile(spec, csv_bytes(spec.columns, table), table.num_rows, row_hashes=row_hashes(table))


@cache
def _scratch() -> duckdb.DuckDBPyConnection:
    return duckdb.connect()


def scratch_duckdb() -> duckdb.DuckDBPyConnection:
    """A connection of its own (a cursor: each thread its own, microseconds where a new in-memory
    database takes 10 ms) to one empty in-memory DuckDB, for work over Arrow tables."""
    return _scratch().cursor()


def sorted_rows(table: pa.Table) -> pa.Table:
    """The rows of text columns c0, c1, ... sorted column by column, in code point order (Arrow
    compares the UTF-8 bytes, which is code point order, and Python's for lists of str). DuckDB's
    sort of the same Arrow table was measured too (2026-12-06, a state's files): faster where many
    first values are equal (ST Math's students, 2.6 → 1.1 s), slower elsewhere, about even in all."""
    return table.take(pc.sort_indices(table, [(name, "ascending") for name in table.column_names]))


def row_hashes(table: pa.Table) -> pa.Table:
    """Two 64-bit hashes a row of a file's text columns c0, c1, ...: ``key`` of its first column (every
    vendor file's id), ``rest`` of the others (0 when there are none). What exports.changes compares
    instead of the rows: 16 bytes a row, so a state's last push is not parsed back every night."""
    rest = f"hash({', '.join(table.column_names[1:])})" if table.num_columns > 1 else "0::ubigint"
    con = scratch_duckdb()
    try:
        con.register("file_rows", table)
        return con.sql(f"select hash(c0) as key, {rest} as rest from file_rows").to_arrow_table()
    finally:
        con.close()


def _holds_any(values: pa.ChunkedArray, characters: bytes) -> bool:
    """False when no value of the text column holds any of the (ASCII) ``characters``; True when
    one may. Scans the values' bytes with numpy, ~25× faster than a regular expression per value,
    and most of a file's columns (ids, dates, codes) hold none of them. UTF-8 never uses an ASCII
    byte inside a multi-byte character, so a byte match is a character match."""
    values = values if values.type == pa.large_string() else pc.cast(values, pa.large_string())
    for chunk in values.chunks:
        text = np.frombuffer(_value_bytes(chunk), dtype=np.uint8)
        if any((text == c).any() for c in characters):
            return True
    return False


def _value_bytes(chunk: pa.LargeStringArray) -> memoryview:
    """The bytes of a text chunk's values, one after another (a view, not a copy)."""
    if not len(chunk):
        return memoryview(b"")
    _, offsets, data = chunk.buffers()
    if data is None:  # no bytes at all
        return memoryview(b"")
    ends = np.frombuffer(offsets, dtype=np.int64)
    return memoryview(data)[ends[chunk.offset]:ends[chunk.offset + len(chunk)]]


def _refuse_line_breaks(spec: ExportFile, table: pa.Table) -> None:
    first = None  # (row, column) of the first line break, reading the file row by row
    for col, values in zip(spec.columns, table.columns):
        if not _holds_any(values, b"\r\n"):
            continue
        hits = pc.indices_nonzero(pc.match_substring_regex(values, "[\r\n]"))
        if len(hits) and (first is None or hits[0].as_py() < first[0]):
            first = (hits[0].as_py(), col)
    if first:
        raise ExportError(f"{spec.file_name} line {first[0] + 2} has a line break in {first[1]}; "
                          "the export view must remove it.")


def csv_bytes(header: tuple[str, ...], table: pa.Table) -> bytes:
    """RFC 4180 CSV of ``header`` and the text columns of ``table``: byte for byte what Python's
    csv.writer writes (QUOTE_MINIMAL, CRLF, UTF-8), built by Arrow's string kernels."""
    head = io.StringIO(newline="")
    csv.writer(head, quoting=csv.QUOTE_MINIMAL, lineterminator="\r\n").writerow(header)
    if not table.num_rows:
        return head.getvalue().encode("utf-8")
    text = pa.large_string()
    quote, nothing, comma = (pa.scalar(t, text) for t in ('"', "", ","))
    fields = []
    for values in table.columns:
        values = pc.cast(values, text)
        # Quoted when it holds the delimiter, the quote or a line break; a quote inside is doubled.
        # Most columns hold none of them: those are written as they are (12.9 s → 5.2 s for a
        # state's 4.2 million OneRoster enrollments, byte for byte the same).
        if _holds_any(values, b'",\r\n'):
            needs = pc.match_substring_regex(values, '[",\r\n]')
            quoted = pc.binary_join_element_wise(quote, pc.replace_substring(values, '"', '""'), quote, nothing)
            values = pc.if_else(needs, quoted, values)
        fields.append(values)
    if len(fields) == 1:  # csv.writer quotes a record that would otherwise be an empty line
        fields[0] = pc.if_else(pc.equal(fields[0], ""), pa.scalar('""', text), fields[0])
    fields[-1] = pc.binary_join_element_wise(fields[-1], pa.scalar("\r\n", text), nothing)
    lines = pc.binary_join_element_wise(*fields, comma)
    if lines.null_count:  # a null would be no bytes at all, a line lost (text_table gives '' for NULL)
        raise ExportError("A value of the file is NULL where text was expected.")
    # Each line ends with its CRLF, so the lines' bytes, chunk after chunk, are the file's body: one
    # copy of them (was four: combined, joined, made bytes, appended to the header; a state's
    # OneRoster enrollments are 420 MB).
    return b"".join([head.getvalue().encode("utf-8"), *(_value_bytes(chunk) for chunk in lines.chunks)])


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
                # Deflate's fastest level: a state's OneRoster zip in 2.3 s instead of 7.1 s, 19% larger.
                zf.writestr(info, f.data, compresslevel=1)
        loose.append((name, buf.getvalue()))
    return loose
