"""Read one archived SIS export into a validated Parquet work file, or refuse it.

Real exports are dirty (README, "What a load guarantees"). This module undoes the damage that
stops a file from being read at all and nothing more: encoding, BOM, MySQL ``\\"`` escapes,
backslash line continuations, the literal ``NULL``, quoted or padded header names, columns in
any order. Rows that cannot be read (wrong number of fields, an empty key) are rejected with
their record number and text; values that dbt can judge (a bad date, an unknown code) are kept
as text and judged in the models.

Parsing is pyarrow's streaming CSV reader: C++ speed, memory bounded by the block size.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from loaders.archive import ArchivedFile
from schoolhouse.catalog import META_COLUMNS

BLOCK_SIZE = 8 << 20


class FileRefused(Exception):
    """The whole file is refused; the message is one plain sentence naming the file and the reason."""


@dataclass(frozen=True)
class RejectedRow:
    record_number: int  # the header is record 1; a record with embedded line breaks counts once
    reason: str  # "field_count" or "missing_key"
    detail: str
    raw_text: str


@dataclass
class ReadResult:
    columns: list[str]
    data_records: int
    loaded_records: int
    work_path: Path
    rejected: list[RejectedRow] = field(default_factory=list)
    last_record: int = 0  # the file's last record number (the header is 1)
    last_record_unreadable: bool = False


_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")


def normalise_header(name: str) -> str:
    """``'Local_ID'`` / ``" local_id "`` / ``StudentIdentifier`` → ``local_id`` / ``student_identifier``."""
    name = name.strip().strip("'\"").strip()
    name = _CAMEL.sub("_", name)
    return re.sub(r"[^0-9a-zA-Z]+", "_", name).strip("_").lower()


def read_header(f: ArchivedFile) -> list[str]:
    with open(f.path, encoding=f.encoding, newline="") as text:
        first = text.readline()
    if not first.strip():
        raise FileRefused(f"{f.name} is refused: it is empty (no header line).")
    raw = next(csv.reader(io.StringIO(first), escapechar="\\"))
    names = [normalise_header(n) for n in raw]
    if any(not n for n in names):
        raise FileRefused(f"{f.name} is refused: the header has an empty column name.")
    dupes = sorted({n for n in names if names.count(n) > 1})
    if dupes:
        raise FileRefused(f"{f.name} is refused: the header names column {dupes[0]!r} more than once.")
    return names


def _unbalanced_last_line(f: ArchivedFile) -> bool:
    """True when the file's last line leaves a quoted field open: the file was cut off mid-record."""
    with open(f.path, "rb") as fin:
        fin.seek(max(0, f.size - (1 << 16)))
        tail = fin.read().decode(f.encoding if f.encoding != "utf-8-sig" else "utf-8", errors="replace")
    last = tail.splitlines()[-1] if tail.splitlines() else ""
    return (last.count('"') - last.count('\\"')) % 2 == 1


def read_file(
    f: ArchivedFile,
    *,
    required: tuple[str, ...],
    keys: tuple[str, ...],
    work_dir: Path,
    load_id: str,
    max_reject_share: float = 0.10,
    work_format: str = "parquet",
) -> ReadResult:
    """Parse ``f`` into ``work_dir/<sha>.<work_format>`` (all columns text plus ``META_COLUMNS``).

    The work file is what dlt imports as is: Parquet for DuckDB, CSV for PostgreSQL's COPY."""
    if f.size == 0:
        raise FileRefused(f"{f.name} is refused: the file is empty.")
    columns = read_header(f)
    missing = [c for c in required if c not in columns]
    if missing:
        raise FileRefused(f"{f.name} is refused: required column {missing[0]!r} is missing from the header.")
    work_dir.mkdir(parents=True, exist_ok=True)
    work_path = work_dir / f"{f.sha256}.{work_format}"
    try:
        result = _write_work_file(f, columns, keys, work_path, load_id, work_format)
        _judge(f, result, max_reject_share)
    except FileRefused:
        work_path.unlink(missing_ok=True)
        raise
    return result


def _csv_reader(f: ArchivedFile, columns: list[str], invalid: dict[int, RejectedRow]) -> pacsv.CSVStreamingReader:
    """pyarrow's streaming reader, every column as text; unreadable rows go to ``invalid`` by record number."""

    def on_invalid(row: pacsv.InvalidRow) -> str:
        number = int(row.number) if row.number is not None else -1
        invalid[number] = RejectedRow(
            number, "field_count",
            f"expected {row.expected_columns} fields, found {row.actual_columns}", row.text or "",
        )
        return "skip"

    return pacsv.open_csv(
        f.path,
        read_options=pacsv.ReadOptions(
            encoding="utf8" if f.encoding.startswith("utf-8") else f.encoding,
            column_names=columns, skip_rows=1, use_threads=False, block_size=BLOCK_SIZE,
        ),
        parse_options=pacsv.ParseOptions(escape_char="\\", newlines_in_values=True, invalid_row_handler=on_invalid),
        convert_options=pacsv.ConvertOptions(
            column_types={c: pa.string() for c in columns},
            null_values=["NULL", ""], strings_can_be_null=True, quoted_strings_can_be_null=True,
        ),
    )


def _write_work_file(f: ArchivedFile, columns: list[str], keys: tuple[str, ...], work_path: Path,
                     load_id: str, work_format: str) -> ReadResult:
    invalid: dict[int, RejectedRow] = {}
    reader = _csv_reader(f, columns, invalid)
    # The district's own timestamp of the export (kept through SFTP and the archive), as a UTC date.
    lineage = {"_file_name": f.name, "_file_sha256": f.sha256,
               "_file_date": datetime.fromtimestamp(f.mtime, timezone.utc).date().isoformat(), "_load_id": load_id}
    out_schema = pa.schema([(c, pa.string()) for c in columns] +
                           [(c, pa.int64() if c == "_record_number" else pa.string()) for c in META_COLUMNS])
    result = ReadResult(columns, 0, 0, work_path)
    next_record = 2  # record 1 is the header
    try:
        with _writer(work_path, out_schema, work_format) as writer:
            for batch in _batches(reader):
                # Valid rows take the record numbers that the invalid-row handler did not claim.
                numbers = []
                while len(numbers) < batch.num_rows:
                    if next_record not in invalid:
                        numbers.append(next_record)
                    next_record += 1
                result.data_records += batch.num_rows
                table, number_array = _reject_missing_keys(pa.Table.from_batches([batch]), keys, numbers, result)
                table = table.append_column("_record_number", number_array)
                for name, value in lineage.items():
                    table = table.append_column(name, pa.array([value] * table.num_rows, pa.string()))
                writer.write_table(table)
                result.loaded_records += table.num_rows
    except pa.ArrowInvalid as exc:
        raise FileRefused(f"{f.name} is refused: it cannot be parsed as CSV ({exc}).") from exc
    result.data_records += len(invalid)
    result.rejected.extend(invalid.values())
    result.rejected.sort(key=lambda r: r.record_number)
    result.last_record = next_record - 1 if not invalid else max(next_record - 1, max(invalid))
    result.last_record_unreadable = result.last_record in invalid
    return result


def _reject_missing_keys(table: pa.Table, keys: tuple[str, ...], numbers: list[int],
                         result: ReadResult) -> tuple[pa.Table, pa.Array]:
    """The batch without rows whose key is empty (those are added to ``result.rejected``)."""
    number_array = pa.array(numbers, pa.int64())
    missing_key = None
    for k in keys:
        empty = pc.fill_null(pc.or_kleene(pc.is_null(table[k]), pc.equal(pc.utf8_trim_whitespace(table[k]), "")), True)
        missing_key = empty if missing_key is None else pc.or_(missing_key, empty)
    if missing_key is None or not pc.any(missing_key).as_py():
        return table, number_array
    for i in pc.indices_nonzero(missing_key).to_pylist():
        row = {c: table[c][i].as_py() for c in result.columns}
        empty_keys = [k for k in keys if not (row[k] or "").strip()]
        result.rejected.append(RejectedRow(numbers[i], "missing_key", f"empty {', '.join(empty_keys)}",
                                           _as_csv_line(row.values())))
    keep = pc.invert(missing_key)
    return table.filter(keep), number_array.filter(keep)


def _judge(f: ArchivedFile, result: ReadResult, max_reject_share: float) -> None:
    """Refuse the whole file when it is cut off, has no records, or too many rows cannot be read."""
    if not f.ends_with_newline and (_unbalanced_last_line(f) or result.last_record_unreadable):
        raise FileRefused(f"{f.name} is refused: it is cut off mid-record at record {result.last_record} "
                          "(no final line break and an incomplete last record).")
    if result.data_records == 0:
        raise FileRefused(f"{f.name} is refused: it has a header but no records.")
    rejected = result.rejected
    if len(rejected) > max_reject_share * result.data_records:
        raise FileRefused(
            f"{f.name} is refused: {len(rejected)} of {result.data_records} records cannot be read "
            f"(more than {max_reject_share:.0%}); first at record {rejected[0].record_number}: {rejected[0].detail}."
        )


def _writer(path: Path, schema: pa.Schema, work_format: str):
    if work_format == "csv":
        return pacsv.CSVWriter(path, schema, write_options=pacsv.WriteOptions(quoting_style="needed"))
    return pq.ParquetWriter(path, schema)


def _batches(reader: pacsv.CSVStreamingReader) -> Iterator[pa.RecordBatch]:
    while True:
        try:
            yield reader.read_next_batch()
        except StopIteration:
            return


def _as_csv_line(values) -> str:
    buf = io.StringIO()
    csv.writer(buf, lineterminator="").writerow(["NULL" if v is None else v for v in values])
    return buf.getvalue()
