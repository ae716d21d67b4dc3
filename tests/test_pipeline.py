"""End to end on both engines: a dirty generated district through load and dbt build, checked
against the generator's truth file; refused files, reloads, the next night, and SFTP intake."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from schoolhouse.cli import main
from generator import generate
from schoolhouse.warehouse import Warehouse
from tests.conftest import raw_table_holds

SOURCES = ("district", "aspen", "star", "powerschool")


@pytest.fixture(scope="session")
def dirty_district(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("dirty_district")
    generate(out, students=500, seed=11, dirty=True)
    return out


def run_cli(*args: str, expect: int = 0) -> str:
    result = CliRunner().invoke(main, list(args))
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise AssertionError(f"schoolhouse {' '.join(args)} crashed: {result.output}") from result.exception
    if result.exit_code != expect:
        raise AssertionError(f"schoolhouse {' '.join(args)} exited {result.exit_code}:\n{result.output}\n{result.exception!r}")
    return result.output


def load_all(folder: Path, *sources: str) -> None:
    for source in sources or SOURCES:
        run_cli("load", source, str(folder))


def q(wh: Warehouse, sql: str, *params) -> list[tuple]:
    return wh.query(sql.replace("?", wh.placeholder), params)


def scalar(wh: Warehouse, sql: str, *params):
    return q(wh, sql, *params)[0][0]


def as_of(folder: Path, monkeypatch) -> dict:
    truth = json.loads((folder / "truth.json").read_text())
    monkeypatch.setenv("SCHOOLHOUSE_AS_OF_DATE", truth["as_of_date"])
    return truth


def test_dirty_district_loads_and_builds_exactly_as_the_truth_file_says(warehouse, dirty_district, monkeypatch):
    truth = as_of(dirty_district, monkeypatch)
    load_all(dirty_district)
    run_cli("build")

    # Every unreadable row is kept with its file, record and reason; nothing else is rejected.
    for file_name, expected in truth["files"].items():
        got = q(warehouse, "select record_number, reason from raw_meta.rejected_rows where file_name = ? order by 1", file_name)
        assert got == [(r["record"], r["reason"]) for r in expected["rejected"]], file_name
        row = q(warehouse, "select encoding, rows_read, rows_loaded from raw_meta.file_loads where file_name = ? and status = 'loaded'", file_name)
        assert row == [(expected["encoding"], expected["data_records"], expected["loaded_records"])], file_name

    students = truth["students"]
    assert scalar(warehouse, "select count(*) from marts.dim_students") == students["distinct_ids"]
    assert scalar(warehouse, "select count(*) from marts.dim_students where is_active") == students["active_ids"]
    for student_id, winner in students["conflicts"].items():
        got = q(warehouse, "select school_id, grade_raw, enrollment_status_raw, record_number from marts.dim_students where student_id = ?", student_id)
        assert got == [(winner["school_local_id"], winner["grade"].upper(), winner["enrollment_status"], winner["winner_record"])]
    assert scalar(warehouse, "select count(*) from marts.dq_excluded_rows where reason = 'duplicate_student_row'") == \
        sum(1 for _ in students["conflicts"])  # one loser per conflict in this district
    names = {r[0]: r[1:] for r in q(warehouse, "select student_id, first_name, middle_name, last_name from marts.dim_students")}
    for student_id, n in students["names"].items():
        assert names[student_id] == (n["first_name"], n["middle_name"], n["last_name"]), student_id
    missing_birth = {r[0] for r in q(warehouse, "select student_id from marts.dim_students where birth_date is null")}
    assert missing_birth == set(students["bad_birth_dates"])

    attendance = truth["attendance"]
    assert scalar(warehouse, "select count(*) from marts.fct_attendance_events") == attendance["events"]
    excluded = dict(q(warehouse, "select reason, count(*) from marts.dq_excluded_rows where entity = 'attendance' group by reason"))
    assert excluded["unknown_student"] == attendance["unknown_student_rows"]
    assert excluded["bad_date"] == attendance["bad_date_rows"]

    behavior = truth["behavior"]
    assert scalar(warehouse, "select count(*) from marts.fct_discipline_incidents") == behavior["incidents"]

    star = truth["star"]
    star_excluded = dict(q(warehouse, "select reason, count(*) from marts.dq_excluded_rows where source = 'star' and reason in ('invalid_percentile', 'unknown_student') group by reason"))
    assert star_excluded["invalid_percentile"] == star["invalid_percentile_rows"]
    in_fact = scalar(warehouse, "select count(*) from marts.fct_assessment_results where source_system = 'star'")
    assert in_fact + star_excluded.get("unknown_student", 0) == star["valid_results"]

    # Every loaded row either reached a fact or is explained in dq_excluded_rows.
    loaded = scalar(warehouse, "select count(*) from raw_aspen.attendance")
    explained = scalar(warehouse, "select count(*) from marts.dq_excluded_rows where entity = 'attendance' and reason not in ('field_count', 'missing_key')")
    assert loaded == attendance["events"] + explained


def test_a_refused_file_leaves_the_previous_load_in_place(duckdb_warehouse, dirty_district, tmp_path):
    wh = duckdb_warehouse
    run_cli("load", "aspen", str(dirty_district))
    before = raw_table_holds(wh, "raw_aspen", "students")

    tonight = tmp_path / "tonight"
    shutil.copytree(dirty_district, tonight)
    students = tonight / "students_export.txt"
    students.write_bytes(students.read_bytes()[: students.stat().st_size // 2])  # cut off mid-record
    (tonight / "behavior_export.txt").write_bytes(b"")  # empty
    output = run_cli("load", "aspen", str(tonight), expect=1)

    assert "students_export.txt is refused" in output and "behavior_export.txt is refused" in output
    assert raw_table_holds(wh, "raw_aspen", "students") == before
    statuses = dict(q(wh, "select entity, status from raw_meta.file_loads where load_id = (select max(load_id) from raw_meta.file_loads)"))
    assert statuses["students"] == "refused" and statuses["behavior"] == "refused"
    assert statuses["attendance"] == "unchanged"
    # The refused file was archived all the same, unchanged.
    archived = list(Path(wh.duckdb_path.parent / "archive").rglob("students_export.txt"))
    assert any(p.read_bytes() == students.read_bytes() for p in archived)


def test_a_missing_required_column_refuses_the_file_naming_the_column(duckdb_warehouse, dirty_district, tmp_path):
    folder = tmp_path / "f"
    folder.mkdir()
    text = (dirty_district / "orgs.csv").read_text(encoding="utf-8")
    (folder / "orgs.csv").write_text(text.replace("org_type,", "kind,", 1), encoding="utf-8")
    output = run_cli("load", "district", str(folder), expect=1)
    assert "orgs.csv is refused: required column 'org_type' is missing" in output


def test_loading_the_same_files_again_changes_nothing(warehouse, dirty_district):
    load_all(dirty_district, "aspen", "star")
    tables = ("raw_aspen.students", "raw_aspen.attendance", "raw_star.math", "raw_meta.rejected_rows")
    before = {t: scalar(warehouse, f"select count(*) from {t}") for t in tables}
    shas = raw_table_holds(warehouse, "raw_aspen", "students")
    load_all(dirty_district, "aspen", "star")
    assert {t: scalar(warehouse, f"select count(*) from {t}") for t in tables} == before
    assert raw_table_holds(warehouse, "raw_aspen", "students") == shas
    last = q(warehouse, "select distinct status from raw_meta.file_loads where load_id = (select max(load_id) from raw_meta.file_loads)")
    assert last == [("unchanged",)]


def test_the_next_night_replaces_the_picture_and_keeps_history(duckdb_warehouse, tmp_path, monkeypatch):
    wh = duckdb_warehouse
    day1, day2 = tmp_path / "d1", tmp_path / "d2"
    generate(day1, students=300, seed=5, day=40)
    generate(day2, students=300, seed=5, day=41)
    truth2 = json.loads((day2 / "truth.json").read_text())
    # Overnight in the SIS: one student withdraws, another is deleted outright (vanishes from the export).
    students_file = day2 / "students_export.txt"
    header, *rows = students_file.read_bytes().split(b"\r\n")
    withdrawn_row, vanished_row = rows[10], rows[20]
    withdrawn_id, vanished_id = (r.split(b",")[1].strip(b'"').decode() for r in (withdrawn_row, vanished_row))
    rows[10] = withdrawn_row.replace(b'"Active"', b'"Withdrawn"', 1)
    del rows[20]
    students_file.write_bytes(b"\r\n".join([header, *rows]))
    as_of(day1, monkeypatch)
    load_all(day1, "district", "aspen")  # no STAR yet: the district starts sending it tomorrow
    run_cli("build")
    assert scalar(wh, "select count(*) from marts.fct_assessment_results where source_system = 'star'") == 0
    events_day1 = {r[0] for r in q(wh, "select attendance_event_id from marts.fct_attendance_events")}

    as_of(day2, monkeypatch)
    load_all(day2, "district", "aspen", "star")
    run_cli("build")
    events_day2 = {r[0] for r in q(wh, "select attendance_event_id from marts.fct_attendance_events")}
    assert scalar(wh, "select count(*) from marts.fct_assessment_results where source_system = 'star'") > 0
    # The incremental fact equals a full rebuild's count: new events in, events deleted upstream out.
    vanished_events = scalar(wh, "select count(*) from raw_aspen.attendance where local_id = ?", vanished_id)
    assert len(events_day2) == truth2["attendance"]["events"] - vanished_events
    assert events_day2 - events_day1, "the new school day brought new events"
    # The withdrawn student has two versions, the old one closed; the vanished one is closed and gone.
    versions = q(wh, "select is_active, dbt_valid_to is null from snapshots.snap_students where student_id = ? order by dbt_valid_from", withdrawn_id)
    assert versions == [(True, False), (False, True)]
    assert q(wh, "select dbt_valid_to is null from snapshots.snap_students where student_id = ?", vanished_id) == [(False,)]
    assert q(wh, "select count(*) from marts.dim_students where student_id = ?", vanished_id) == [(0,)]
    assert scalar(wh, "select count(*) from snapshots.snap_students where dbt_valid_to is null") == \
        scalar(wh, "select count(*) from marts.dim_students")
    assert q(wh, "select exit_reason from marts.fct_school_enrollments where student_id = ?", vanished_id) == \
        [("no longer in the SIS export",)]
    # Two of 300 students lost overnight is no mass withdrawal (the warning's threshold is 5 %).
    assert _test_result("warn_mass_withdrawal") == ("pass", 0)

    # The next export marks 30 more active students withdrawn (one status code typed wrong, say): the
    # build warns, and the warning's row counts the students lost against the active ones before.
    active_before = scalar(wh, "select count(*) from marts.dim_students where is_active")
    header, *rows = students_file.read_bytes().split(b"\r\n")
    active = [i for i, r in enumerate(rows) if b'"Active"' in r]
    for i in active[:30]:
        rows[i] = rows[i].replace(b'"Active"', b'"Withdrawn"', 1)
    students_file.write_bytes(b"\r\n".join([header, *rows]))
    load_all(day2, "aspen")
    run_cli("build")
    assert _test_result("warn_mass_withdrawal") == ("warn", 1)
    assert scalar(wh, "select count(*) from marts.dim_students where is_active") == active_before - 30
    [compiled] = [r["compiled_code"] for r in _run_results() if r["unique_id"].startswith("test.schoolhouse.warn_mass_withdrawal")]
    assert wh.query(compiled) == [(30, active_before)]


def _run_results() -> list[dict]:
    from schoolhouse.dbt_runner import target_dir
    from schoolhouse.settings import load_settings

    return json.loads((target_dir(load_settings()) / "run_results.json").read_text())["results"]


def _test_result(name: str) -> tuple[str, int]:
    """(status, failures) of the dbt test ``name`` in the last build."""
    [result] = [r for r in _run_results() if r["unique_id"].split(".")[2] == name]
    return result["status"], result["failures"]


# paramiko's prefetch thread raises after the server cuts the connection on purpose; the retry is what counts.
@pytest.mark.filterwarnings("ignore::pytest.PytestUnhandledThreadExceptionWarning")
def test_sftp_intake_fetches_new_files_and_refuses_unknown_host_keys(duckdb_warehouse, dirty_district, sftp_server,
                                                                      sftp_known_hosts, monkeypatch, tmp_path):
    from tests.sftp_server import DEFAULT_PASSWORD

    drop = Path(sftp_server.root) / "aspen"
    drop.mkdir()
    for f in dirty_district.glob("*_export.txt"):
        shutil.copy(f, drop / f.name)
    url = sftp_server.url("/aspen")
    monkeypatch.setenv("SCHOOLHOUSE_SFTP_PASSWORD", DEFAULT_PASSWORD)

    # Unknown host key: refused, nothing fetched or loaded.
    stranger = tmp_path / "empty_known_hosts"
    stranger.write_text("")
    monkeypatch.setenv("SCHOOLHOUSE_KNOWN_HOSTS", str(stranger))
    output = run_cli("load", "aspen", url, expect=1)
    assert "unknown host key" in output
    assert not duckdb_warehouse.table_exists("raw_aspen", "students")

    # Known key, and the connection drops mid-transfer once: retried, loaded whole.
    monkeypatch.setenv("SCHOOLHOUSE_KNOWN_HOSTS", str(sftp_known_hosts))
    sftp_server.drop_next_transfer_after(20_000, times=1, name_pattern="students_export*")
    run_cli("load", "aspen", url)
    assert sftp_server.drops == 1
    truth = json.loads((dirty_district / "truth.json").read_text())["files"]["students_export.txt"]
    assert scalar(duckdb_warehouse, "select count(*) from raw_aspen.students") == truth["loaded_records"]

    # The next night with nothing new on the server fetches nothing and changes nothing.
    connections = sftp_server.connections_made
    run_cli("load", "aspen", url)
    assert sftp_server.connections_made == connections + 1
    last = q(duckdb_warehouse, "select distinct status from raw_meta.file_loads where load_id = (select max(load_id) from raw_meta.file_loads)")
    assert last == [("unchanged",)]


def test_postgres_sessions_compile_no_jit_unless_pgoptions_says_so(postgres_warehouse, monkeypatch):
    """JIT fired on most models (the planner overestimates their joins) and cost more than it saved
    (schoolhouse.warehouse.PG_SESSION_OPTIONS). Our own connections and dbt's (libpq reading
    PGOPTIONS, as dbt-postgres does) run without it; a district's PGOPTIONS still wins."""
    import psycopg2

    from schoolhouse.dbt_runner import profile_environment
    from schoolhouse.settings import load_settings

    def dbt_like_session() -> str:
        with profile_environment(load_settings()):
            con = psycopg2.connect(**postgres_warehouse.pg_params())
        try:
            with con.cursor() as cur:
                cur.execute("show jit")
                return cur.fetchone()[0]
        finally:
            con.close()

    monkeypatch.delenv("PGOPTIONS", raising=False)
    assert scalar(postgres_warehouse, "show jit") == "off"
    assert dbt_like_session() == "off"
    monkeypatch.setenv("PGOPTIONS", "-c jit=on")
    assert scalar(postgres_warehouse, "show jit") == "on"
    assert dbt_like_session() == "on"
