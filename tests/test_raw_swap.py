"""Tonight's raw tables replace last night's in one transaction, on both engines (loaders/raw_swap.py).

The failures here are the engines' own: a work file whose record numbers are not numbers makes
DuckDB's insert and PostgreSQL's COPY fail half way through a night's tables."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pytest

from loaders.load import load_files
from loaders.raw_swap import TonightsTable, replace_raw_tables
from loaders.raw_tables import ensure_raw_tables
from loaders.work_files import work_writer
from tests.conftest import raw_table_holds

FIXTURES = Path(__file__).parent / "fixtures" / "aspen_x2"


def _load(wh, folder: Path, archive: Path):
    summary = load_files("aspen", folder, wh, archive, max_reject_share=0.5)  # the fixtures reject on purpose
    assert summary.ok, [o.message for o in summary.refused]
    return summary


def _work_file(wh, path: Path, columns: dict[str, list]) -> TonightsTable:
    table = pa.table(columns)
    path = path.with_suffix("." + wh.loader_file_format)
    with work_writer(path, table.schema, wh.loader_file_format) as writer:
        writer.write_table(table)
    return TonightsTable(path.stem, path, tuple(columns), {"file_name": "tonight.txt", "file_sha256": "f" * 64,
                                                           "file_date": "2026-12-04", "load_id": "L-tonight"})


def test_a_failure_half_way_leaves_every_table_as_last_night(warehouse, tmp_path):
    _load(warehouse, FIXTURES, tmp_path / "archive")
    before = {t: raw_table_holds(warehouse, "raw_aspen", t) for t in ("students", "educators")}
    assert before["students"][0] > 0 and before["educators"][0] > 0

    students = _work_file(warehouse, tmp_path / "students", {"local_id": ["X1"], "_record_number": pa.array([2], pa.int64())})
    broken = _work_file(warehouse, tmp_path / "educators", {"local_id": ["E1"], "_record_number": ["not a number"]})
    with pytest.raises(Exception):
        replace_raw_tables(warehouse, "raw_aspen", [students, broken])

    after = {t: raw_table_holds(warehouse, "raw_aspen", t) for t in ("students", "educators")}
    assert after == before  # students was replaced first, and is last night's all the same


def test_tonights_table_is_whole_with_one_lineage_for_every_row(warehouse, tmp_path):
    _load(warehouse, FIXTURES, tmp_path / "archive")
    students = _work_file(warehouse, tmp_path / "students",
                          {"local_id": ["X1", "X2"], "full_name": ["O'Brien, Zoë", None], "brand_new": ["a", "b"],
                           "_record_number": pa.array([2, 4], pa.int64())})
    students = TonightsTable(students.table, students.work_file, students.columns, students.lineage,
                             extra_columns=("brand_new",))
    replace_raw_tables(warehouse, "raw_aspen", [students])

    rows = warehouse.query("select local_id, full_name, brand_new, _record_number, grade from raw_aspen.students "
                           "order by local_id")
    assert rows == [("X1", "O'Brien, Zoë", "a", 2, None), ("X2", None, "b", 4, None)]
    # Which file the table holds is said once, in the same transaction.
    held = warehouse.query("select file_name, file_sha256, cast(file_date as varchar(10)), load_id from raw_meta.table_files "
                           "where table_schema = 'raw_aspen' and table_name = 'students'")
    assert held == [("tonight.txt", "f" * 64, "2026-12-04", "L-tonight")]


def test_a_table_an_earlier_version_loaded_with_dlt_is_taken_over(warehouse, tmp_path):
    """dlt left bookkeeping columns (not null) in the raw tables it loaded: the next load drops them."""
    _load(warehouse, FIXTURES, tmp_path / "archive")
    for sql in ('alter table raw_aspen.students add column "_dlt_load_id" text',
                "update raw_aspen.students set _dlt_load_id = '1700000000.1'",
                'alter table raw_aspen.students alter column "_dlt_load_id" set not null'):
        warehouse.execute_many([(sql, ())])  # one at a time: DuckDB sets not null only on committed rows
    folder = tmp_path / "tonight"
    folder.mkdir()
    text = (FIXTURES / "students_export.csv").read_bytes()
    (folder / "students_export.csv").write_bytes(text.rstrip(b"\r\n").rsplit(b"\r\n", 1)[0] + b"\r\n")  # one fewer
    summary = _load(warehouse, folder, tmp_path / "archive")
    assert [o.status for o in summary.outcomes] == ["loaded"]
    assert "_dlt_load_id" not in warehouse.columns("raw_aspen", "students")
    assert warehouse.query("select count(*) from raw_aspen.students")[0][0] == summary.outcomes[0].rows_loaded


def test_a_table_an_earlier_version_loaded_keeps_naming_its_file(warehouse, tmp_path):
    """Before raw_meta.table_files, every raw row carried its file's name, sha256, date and load id:
    until the next load replaces such a table, the build still says which file it holds."""
    _load(warehouse, FIXTURES, tmp_path / "archive")
    warehouse.execute_many([("delete from raw_meta.table_files where table_name in ('students', 'attendance')", ())])
    old = {"_file_name": "students_export.csv", "_file_sha256": "e" * 64, "_file_date": "2026-11-30", "_load_id": "L-old"}
    for column, value in old.items():
        warehouse.execute_many([(f"alter table raw_aspen.students add column {column} text", ()),
                                (f"update raw_aspen.students set {column} = '{value}'", ())])
    warehouse.execute_many([("alter table raw_aspen.attendance add column _load_id text", ())])  # no rows say it

    ensure_raw_tables(warehouse)

    held = warehouse.query("select table_name, file_name, file_sha256, cast(file_date as varchar(10)), load_id "
                           "from raw_meta.table_files where table_name in ('students', 'attendance')")
    assert held == [("students", "students_export.csv", "e" * 64, "2026-11-30", "L-old")]
    ensure_raw_tables(warehouse)  # said once
    assert warehouse.query("select count(*) from raw_meta.table_files where table_name = 'students'") == [(1,)]


def test_two_entities_sent_the_same_bytes_each_load_whole(duckdb_warehouse, tmp_path):
    """Files are read side by side: the reading and math files of a district that sent one export
    twice must not share a work file (each would be written over by the other while it is read)."""
    folder = tmp_path / "star"
    folder.mkdir()
    text = (Path(__file__).parent / "fixtures" / "star_v2" / "SR_v2.csv").read_bytes()
    (folder / "SR_v2.csv").write_bytes(text)
    (folder / "SM_v2.csv").write_bytes(text)
    summary = load_files("star", folder, duckdb_warehouse, tmp_path / "archive", max_reject_share=0.5)
    loaded = {o.entity: o.rows_loaded for o in summary.outcomes if o.status == "loaded"}
    assert len(loaded) == 2 and len(set(loaded.values())) == 1, summary.outcomes
    assert len({o.tonight.work_file for o in summary.outcomes if o.tonight}) == 2  # one work file each
    for entity, rows in loaded.items():
        assert duckdb_warehouse.query(f"select count(*), count(distinct _record_number) from raw_star.{entity}") == [(rows, rows)]


def test_a_file_refused_once_read_leaves_last_nights_table_and_shape(warehouse, tmp_path):
    """PostgreSQL ingests a work file while it is written; a file refused only at its end (cut off
    mid-record) has been ingested by then, and that is undone: last night's rows, and none of the
    refused file's new columns. The night's accepted files are tonight's all the same."""
    _load(warehouse, FIXTURES, tmp_path / "archive")
    before = raw_table_holds(warehouse, "raw_aspen", "students")
    folder = tmp_path / "tonight"
    folder.mkdir()
    lines = (FIXTURES / "students_export.csv").read_bytes().split(b"\r\n")
    widened = [lines[0] + b',"brand_new"'] + [line + b',"x"' for line in lines[1:] if line]
    cut = b"\r\n".join(widened)
    (folder / "students_export.csv").write_bytes(cut[: cut.rindex(b'","') + 3])  # ends inside a quoted field
    attendance = (FIXTURES / "attendance_export.csv").read_bytes()
    (folder / "attendance_export.csv").write_bytes(attendance.rstrip(b"\r\n").rsplit(b"\r\n", 1)[0] + b"\r\n")

    summary = load_files("aspen", folder, warehouse, tmp_path / "archive", max_reject_share=0.5)

    status = {o.entity: (o.status, o.message) for o in summary.outcomes}
    assert status["students"][0] == "refused" and "cut off mid-record" in status["students"][1]
    assert status["attendance"][0] == "loaded"
    assert raw_table_holds(warehouse, "raw_aspen", "students") == before
    assert "brand_new" not in warehouse.columns("raw_aspen", "students")
    loaded = summary.outcomes[[o.entity for o in summary.outcomes].index("attendance")]
    assert raw_table_holds(warehouse, "raw_aspen", "attendance") == (
        loaded.rows_loaded, loaded.file_sha256, summary.load_id)
