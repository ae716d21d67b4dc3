"""Files no one here wrote: third-party-shaped Aspen/X2 and STAR exports (tests/fixtures/README.md),
the messages a district reads when a file is wrong, and a new school year's night."""

from __future__ import annotations

import json
import shutil
import zipfile
from datetime import date
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from generator import generate
from schoolhouse.cli import main
from schoolhouse.warehouse import Warehouse

FIXTURES = Path(__file__).parent / "fixtures"
AS_OF = "2026-12-02"


def cli(*args: str, expect: int = 0) -> str:
    result = CliRunner().invoke(main, list(args))
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise AssertionError(f"schoolhouse {' '.join(args)} crashed: {result.output}") from result.exception
    assert result.exit_code == expect, f"schoolhouse {' '.join(args)} exited {result.exit_code}:\n{result.output}"
    return " ".join(result.output.split())  # rich wraps long lines; compare sentences whole


def rows(wh: Warehouse, sql: str, *params) -> list[tuple]:
    return wh.query(sql.replace("?", wh.placeholder), params)


@pytest.fixture
def district_folder(tmp_path) -> Path:
    """The Aspen/X2 fixtures, orgs.csv, and STAR v2 reading and math zipped together under the district's name."""
    folder = tmp_path / "incoming"
    shutil.copytree(FIXTURES / "aspen_x2", folder)
    with zipfile.ZipFile(folder / "Example City Public Schools.zip", "w") as zf:
        for member in ("SR_v2.csv", "SM_v2.csv"):
            zf.write(FIXTURES / "star_v2" / member, member)
    # One reject in four rows is more than the default 10%: this district allows a quarter.
    (tmp_path / "district.yml").write_text(yaml.safe_dump({
        "as_of_date": AS_OF, "max_reject_share": 0.25,
        "sources": {s: str(folder) for s in ("district", "aspen", "star")}}))
    return folder


def test_third_party_shaped_files_load_and_build_with_every_loss_explained(warehouse, district_folder, monkeypatch):
    wh = warehouse
    monkeypatch.setenv("SCHOOLHOUSE_CONFIG", str(district_folder.parent / "district.yml"))
    for source in ("district", "aspen", "star"):
        out = cli("load", source)
        assert "matches no" not in out, out  # the folder's other sources' files are not strangers
    cli("build")

    # Optional columns the files lacked exist (null) and are named in the load record.
    missing = dict(rows(wh, "select entity, missing_columns from raw_meta.file_loads where source = 'aspen'"))
    assert missing["students"] == "ell_entry_date,ell_transition_date,sped_liaison"
    assert missing["attendance"] == "comment,reason,state_id"
    assert missing["student_section_assignments"] == "district_school_year"
    assert rows(wh, "select count(*) from raw_aspen.students where sped_liaison is null") == [(6,)]

    # A STAR zip of any name: each member routed by its own name, each subject in its own table.
    star = dict(rows(wh, "select entity, file_name from raw_meta.file_loads where source = 'star' and status = 'loaded'"))
    assert star == {"reading": "Example City Public Schools.zip:SR_v2.csv",
                    "math": "Example City Public Schools.zip:SM_v2.csv"}
    assert rows(wh, "select subject, student_id, percentile from marts.fct_assessment_results "
                    "where source_system = 'star' order by 1, 2") == [
        ("Math", "100", 12), ("Reading", "100", 45), ("Reading", "101", 88)]
    assert rows(wh, "select record_key, reason from marts.dq_excluded_rows where source = 'star'") == [
        ("103", "invalid_percentile")]

    # Codes of three districts decode; the one no crosswalk knows is data quality, not silence.
    students = {r[0]: r[1:] for r in rows(wh, "select student_id, ell_status, ell_status_raw, has_504_plan, grade_level, "
                                              "lunch_status from marts.dim_students")}
    assert students["100"] == ("not_english_learner", "Fluent", False, "07", "not_eligible")
    assert students["101"] == ("former_english_learner", "FLEP-Transitioning", True, "10", "free")
    assert students["103"] == ("english_learner", "Limited English", False, "KG", "free")
    assert students["105"] == ("unknown", "Beginner", False, "PK", "unknown")
    unmapped = {(r[0], r[1], r[2]) for r in rows(wh, "select crosswalk, column_name, raw_value from marts.dq_unmapped_codes")}
    assert unmapped == {("xwalk_ell_status", "limited_english_proficiency", "Beginner"),
                        ("xwalk_lunch_status", "free_reduced_lunch", "Direct Certification"),
                        ("xwalk_staff_roles", "staff_type", "Lunch Monitor")}

    # Every value that could not be typed, or cannot be true, is listed with its file and record.
    invalid = {r[:4] for r in rows(wh, "select entity, column_name, raw_value, record_number from marts.dq_invalid_values")}
    assert invalid == {
        ("assessments", "assessment_growth", "baf", 3),
        ("assessments", "assessment_growth", "NWF: 90,ORF: 70", 4),
        ("attendance", "absence", "maybe", 6),
        ("students", "date_of_birth", "13/45/2010", 7),
        ("students", "date_of_birth", "2031-01-01", 6),
        ("students", "registration_date", "2027-01-05", 5),
    }
    # A registration after the as-of date is not a current enrollment.
    assert rows(wh, "select is_current from marts.fct_school_enrollments where student_id = '104'") == [(False,)]

    # A rejected row keeps its own text, as the file has it.
    assert rows(wh, "select file_name, record_number, raw_text from raw_meta.rejected_rows where entity = 'educator_section_assignments'") == [
        ("educator_section_assignment_export.csv", 2, '"NULL","arodriguez","SOC6","SHS","SOC6-001","FY","2027"')]
    # The older assignments layout (no district_school_year) lands in this school year's sections
    # (106 is withdrawn, so only 101's two sections are current).
    assert rows(wh, "select person_id, section_id, is_current from marts.fct_section_enrollments "
                    "where role = 'student' order by 1, 2") == [
        ("101", "SHS-2027-FY-ELA6-ELA6-002", True), ("101", "SHS-2027-FY-SOC6-SOC6-001", True),
        ("106", "SHS-2027-FY-ALG2-ALG2-004", False)]


def _folder_with(tmp_path: Path, *names: str) -> Path:
    folder = tmp_path / "drop"
    folder.mkdir()
    for name in names:
        shutil.copy(FIXTURES / "aspen_x2" / name, folder / name)
    return folder


def test_a_file_without_a_header_row_is_refused_in_one_sentence(duckdb_warehouse, tmp_path):
    folder = tmp_path / "drop"
    folder.mkdir()
    lines = (FIXTURES / "aspen_x2" / "students_export.csv").read_bytes().split(b"\r\n")
    (folder / "students_export.csv").write_bytes(b"\r\n".join(lines[1:]))
    out = cli("load", "aspen", str(folder), expect=1)
    assert "students_export.csv has no header row: its first line (1000000000, 100, student_first, english, ...)" in out


def test_two_files_for_one_entity_are_refused_naming_both(duckdb_warehouse, tmp_path):
    folder = _folder_with(tmp_path, "students_export.csv")
    shutil.copy(folder / "students_export.csv", folder / "students_export_2.csv")
    out = cli("load", "aspen", str(folder), expect=1)
    assert "students is refused: 2 files match it (students_export.csv, students_export_2.csv)" in out
    assert not duckdb_warehouse.table_exists("raw_aspen", "students")
    # Patterns in the settings say which one wins.
    config = tmp_path / "district.yml"
    config.write_text(yaml.safe_dump({"file_patterns": {"aspen": {"students": ["students_export_2.csv"]}}}))
    cli("load", "aspen", str(folder), "--config", str(config))
    assert duckdb_warehouse.query("select file_name from raw_meta.table_files where table_schema = 'raw_aspen' and table_name = 'students'") == [("students_export_2.csv",)]


def test_a_folder_whose_files_match_nothing_says_so(duckdb_warehouse, tmp_path):
    folder = tmp_path / "drop"
    folder.mkdir()
    (folder / "pupils_2026.csv").write_text("a,b\r\n1,2\r\n")
    out = cli("load", "aspen", str(folder), expect=1)
    assert "pupils_2026.csv matches no aspen file name" in out
    assert f"Nothing was loaded: no file in {folder} is a aspen file (pupils_2026.csv)." in out
    # With a real file beside it, the stranger is named and the load goes on.
    shutil.copy(FIXTURES / "aspen_x2" / "students_export.csv", folder)
    out = cli("load", "aspen", str(folder))
    assert "pupils_2026.csv matches no aspen file name" in out
    assert "no file tonight, and none loaded before" in out


def test_unreadable_rows_beyond_the_share_are_counted_by_what_is_wrong(duckdb_warehouse, tmp_path):
    folder = _folder_with(tmp_path, "educator_section_assignment_export.csv")  # 1 of 4 rows has no local_id
    out = cli("load", "aspen", str(folder), expect=1)
    assert ("educator_section_assignment_export.csv is refused: 1 of 4 records have an empty local_id "
            "(more than 10% of its records); first at record 2: empty local_id.") in out


def _school_year(d: date) -> int:
    return d.year + (1 if d.month >= 7 else 0)


def test_a_new_school_years_night_keeps_last_year(warehouse, tmp_path, monkeypatch):
    """The next school year's export holds none of last year's attendance, incidents or tests: last
    year stays in the facts. (Deletions inside tonight's year still propagate: test_pipeline's
    next-night test deletes a vanished student's events.)"""
    wh = warehouse
    year1, year2 = tmp_path / "y2027", tmp_path / "y2028"
    generate(year1, students=120, seed=21, day=60, school_year=2027)
    generate(year2, students=120, seed=21, day=12, school_year=2028)
    selection = "+fct_attendance_events +fct_discipline_incidents +fct_assessment_results"

    def night(folder: Path) -> None:
        monkeypatch.setenv("SCHOOLHOUSE_AS_OF_DATE", json.loads((folder / "truth.json").read_text())["as_of_date"])
        for source in ("district", "aspen", "star"):
            cli("load", source, str(folder))
        cli("build", "--select", selection)

    def by_year(table: str, column: str) -> dict[int, int]:
        counts: dict[int, int] = {}
        for (d,) in rows(wh, f"select {column} from marts.{table}"):
            counts[_school_year(d)] = counts.get(_school_year(d), 0) + 1
        return counts

    facts = {"fct_attendance_events": ("attendance_event_id", "event_date"),
             "fct_discipline_incidents": ("incident_id", "event_date"),
             "fct_assessment_results": ("result_id", "test_date")}

    def last_year(table: str) -> set[str]:
        key, column = facts[table]
        return {k for k, d in rows(wh, f"select {key}, {column} from marts.{table}") if _school_year(d) <= 2027}

    night(year1)
    before = {table: last_year(table) for table in facts}
    assert len(before["fct_attendance_events"]) > 100 and before["fct_discipline_incidents"]
    assert by_year("fct_attendance_events", "event_date").keys() == {2027}

    night(year2)
    for table in facts:  # every row of the years tonight's files no longer hold is still there
        assert before[table] <= last_year(table), f"{table} lost {len(before[table] - last_year(table))} rows of 2027"
    assert by_year("fct_attendance_events", "event_date").get(2028, 0) > 0
    # The spring 2027 state tests arrive only in the later export: last year can grow, never shrink.
    assert len(last_year("fct_assessment_results")) >= len(before["fct_assessment_results"])
