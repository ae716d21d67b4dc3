"""PowerSchool as districts run it: the ps schema, Oracle-style number and date types, teachers from
users and schoolstaff, a TEACHERS view, only the listed columns copied (no secret ever), schema
changes refused, and the database reached through an SSH tunnel.

Oracle itself cannot run here: its part is the dialect's types (NUMBER(10,0) and a DATE with a time),
covered by the type tests at the bottom; the PostgreSQL copy has the same shapes."""

from __future__ import annotations

import json
import sqlite3
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
import sqlalchemy as sa
import yaml
from click.testing import CliRunner
from sqlalchemy.dialects import oracle

from generator import generate
from generator.powerschool import PROGRAMS
from loaders.powerschool import database_url, kind_accepts, to_date, to_int, to_text
from schoolhouse.catalog import POWERSCHOOL_TABLES, powerschool_raw_tables
from schoolhouse.cli import main
from tests.conftest import raw_table_holds
from tests.sftp_server import SftpTestServer

# The fake values the generator puts in the sensitive columns (SSN, web and login passwords).
SECRET_MARKS = ("000-00-", "000-11-", "pw-0", "spw-", "hash-", "tpw-")


def cli(*args: str, expect: int = 0) -> str:
    result = CliRunner().invoke(main, list(args))
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise AssertionError(f"schoolhouse {' '.join(args)} crashed: {result.output}") from result.exception
    assert result.exit_code == expect, f"schoolhouse {' '.join(args)} exited {result.exit_code}:\n{result.output}"
    return " ".join(result.output.split())


@pytest.fixture(scope="module")
def district(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("ps_district")
    generate(folder, students=180, seed=17)
    return folder


def ps_schema_copy(sqlite_file: Path, engine: sa.Engine) -> None:
    """The generator's PowerSchool, as PowerSchool's Oracle schema looks on PostgreSQL: schema ps,
    NUMERIC(10,0) numbers, TIMESTAMP for DATE (Oracle's DATE carries a time), the TEACHERS view."""
    source = sa.create_engine(f"sqlite:///{sqlite_file}")

    def pg_type(column_type) -> str:
        if isinstance(column_type, sa.Numeric):
            return "numeric(10,0)"
        return "timestamp" if isinstance(column_type, sa.Date) else "varchar"

    with source.connect() as src, engine.begin() as dst:
        dst.execute(sa.text("create schema ps"))
        for table in sa.inspect(source).get_table_names():
            cols = sa.inspect(source).get_columns(table)
            ddl = ", ".join(f'{c["name"]} {pg_type(c["type"])}' for c in cols)
            dst.execute(sa.text(f"create table ps.{table} ({ddl})"))
            rows = [dict(r._mapping) for r in src.execute(sa.text(f"select * from {table}"))]
            if rows:
                names = [c["name"] for c in cols]
                dst.execute(sa.text(f"insert into ps.{table} ({', '.join(names)}) values ({', '.join(':' + n for n in names)})"),
                            rows)
        dst.execute(sa.text(
            "create view ps.teachers as select ss.id, u.dcid as users_dcid, u.teachernumber, u.first_name, u.last_name, "
            "u.email_addr, ss.schoolid, ss.status, u.password from ps.users as u join ps.schoolstaff as ss on ss.users_dcid = u.dcid"))


@pytest.fixture(scope="module")
def ps_on_postgres(district, pg) -> str:
    pg.createdb("powerschool_src")
    env = pg.env("powerschool_src")
    url = f"postgresql+psycopg2://{env['PGUSER']}@{env['PGHOST']}:{env['PGPORT']}/powerschool_src"
    engine = sa.create_engine(url)
    ps_schema_copy(district / "powerschool.sqlite", engine)
    engine.dispose()
    return url


def _config(tmp_path: Path, district: Path, powerschool: str, **extra) -> Path:
    truth = json.loads((district / "truth.json").read_text())
    config = tmp_path / "district.yml"
    config.write_text(yaml.safe_dump({
        "as_of_date": truth["as_of_date"], "powerschool_programs": dict(PROGRAMS),
        "sources": {"district": str(district), "aspen": str(district), "powerschool": powerschool}, **extra}))
    return config


def _rosters(wh) -> tuple[set, set, set]:
    return (
        set(wh.query("select student_id, school_id, grade_level from marts.dim_students where is_active")),
        set(wh.query("select staff_id, school_id from marts.dim_staff where is_active and staff_id in "
                     "(select staff_id from marts.fct_section_enrollments where role = 'teacher')")),
        set(wh.query("select section_id, person_id, role, is_primary from marts.fct_section_enrollments where is_current")),
    )


ROSTERS = "+dim_students +dim_staff +fct_section_enrollments"


def test_powerschool_gives_the_aspen_rosters_and_copies_no_secret(warehouse, district, request, tmp_path, monkeypatch):
    """The generator writes one district as Aspen files and as a PowerSchool database: the rosters
    built from either SIS agree. Into DuckDB from the SQLite copy; into PostgreSQL from the ps schema
    (NUMERIC(10,0) numbers, dates with times, a TEACHERS view) on the PostgreSQL server."""
    source = request.getfixturevalue("ps_on_postgres") if warehouse.target == "postgres" else str(district)
    monkeypatch.setenv("SCHOOLHOUSE_CONFIG", str(_config(tmp_path, district, source)))
    for source in ("district", "aspen", "powerschool"):
        cli("load", source)
    cli("build", "--select", ROSTERS)
    from_aspen = _rosters(warehouse)
    monkeypatch.setenv("SCHOOLHOUSE_SIS_SOURCE", "powerschool")
    cli("build", "--select", ROSTERS)
    from_powerschool = _rosters(warehouse)
    truth = json.loads((district / "truth.json").read_text())
    assert len(from_aspen[0]) == truth["students"]["active_ids"]
    for what, a, p in zip(("students", "teachers", "section enrollments"), from_aspen, from_powerschool):
        assert p == a, f"{what}: only Aspen {sorted(a - p)[:5]}, only PowerSchool {sorted(p - a)[:5]}"
    # English learners, IEPs and 504 plans come from the extension table the settings name, and
    # agree with the Aspen file of the same district; race from studentrace, lunch from lunchstatus.
    programs = "select student_id, is_ell, has_iep, has_504_plan, race, lunch_status from marts.dim_students where is_active"
    from_ps = set(warehouse.query(programs))
    monkeypatch.delenv("SCHOOLHOUSE_SIS_SOURCE")
    cli("build", "--select", "+dim_students")
    assert from_ps == set(warehouse.query(programs))
    assert warehouse.query("select count(*) from marts.dim_students where is_ell")[0][0] > 0

    # Only the listed columns were copied, typed; no secret value is anywhere in raw_powerschool.
    expected = powerschool_raw_tables()
    for table in expected:
        assert set(warehouse.columns("raw_powerschool", table)) <= set(expected[table]) | {"_dlt_load_id", "_dlt_id"}, table
    for table, columns in expected.items():
        for column, kind in columns.items():
            if kind == "text":
                hits = warehouse.query(
                    f"select count(*) from raw_powerschool.{table} where " +
                    " or ".join(f"{column} like {warehouse.placeholder}" for _ in SECRET_MARKS),
                    tuple(f"%{m}%" for m in SECRET_MARKS))
                assert hits == [(0,)], f"raw_powerschool.{table}.{column} holds a secret"


def test_a_dropped_column_is_refused_and_yesterdays_table_stays(duckdb_warehouse, district, tmp_path):
    copy = tmp_path / "powerschool.sqlite"
    copy.write_bytes((district / "powerschool.sqlite").read_bytes())
    cli("load", "powerschool", str(copy))
    before = raw_table_holds(duckdb_warehouse, "raw_powerschool", "students")
    with sqlite3.connect(copy) as con:
        con.execute("alter table students drop column enroll_status")
    out = cli("load", "powerschool", str(copy), expect=1)
    assert ("PowerSchool table students is refused: it has no column enroll_status (the schema changed?); "
            "yesterday's copy is kept.") in out
    assert raw_table_holds(duckdb_warehouse, "raw_powerschool", "students") == before
    statuses = dict(duckdb_warehouse.query(
        "select entity, status from raw_meta.file_loads where load_id = (select max(load_id) from raw_meta.file_loads)"))
    assert statuses["students"] == "refused" and statuses["cc"] == "loaded"


def test_powerschool_through_an_ssh_tunnel_with_a_pinned_host_key(
        duckdb_warehouse, district, ps_on_postgres, pg, tmp_path, monkeypatch):
    server = SftpTestServer(tmp_path / "bastion").start()
    try:
        server.forwarding.add(("127.0.0.1", pg.port))
        known_hosts = server.write_known_hosts(tmp_path / "known_hosts")
        monkeypatch.setenv("SCHOOLHOUSE_POWERSCHOOL_SSH_PASSWORD", server.password)
        config = _config(tmp_path, district, ps_on_postgres, known_hosts=str(known_hosts),
                         powerschool_ssh_tunnel=f"ssh://{server.username}@127.0.0.1:{server.port}")
        cli("load", "powerschool", "--config", str(config))
        assert duckdb_warehouse.query("select count(*) from raw_powerschool.students")[0][0] > 150
        # A bastion whose key is not the pinned one is refused before any data moves.
        (tmp_path / "other_known_hosts").write_text(f"[127.0.0.1]:{server.port} ssh-ed25519 "
                                                    "AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl\n")
        config = _config(tmp_path, district, ps_on_postgres, known_hosts=str(tmp_path / "other_known_hosts"),
                         powerschool_ssh_tunnel=f"ssh://{server.username}@127.0.0.1:{server.port}")
        out = cli("load", "powerschool", "--config", str(config), expect=1)
        assert "host key" in out
    finally:
        server.stop()


def test_a_database_password_never_sits_in_the_settings_file(tmp_path):
    config = tmp_path / "district.yml"
    config.write_text(yaml.safe_dump({"sources": {"powerschool": "oracle+oracledb://reader:hunter2@ps:1521/?service_name=PSPRODDB"}}))
    out = cli("load", "powerschool", "--config", str(config), expect=2)
    assert "must not contain a password; set SCHOOLHOUSE_POWERSCHOOL_PASSWORD" in out and "hunter2" not in out


# -- the Oracle dialect's part --------------------------------------------------------------------


def test_oracle_types_land_as_the_catalog_pins_them():
    # NUMBER(10,0) is Numeric to SQLAlchemy and reaches Python as a float or a Decimal: an int here.
    assert kind_accepts("int", oracle.NUMBER(10, 0)) and kind_accepts("int", oracle.NUMBER())
    assert kind_accepts("int", oracle.BINARY_DOUBLE())
    assert to_int(1372581.0) == 1372581 and to_int(Decimal("36")) == 36 and to_int("0") == 0
    with pytest.raises(ValueError):
        to_int(1.5)
    # Oracle's DATE carries a time of day: it is a DateTime; the day is kept.
    assert kind_accepts("date", oracle.DATE()) and kind_accepts("date", oracle.TIMESTAMP())
    assert to_date(datetime(2026, 9, 2, 0, 0)) == date(2026, 9, 2) and to_date("2026-09-02 00:00:00") == date(2026, 9, 2)
    # A number column that became text is a type change, refused; text takes anything.
    assert not kind_accepts("int", oracle.VARCHAR2(20)) and not kind_accepts("date", oracle.VARCHAR2(20))
    assert kind_accepts("text", oracle.NUMBER(10, 0)) and to_text(Decimal("1372581")) == "1372581"
    assert to_text(1234.0) == "1234"


def test_an_oracle_url_takes_its_password_from_the_environment_and_names_the_service():
    url = database_url("oracle+oracledb://schoolhouse_reader@ps-db.district.org:1521/?service_name=PSPRODDB",
                       password="s3cret")
    assert url.get_backend_name() == "oracle" and url.query["service_name"] == "PSPRODDB"
    assert url.password == "s3cret" and "s3cret" not in url.render_as_string(hide_password=True)
    # The catalog never asks for a sensitive column, whatever the table.
    every = {c for cols in POWERSCHOOL_TABLES.values() for c in cols}
    assert not every & {"ssn", "password", "web_password", "student_web_password", "teacherloginpw", "web_id"}
