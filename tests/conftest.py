"""Shared fixtures: a real PostgreSQL for the session, an isolated warehouse per test on either engine."""

from __future__ import annotations

import itertools
import os
import tempfile
from pathlib import Path

import pytest

from schoolhouse.settings import load_settings
from schoolhouse.warehouse import Warehouse
from tests import pgserver

pytest_plugins = ["tests.sftp_server"]

_db_counter = itertools.count()


def pytest_configure(config) -> None:
    """Tests see only the settings they set: no SCHOOLHOUSE_* variable of the developer's shell."""
    for key in [k for k in os.environ if k.startswith("SCHOOLHOUSE_") and k != "SCHOOLHOUSE_TEST_PG"]:
        del os.environ[key]


def pytest_collection_modifyitems(config, items) -> None:
    """Files with a test marked slow (minutes each) first. `make test` gives whole files to its two
    workers in collection order (--no-loadscope-reorder: xdist would otherwise hand out the files
    with the most tests first, which puts these one- and two-test files last), so a long file
    handed out last is a tail one worker runs alone."""
    slow = {item.path for item in items if item.get_closest_marker("slow")}
    items.sort(key=lambda item: item.path not in slow)


@pytest.fixture(scope="session", autouse=True)
def own_working_folder():
    """A working folder of the tests' own (after collection), so a ./district.yml or ./warehouse.duckdb
    of the checkout is never used."""
    before = os.getcwd()
    os.chdir(tempfile.mkdtemp(prefix="schoolhouse-tests-"))
    yield
    os.chdir(before)


@pytest.fixture(scope="session")
def pg():
    server = pgserver.start()
    yield server
    server.stop()


@pytest.fixture(autouse=True)
def own_dbt_target(tmp_path, monkeypatch):
    """Every test's dbt writes its manifest and logs in its own folders: two test processes never
    share (and half-write) the project's target/."""
    monkeypatch.setenv("DBT_TARGET_PATH", str(tmp_path / "dbt_target"))
    monkeypatch.setenv("DBT_LOG_PATH", str(tmp_path / "dbt_logs"))


@pytest.fixture
def isolated(tmp_path, monkeypatch):
    """Archive, cache and landing folders under tmp_path, so tests never share state."""
    monkeypatch.setenv("SCHOOLHOUSE_ARCHIVE_DIR", str(tmp_path / "archive"))
    monkeypatch.setenv("SCHOOLHOUSE_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("SCHOOLHOUSE_LANDING_DIR", str(tmp_path / "landing"))
    monkeypatch.setenv("SCHOOLHOUSE_DUCKDB_PATH", str(tmp_path / "warehouse.duckdb"))
    return tmp_path


def use_engine(engine: str, request, monkeypatch) -> Warehouse:
    """Point the process (and the dbt it runs) at a fresh database on ``engine``."""
    monkeypatch.setenv("SCHOOLHOUSE_TARGET", engine)
    if engine == "postgres":
        server = request.getfixturevalue("pg")
        name = f"t{os.getpid()}_{next(_db_counter)}"
        server.createdb(name)
        for key, value in server.env(name).items():
            monkeypatch.setenv(key, value)
    return load_settings().warehouse()


@pytest.fixture(params=["duckdb", "postgres"])
def warehouse(request, isolated, monkeypatch) -> Warehouse:
    return use_engine(request.param, request, monkeypatch)


@pytest.fixture
def duckdb_warehouse(isolated, request, monkeypatch) -> Warehouse:
    return use_engine("duckdb", request, monkeypatch)


@pytest.fixture
def postgres_warehouse(isolated, request, monkeypatch) -> Warehouse:
    return use_engine("postgres", request, monkeypatch)


def raw_table_holds(wh: Warehouse, schema: str, table: str) -> tuple:
    """(rows, file_sha256, load_id) of a raw table: its row count and the file raw_meta.table_files says it holds."""
    ph = wh.placeholder
    held = wh.query(f"select file_sha256, load_id from raw_meta.table_files where table_schema = {ph} "
                    f"and table_name = {ph}", (schema, table))
    return (wh.query(f"select count(*) from {schema}.{table}")[0][0], *(held[0] if held else (None, None)))


def write_export(path: Path, header: list[str], rows: list[list[str]], *, encoding: str = "utf-8",
                 quote_header: bool = False, final_newline: bool = True) -> Path:
    """An Aspen-style export: every field double-quoted with MySQL \\" escapes, CRLF line ends."""
    def q(v: str) -> str:
        return '"' + v.replace("\\", "\\\\").replace('"', '\\"') + '"'

    lines = [",".join(q(h) if quote_header else h for h in header)] + [",".join(q(v) for v in r) for r in rows]
    text = "\r\n".join(lines) + ("\r\n" if final_newline else "")
    path.write_bytes(text.encode(encoding))
    return path
