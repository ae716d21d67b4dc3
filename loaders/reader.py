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
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from loaders.archive import ArchivedFile
from loaders.work_files import GrowingFile, work_writer

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
    absent_columns: list[str] = field(default_factory=list)  # the table's columns tonight's file lacked (null)
    lineage: dict[str, str] = field(default_factory=dict)  # the file it is: raw_meta.table_files' row (file_lineage)


_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")


def normalise_header(name: str) -> str:
    """``'Local_ID'`` / ``" local_id "`` / ``StudentIdentifier`` → ``local_id`` / ``student_identifier``."""
    name = name.strip().strip("'\"").strip()
    name = _CAMEL.sub("_", name)
    return re.sub(r"[^0-9a-zA-Z]+", "_", name).strip("_").lower()


def read_header(f: ArchivedFile, aliases: dict[str, str] | None = None) -> list[str]:
    """The first line's column names, normalised, with the district's other spellings renamed."""
    with open(f.path, encoding=f.encoding, newline="") as text:
        first = text.readline()
    if not first.strip():
        raise FileRefused(f"{f.name} is refused: it is empty (no header line).")
    raw = next(csv.reader(io.StringIO(first), escapechar="\\"))
    return [(aliases or {}).get(n, n) for n in (normalise_header(r) for r in raw)]


def _check_header(f: ArchivedFile, columns: list[str], required: tuple[str, ...], known: frozenset[str]) -> None:
    """Refuse a header that is missing, unusable or lacks a required column, in one sentence."""
    if required and not set(columns) & (known | set(required)):
        shown = ", ".join(c for c in columns[:4] if c) or "empty values"
        raise FileRefused(f"{f.name} has no header row: its first line ({shown}, ...) names none of the "
                          f"expected columns such as {', '.join(required[:3])}.")
    if any(not n for n in columns):
        raise FileRefused(f"{f.name} is refused: the header has an empty column name "
                          f"(column {columns.index('') + 1}).")
    dupes = sorted({n for n in columns if columns.count(n) > 1})
    if dupes:
        raise FileRefused(f"{f.name} is refused: the header names column {dupes[0]!r} more than once.")
    missing = [c for c in required if c not in columns]
    if missing:
        raise FileRefused(f"{f.name} is refused: required column {missing[0]!r} is missing from the header.")


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
    known: frozenset[str] = frozenset(),
    table_columns: tuple[str, ...] = (),
    aliases: dict[str, str] | None = None,
    growing: GrowingFile | None = None,
) -> ReadResult:
    """Parse ``f`` into a work file in ``work_dir`` (``result.work_path``): the file's columns as text and each row's
    record number (``result.columns`` + ``_record_number``).

    ``table_columns`` are every column the raw table has: those the file lacks are named in
    ``result.absent_columns`` (null in tonight's table). Which file the table then holds is
    ``result.lineage`` (raw_meta.table_files, written as the engine ingests the work file:
    ``loaders.raw_swap``, Parquet for DuckDB, CSV for PostgreSQL's COPY). ``growing`` is told as
    the work file is written (PostgreSQL ingests it meanwhile); the caller closes it."""
    if f.size == 0:
        raise FileRefused(f"{f.name} is refused: the file is empty.")
    columns = read_header(f, aliases)
    _check_header(f, columns, required, known)
    work_dir.mkdir(parents=True, exist_ok=True)
    # Unique even for two entities sent the same bytes: files are read side by side (loaders.load).
    work_path = work_dir / f"{f.sha256[:16]}-{uuid.uuid4().hex[:8]}.{work_format}"
    padding = [c for c in table_columns if c not in columns]
    lineage = file_lineage(f, load_id)
    try:
        result = _write_work_file(f, columns, keys, work_path, work_format, growing, lineage)
        _judge(f, result, max_reject_share)
    except FileRefused:
        work_path.unlink(missing_ok=True)
        raise
    result.absent_columns = padding
    result.lineage = lineage
    return result


def file_lineage(f: ArchivedFile, load_id: str) -> dict[str, str]:
    """The file a raw table holds once ``f`` is loaded (raw_meta.table_files)."""
    # The district's own timestamp of the export (kept through SFTP and the archive), as a UTC date.
    return {"file_name": f.name, "file_sha256": f.sha256,
            "file_date": datetime.fromtimestamp(f.mtime, timezone.utc).date().isoformat(), "load_id": load_id}


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
                     work_format: str, growing: GrowingFile | None, lineage: dict[str, str]) -> ReadResult:
    invalid: dict[int, RejectedRow] = {}
    reader = _csv_reader(f, columns, invalid)
    out_schema = pa.schema([(c, pa.string()) for c in columns] + [("_record_number", pa.int64())])
    result = ReadResult(columns, 0, 0, work_path)
    next_record = 2  # record 1 is the header
    try:
        with work_writer(work_path, out_schema, work_format) as writer:
            if growing:
                growing.opened(work_path, columns, lineage)
            for batch in _batches(reader):
                numbers, next_record = _record_numbers(next_record, batch.num_rows, invalid)
                result.data_records += batch.num_rows
                table, number_array = _reject_missing_keys(pa.Table.from_batches([batch]), keys, numbers, result)
                writer.write_table(table.append_column("_record_number", number_array))
                result.loaded_records += table.num_rows
                if growing:
                    growing.grew()
    except pa.ArrowInvalid as exc:
        raise FileRefused(f"{f.name} is refused: it cannot be parsed as CSV ({exc}).") from exc
    result.data_records += len(invalid)
    _with_record_text(f, result.rejected)
    result.rejected.extend(invalid.values())
    result.rejected.sort(key=lambda r: r.record_number)
    result.last_record = next_record - 1 if not invalid else max(next_record - 1, max(invalid))
    result.last_record_unreadable = result.last_record in invalid
    return result


def _record_numbers(start: int, count: int, invalid: dict[int, RejectedRow]) -> tuple[np.ndarray, int]:
    """The record numbers of a batch's ``count`` rows, the first at ``start`` or after: valid rows take
    the numbers the invalid-row handler did not claim. Also the number after the batch's last."""
    claimed = sorted(r for r in invalid if r >= start)
    end = start + count
    for r in claimed:
        if r >= end:
            break
        end += 1
    numbers = np.arange(start, end, dtype=np.int64)
    if end - start != count:
        numbers = numbers[~np.isin(numbers, claimed)]
    return numbers, end


def _reject_missing_keys(table: pa.Table, keys: tuple[str, ...], numbers: np.ndarray,
                         result: ReadResult) -> tuple[pa.Table, pa.Array]:
    """The batch without rows whose key is empty (those are added to ``result.rejected``)."""
    # Arrays from buffers and a length cast to bool, not pa.array or a "" scalar: those make pyarrow
    # import pandas (0.2 s of a 2 s load) to ask whether it was handed a pandas object.
    number_array = pa.Array.from_buffers(pa.int64(), len(numbers), [None, pa.py_buffer(numbers)])
    missing_key = None
    for k in keys:
        blank = pc.invert(pc.cast(pc.utf8_length(pc.utf8_trim_whitespace(table[k])), pa.bool_()))
        empty = pc.or_kleene(pc.is_null(table[k]), blank)  # true where null: Kleene's true or unknown
        missing_key = empty if missing_key is None else pc.or_(missing_key, empty)
    if missing_key is None or not pc.any(missing_key).as_py():
        return table, number_array
    for i in pc.indices_nonzero(missing_key).to_pylist():
        empty_keys = [k for k in keys if not (table[k][i].as_py() or "").strip()]
        # The record's own text is filled in afterwards, from the file (_with_record_text).
        result.rejected.append(RejectedRow(int(numbers[i]), "missing_key", f"empty {', '.join(empty_keys)}", ""))
    keep = pc.invert(missing_key)
    return table.filter(keep), number_array.filter(keep)


def _judge(f: ArchivedFile, result: ReadResult, max_reject_share: float) -> None:
    """Refuse the whole file when it is cut off, has no records, or too many rows cannot be used."""
    if not f.ends_with_newline and (_unbalanced_last_line(f) or result.last_record_unreadable):
        raise FileRefused(f"{f.name} is refused: it is cut off mid-record at record {result.last_record} "
                          "(no final line break and an incomplete last record).")
    if result.data_records == 0:
        raise FileRefused(f"{f.name} is refused: it has a header but no records.")
    rejected = result.rejected
    if len(rejected) > max_reject_share * result.data_records:
        raise FileRefused(
            f"{f.name} is refused: {_reject_counts(rejected, result.data_records)} (more than "
            f"{max_reject_share:.0%} of its records); first at record {rejected[0].record_number}: {rejected[0].detail}."
        )


def _reject_counts(rejected: list[RejectedRow], total: int) -> str:
    """'3 of 7 records have an empty local_id' / '5 of 40 records cannot be read (wrong number of fields)'."""
    parts = []
    for detail in sorted({r.detail for r in rejected if r.reason == "missing_key"}):
        n = sum(1 for r in rejected if r.detail == detail)
        parts.append(f"{n} of {total} records have an {detail}")
    unreadable = sum(1 for r in rejected if r.reason == "field_count")
    if unreadable:
        parts.append(f"{unreadable} of {total} records cannot be read (wrong number of fields)")
    return "; ".join(parts)


def _with_record_text(f: ArchivedFile, rejected: list[RejectedRow]) -> None:
    """Fill in the raw text of rejected rows that have none: the record as the file holds it, decoded."""
    wanted = {r.record_number for r in rejected if not r.raw_text}
    if not wanted:
        return
    texts = record_texts(f, wanted)
    rejected[:] = [RejectedRow(r.record_number, r.reason, r.detail, texts.get(r.record_number, r.raw_text))
                   if r.record_number in wanted else r for r in rejected]


def record_texts(f: ArchivedFile, wanted: set[int]) -> dict[int, str]:
    """The text of the wanted records (the header is record 1), as they are in the file: a record goes
    on over line breaks inside quotes or after a backslash; blank lines are not records."""
    out: dict[int, str] = {}
    number, lines, quoted = 1, [], False
    with open(f.path, encoding=f.encoding, newline="") as text:
        for line in text:
            if not lines and not line.strip():
                continue
            lines.append(line)
            quoted, continued = _line_state(line, quoted)
            if quoted or continued:
                continue
            if number in wanted:
                out[number] = "".join(lines).rstrip("\r\n")
                if len(out) == len(wanted):
                    break
            number, lines = number + 1, []
    return out


def _line_state(line: str, quoted: bool) -> tuple[bool, bool]:
    """(inside a quoted field at the end of the line, the line break itself is escaped)."""
    escaped = False
    for ch in line:
        if escaped:
            escaped = False
            if ch in "\r\n":
                return quoted, True
        elif ch == "\\":
            escaped = True
        elif ch == '"':
            quoted = not quoted
    return quoted, False


def _batches(reader: pacsv.CSVStreamingReader) -> Iterator[pa.RecordBatch]:
    while True:
        try:
            yield reader.read_next_batch()
        except StopIteration:
            return
