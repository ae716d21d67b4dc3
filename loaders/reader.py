"""Read one archived SIS export into a validated Parquet work file, or refuse it.

Real exports are dirty (see shared/specs/sis-inputs.md). This module undoes the damage that
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

BLOCK_SIZE = 8 << 20
META_COLUMNS = ("_record_number", "_file_name", "_file_sha256", "_file_date", "_load_id")


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


_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")


def normalise_header(name: str) -> str:
    """``'Local_ID'`` / ``" local_id "`` / ``StudentIdentifier`` → ``local_id`` / ``student_identifier``."""
    name = name.strip().strip("'\"").strip()
    name = _CAMEL.sub("_", name)
    return re.sub(r"[^0-9a-zA-Z]+", "_", name).strip("_").lower()


def _read_header(f: ArchivedFile) -> list[str]:
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
    columns = _read_header(f)
    missing = [c for c in required if c not in columns]
    if missing:
        raise FileRefused(f"{f.name} is refused: required column {missing[0]!r} is missing from the header.")

    invalid: dict[int, RejectedRow] = {}

    def on_invalid(row: pacsv.InvalidRow) -> str:
        number = int(row.number) if row.number is not None else -1
        invalid[number] = RejectedRow(
            number, "field_count",
            f"expected {row.expected_columns} fields, found {row.actual_columns}", row.text or "",
        )
        return "skip"

    reader = pacsv.open_csv(
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
    # The district's own timestamp of the export (kept through SFTP and the archive), as a UTC date.
    file_date = datetime.fromtimestamp(f.mtime, timezone.utc).date().isoformat()
    out_schema = pa.schema([(c, pa.string()) for c in columns] + [
        ("_record_number", pa.int64()), ("_file_name", pa.string()),
        ("_file_sha256", pa.string()), ("_file_date", pa.string()), ("_load_id", pa.string()),
    ])
    work_dir.mkdir(parents=True, exist_ok=True)
    work_path = work_dir / f"{f.sha256}.{work_format}"
    rejected: list[RejectedRow] = []
    next_record = 2  # record 1 is the header
    loaded = 0
    data_records = 0
    try:
        with _writer(work_path, out_schema, work_format) as writer:
            for batch in _batches(reader):
                # Valid rows take the record numbers that the invalid-row handler did not claim.
                numbers = []
                while len(numbers) < batch.num_rows:
                    if next_record not in invalid:
                        numbers.append(next_record)
                    next_record += 1
                data_records += batch.num_rows
                table = pa.Table.from_batches([batch])
                missing_key = None
                for k in keys:
                    empty = pc.or_kleene(pc.is_null(table[k]), pc.equal(pc.utf8_trim_whitespace(table[k]), ""))
                    empty = pc.fill_null(empty, True)
                    missing_key = empty if missing_key is None else pc.or_(missing_key, empty)
                number_array = pa.array(numbers, pa.int64())
                if missing_key is not None and pc.any(missing_key).as_py():
                    for i in pc.indices_nonzero(missing_key).to_pylist():
                        row = {c: table[c][i].as_py() for c in columns}
                        empty_keys = [k for k in keys if not (row[k] or "").strip()]
                        rejected.append(RejectedRow(numbers[i], "missing_key", f"empty {', '.join(empty_keys)}",
                                                    _as_csv_line(row.values())))
                    keep = pc.invert(missing_key)
                    table = table.filter(keep)
                    number_array = number_array.filter(keep)
                n = table.num_rows
                table = table.append_column("_record_number", number_array)
                table = table.append_column("_file_name", pa.array([f.name] * n, pa.string()))
                table = table.append_column("_file_sha256", pa.array([f.sha256] * n, pa.string()))
                table = table.append_column("_file_date", pa.array([file_date] * n, pa.string()))
                table = table.append_column("_load_id", pa.array([load_id] * n, pa.string()))
                writer.write_table(table)
                loaded += n
    except pa.ArrowInvalid as exc:
        work_path.unlink(missing_ok=True)
        raise FileRefused(f"{f.name} is refused: it cannot be parsed as CSV ({exc}).") from exc

    data_records += len(invalid)
    rejected.extend(invalid.values())
    rejected.sort(key=lambda r: r.record_number)
    last_record = next_record - 1 if not invalid else max(next_record - 1, max(invalid))
    if not f.ends_with_newline and (_unbalanced_last_line(f) or last_record in invalid):
        work_path.unlink(missing_ok=True)
        raise FileRefused(f"{f.name} is refused: it is cut off mid-record at record {last_record} "
                          "(no final line break and an incomplete last record).")
    if data_records == 0:
        work_path.unlink(missing_ok=True)
        raise FileRefused(f"{f.name} is refused: it has a header but no records.")
    if len(rejected) > max_reject_share * data_records:
        work_path.unlink(missing_ok=True)
        raise FileRefused(
            f"{f.name} is refused: {len(rejected)} of {data_records} records cannot be read "
            f"(more than {max_reject_share:.0%}); first at record {rejected[0].record_number}: {rejected[0].detail}."
        )
    return ReadResult(columns, data_records, loaded, work_path, rejected)


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
