"""The reader against each reality of real SIS exports (README, "What a load guarantees"), one small file at a time."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from loaders.archive import archive_file
from loaders.reader import FileRefused, normalise_header, read_file
from tests.conftest import write_export

HEADER = ["local_id", "full_name", "grade", "event_date"]


def _read(tmp_path: Path, path: Path, *, required=("local_id", "full_name"), keys=("local_id",), share=0.5):
    af = archive_file(path, tmp_path / "archive")
    result = read_file(af, required=required, keys=keys, work_dir=tmp_path / "work", load_id="L1",
                       max_reject_share=share)
    return af, result, pq.read_table(result.work_path).to_pylist()


def test_windows_1252_names_decode(tmp_path):
    path = write_export(tmp_path / "s.txt", HEADER, [["1", "Rodríguez, José", "08", ""], ["2", "O’Brien, Zoë", "K", ""]],
                        encoding="cp1252")
    af, _, rows = _read(tmp_path, path)
    assert af.encoding == "cp1252"
    assert [r["full_name"] for r in rows] == ["Rodríguez, José", "O’Brien, Zoë"]


def test_utf8_bom_is_not_part_of_the_first_column(tmp_path):
    path = write_export(tmp_path / "s.txt", HEADER, [["1", "A, B", "1", ""]], encoding="utf-8-sig")
    af, result, rows = _read(tmp_path, path)
    assert af.encoding == "utf-8-sig"
    assert result.columns[0] == "local_id" and rows[0]["local_id"] == "1"


def test_mysql_escapes_null_and_line_continuations(tmp_path):
    path = tmp_path / "s.txt"
    path.write_bytes(
        b'local_id,full_name,grade,event_date\r\n'
        b'"1","Said \\"no\\", A","NULL","2026-09-02"\r\n'
        b'"2","Two\\\r\nLines, B","5",""\r\n'
    )
    _, result, rows = _read(tmp_path, path)
    assert rows[0]["full_name"] == 'Said "no", A'
    assert rows[0]["grade"] is None  # the literal NULL is empty
    assert rows[1]["full_name"] == "Two\r\nLines, B"
    assert rows[1]["event_date"] is None
    assert [r["_record_number"] for r in rows] == [2, 3]
    assert result.lineage["file_date"] == datetime.fromtimestamp(path.stat().st_mtime, timezone.utc).date().isoformat()
    assert result.lineage["load_id"] == "L1" and result.lineage["file_name"] == "s.txt"


def test_quoted_and_padded_headers_in_any_order(tmp_path):
    path = tmp_path / "s.txt"
    path.write_bytes(b"' grade ',\"'local_id'\", Full_Name \r\n\"3\",\"9\",\"X, Y\"\r\n")
    _, result, rows = _read(tmp_path, path)
    assert result.columns == ["grade", "local_id", "full_name"]
    assert rows[0]["local_id"] == "9" and rows[0]["grade"] == "3"


def test_camel_case_headers_become_snake_case():
    assert normalise_header("StudentIdentifier") == "student_identifier"
    assert normalise_header("PercentileRank") == "percentile_rank"
    assert normalise_header("'local_id'") == "local_id"


def test_unreadable_rows_are_rejected_with_record_number_and_text(tmp_path):
    rows = [["1", "A, B", "1", ""], ["2", "C, D", "2", ""], ["", "No, Key", "3", ""], ["4", "E, F", "4", ""]]
    path = write_export(tmp_path / "s.txt", HEADER, rows)
    text = path.read_bytes().replace(b'"2","C, D","2",""', b'"2","C, D","2"')
    path.write_bytes(text)
    _, result, loaded = _read(tmp_path, path)
    assert [(r.record_number, r.reason) for r in result.rejected] == [(3, "field_count"), (4, "missing_key")]
    assert result.rejected[0].raw_text == '"2","C, D","2"'
    assert "local_id" in result.rejected[1].detail
    assert [r["local_id"] for r in loaded] == ["1", "4"]
    assert [r["_record_number"] for r in loaded] == [2, 5]
    assert result.data_records == 4 and result.loaded_records == 2


def test_extra_columns_are_kept(tmp_path):
    path = write_export(tmp_path / "s.txt", HEADER + ["email"], [["1", "A, B", "1", "", "a@b.org"]])
    _, result, rows = _read(tmp_path, path)
    assert "email" in result.columns and rows[0]["email"] == "a@b.org"


@pytest.mark.parametrize(
    "content, expected",
    [
        (b"", "is empty"),
        (b"local_id,full_name\r\n", "no records"),
        (b"local_id,grade\r\n\"1\",\"2\"\r\n", "required column 'full_name' is missing"),
        (b"local_id,full_name\r\n\"1\",\"A, B\"\r\n\"2\",\"C, ", "cut off mid-record"),
        (b"local_id,full_name,local_id\r\n\"1\",\"A\",\"1\"\r\n", "more than once"),
    ],
    ids=["empty", "header-only", "missing-column", "truncated", "duplicate-header"],
)
def test_refused_files_name_the_file_and_the_reason(tmp_path, content, expected):
    path = tmp_path / "students_export.txt"
    path.write_bytes(content)
    with pytest.raises(FileRefused) as err:
        _read(tmp_path, path)
    assert str(err.value).startswith("students_export.txt is refused")
    assert expected in str(err.value)
    assert not list((tmp_path / "work").glob("*.parquet")) if (tmp_path / "work").exists() else True


def test_a_file_with_too_many_unreadable_rows_is_refused(tmp_path):
    rows = [["1", "A, B", "1", ""]] + [["", "No, Key", "1", ""]] * 3
    path = write_export(tmp_path / "s.txt", HEADER, rows)
    with pytest.raises(FileRefused, match="3 of 4 records have an empty local_id"):
        _read(tmp_path, path, share=0.10)


def test_archive_is_content_addressed_and_unchanged(tmp_path):
    path = write_export(tmp_path / "s.txt", HEADER, [["1", "A, B", "1", ""]])
    af = archive_file(path, tmp_path / "archive")
    assert af.path.read_bytes() == path.read_bytes()
    assert af.path.parent.name == af.sha256 and af.path.parent.parent.name == af.sha256[:2]
    assert archive_file(path, tmp_path / "archive").path == af.path
