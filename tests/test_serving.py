"""The warehouse serves while it builds (issue 15): readers in other processes never block the
nightly and never see half of it, a killed night changes nothing readers see, and the archive's
journal recreates a lost warehouse equal to the original."""

from __future__ import annotations

import datetime
import json
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from generator import generate
from schoolhouse import app_store
from schoolhouse.cli import main
from schoolhouse.dbt_runner import target_dir
from schoolhouse.generation import next_path
from schoolhouse.nightly import run_nightly
from schoolhouse.settings import load_settings
from schoolhouse.warehouse import Warehouse
from tests.conftest import use_engine
from tests.warehouse_reader import ANSWER_SQL

pytestmark = pytest.mark.slow

STUDENTS = 150
# Columns that say when this copy of the warehouse loaded a file, not what the file held.
LOAD_TIME_COLUMNS = ("loaded_at", "last_attempt_at", "load_id", "_dlt_load_id", "_dlt_id")
# What was done rather than loaded (nights run, files pushed): kept across swaps (checked below), but
# a replay pushes nothing and runs no night, so it cannot recreate them.
NOT_REPLAYED = {"stg_meta__runs", "stg_meta__exports", "dq_nightly_runs", "dq_export_pushes",
               # What educators wrote lives in the app store beside the warehouse (schema app on
               # PostgreSQL), which a replay into another file or database does not have.
               "stg_app__educator_notes", "fct_educator_notes"}


def note(wh: Warehouse, note_id: str, body: str) -> None:
    app_store.append(wh, "educator_notes", [{
        "note_id": note_id, "revision": 1, "written_at": app_store.now(), "staff_id": "T1", "student_id": "S1",
        "note_date": datetime.date(2026, 10, 1), "kind": "Meeting", "body": body, "is_deleted": 0}])


def notes_in_marts(wh: Warehouse) -> set[str]:
    return {r[0] for r in wh.query("select body from marts.fct_educator_notes")}


def nights(tmp_path: Path, count: int) -> list[Path]:
    """``count`` consecutive school days of one district, and a district.yml for each."""
    configs = []
    for n in range(count):
        folder = tmp_path / f"day{n + 1}"
        manifest = generate(folder, students=STUDENTS, seed=5, day=40 + n)
        if n >= 1:  # from the second night on, one student has withdrawn: history to keep
            students = folder / "students_export.txt"
            header, *rows = students.read_bytes().split(b"\r\n")
            rows[7] = rows[7].replace(b'"Active"', b'"Withdrawn"', 1)
            students.write_bytes(b"\r\n".join([header, *rows]))
        config = tmp_path / f"night{n + 1}.yml"
        config.write_text(yaml.safe_dump({
            "email_domain": "example-district.org", "student_email_domain": "students.example-district.org",
            "as_of_date": manifest["as_of_date"],
            "sources": {s: str(folder) for s in ("district", "aspen", "star")},
            "exports": [{"vendor": "clever", "to": str(tmp_path / "out" / "clever")}],
        }))
        configs.append(config)
    return configs


def night(config: Path) -> int:
    """Run the nightly; how many of dbt's unit tests its build ran."""
    run = run_nightly(load_settings(config))
    steps = {s.name: s.status for s in run.steps}
    assert steps["build"] == "ok" and steps["export:clever"] == "ok", run.message()
    return unit_tests_in_last_build(config)


def unit_tests_in_last_build(config: Path | None = None) -> int:
    results = json.loads((target_dir(load_settings(config)) / "run_results.json").read_text())["results"]
    return sum(r["unique_id"].startswith("unit_test.") for r in results)


def answer(wh: Warehouse) -> list[int]:
    with wh.connect(read_only=True) as con:
        cur = wh.cursor(con)
        values = []
        for sql in ANSWER_SQL:
            cur.execute(sql)
            values.append(cur.fetchone()[0])
        return values


class Readers:
    """Reader processes (tests/warehouse_reader.py) running until stopped."""

    def __init__(self, folder: Path, holds: tuple[bool, ...]) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        self.stop = folder / "stop"
        self.outs = [folder / f"reader{i}.jsonl" for i in range(len(holds))]
        self.holds = holds
        self.procs = [subprocess.Popen([sys.executable, "-m", "tests.warehouse_reader", str(out), str(self.stop),
                                        *(["--hold"] if hold else [])], cwd=Path(__file__).parent.parent)
                      for out, hold in zip(self.outs, holds)]

    def records(self, i: int) -> list[dict]:
        if not self.outs[i].exists():
            return []
        return [json.loads(line) for line in self.outs[i].read_text().splitlines() if line.strip()]

    def wait_for(self, predicate, what: str, timeout: float = 60) -> None:
        deadline = time.time() + timeout
        while time.time() < deadline:
            if all(predicate(i) for i in range(len(self.procs))):
                return
            time.sleep(0.1)
        raise AssertionError(f"the readers did not {what} within {timeout} s")

    def finish(self) -> list[list[dict]]:
        self.stop.touch()
        for p in self.procs:
            p.wait(timeout=30)
        return [self.records(i) for i in range(len(self.procs))]


def tables(wh: Warehouse) -> list[tuple[str, str]]:
    """Every table and view dbt builds (the raw schemas and raw_meta hold when, not what)."""
    rows = wh.query("select table_schema, table_name from information_schema.tables where table_schema in "
                    "('staging', 'intermediate', 'marts', 'snapshots', 'exports', 'seeds') order by 1, 2")
    return [(s, t) for s, t in rows]


def contents(wh: Warehouse, schema: str, table: str) -> list[str]:
    cols = [c for c in wh.columns(schema, table) if not c.endswith(LOAD_TIME_COLUMNS)]
    rows = wh.query(f"select {', '.join(chr(34) + c + chr(34) for c in cols)} from {schema}.{table}")
    return sorted(repr(r) for r in rows)


@pytest.mark.parametrize("engine", ["duckdb", "postgres"])
def test_nights_served_while_building_refreshed_and_replayed_from_the_archive(engine, isolated, request, monkeypatch, tmp_path):
    wh = use_engine(engine, request, monkeypatch)
    configs = nights(tmp_path, 2)
    unit_tests = [night(configs[0])]
    first = answer(wh)
    # What people write in the app lives outside what dbt builds: no swap, build or refresh may lose it.
    app_store.append(wh, "access_log", [{"event_at": app_store.now(), "event": "sign_in", "staff_id": "T1",
                                         "login": "t1", "student_id": None, "detail": "before night 2"}])
    note(wh, "n1", "written before night 2")

    def write_during_the_night() -> None:
        # An educator saves a note while the nightly holds the warehouse (on DuckDB: while it writes
        # its copy), through the published settings the dashboards use.
        deadline = time.time() + 120
        while engine == "duckdb" and not next_path(wh.duckdb_path).exists() and time.time() < deadline:
            time.sleep(0.05)
        note(wh, "n2", "written during night 2")
        written.append(next_path(wh.duckdb_path).exists() if engine == "duckdb" else True)

    written: list[bool] = []
    writer = threading.Thread(target=write_during_the_night)
    # Three readers in their own processes, as dashboards and a notebook are. On DuckDB one of them
    # keeps its connection open all night (a notebook left open).
    readers = Readers(tmp_path / "readers", (False, False, engine == "duckdb"))
    readers.wait_for(lambda i: readers.records(i), "start reading")
    started = time.time()
    writer.start()
    unit_tests.append(night(configs[1]))
    built = time.time()
    # Night 1 ran dbt's unit tests (none had passed here before); night 2 changed no code, so it did not.
    assert unit_tests[0] >= 5 and unit_tests[1] == 0, f"unit tests run only when what they test changed: {unit_tests}"
    writer.join()
    assert written == [True], "the note was written while the night held the warehouse"
    second = answer(wh)
    holds = readers.holds
    readers.wait_for(lambda i: holds[i] or any(r.get("answer") == second for r in readers.records(i)),
                     "see tonight's warehouse")
    records = readers.finish()

    assert first[0] == 1 and second[0] == 2 and first[1] != second[1], (first, second)
    during = [r for rs in records for r in rs if started <= r["t"] <= built]
    assert len(during) >= 30, f"only {len(during)} reads happened during the night"
    errors = [r["error"] for rs in records for r in rs if "error" in r]
    assert not errors, f"{len(errors)} reads failed during the night, e.g. {errors[0]}"
    for i, rs in enumerate(records):
        answers = [r["answer"] for r in rs]
        if holds[i]:
            assert all(a == first for a in answers), "a connection held open all night sees last night, whole"
        elif engine == "duckdb":
            # One file per night: every read is last night's or tonight's warehouse, never a mix.
            assert all(a in (first, second) for a in answers), [a for a in answers if a not in (first, second)][:3]
        else:
            # In place, table by table: each table is last night's or tonight's, and a reader waits at
            # most for one table's swap, never for the build.
            assert all(a[k] in (first[k], second[k]) for a in answers for k in range(len(first)))
    slowest = max(r["seconds"] for rs in records for r in rs)
    assert slowest < 5, f"a read waited {slowest:.1f} s during a night of {built - started:.0f} s"

    # Tonight's vendor files came from tonight's warehouse.
    clever = (tmp_path / "out" / "clever" / "students.csv").read_text().splitlines()
    assert len(clever) - 1 == wh.query("select count(*) from exports.clever__students")[0][0]
    assert wh.query("select count(*) from raw_meta.exports")[0][0] > 0
    if engine == "duckdb":
        assert not next_path(wh.duckdb_path).parent.exists(), "no copy is left beside the warehouse"
    # A --full-refresh (the third generation) rebuilds every table dbt owns, and none of what people
    # wrote: the note written while night 2 held the warehouse is kept and reaches the marts.
    monkeypatch.setenv("SCHOOLHOUSE_CONFIG", str(configs[1]))
    refreshed = CliRunner().invoke(main, ["build", "--full-refresh"])
    assert refreshed.exit_code == 0, refreshed.output
    assert unit_tests_in_last_build() == unit_tests[0], "`schoolhouse build` runs them all"
    assert answer(wh)[1:] == second[1:], "a full refresh of the same files builds the same warehouse"
    _, rows = app_store.read(wh, "select detail from {app}access_log")
    assert rows == [("before night 2",)]
    assert notes_in_marts(wh) == {"written before night 2", "written during night 2"}
    _, rows = app_store.read(wh, "select count(*) from {app}educator_notes")
    assert rows == [(2,)]
    monkeypatch.delenv("SCHOOLHOUSE_CONFIG")

    # The warehouse is lost: replay the archive into an empty one and compare everything dbt builds.
    original = {t: contents(wh, *t) for t in tables(wh)}
    if engine == "duckdb":
        monkeypatch.setenv("SCHOOLHOUSE_DUCKDB_PATH", str(tmp_path / "replayed" / "warehouse.duckdb"))
        monkeypatch.setenv("SCHOOLHOUSE_CACHE_DIR", str(tmp_path / "cache_replay"))
    replayed_wh = use_engine(engine, request, monkeypatch)
    monkeypatch.setenv("SCHOOLHOUSE_CONFIG", str(configs[1]))
    result = CliRunner().invoke(main, ["replay", "--from-archive"])
    assert result.exit_code == 0, result.output
    # The first two nights' builds were whole and succeeded, and the full refresh after them makes
    # their marts again: only their history is played back.
    assert "Replayed 3 generations (6 loads, 3 builds, 2 of them history only)" in result.output
    replayed = {t: contents(replayed_wh, *t) for t in tables(replayed_wh)}
    assert set(replayed) == set(original)
    differ = [t for t in original if t[1] not in NOT_REPLAYED and original[t] != replayed[t]]
    assert not differ, f"{len(differ)} of {len(original)} relations differ after the replay: {differ[:5]}"
    withdrawn = replayed_wh.query("select count(*) from snapshots.snap_students where dbt_valid_to is not null")[0][0]
    assert withdrawn == 1, "the withdrawal's history came back, at the night it happened"
    # A second replay over it is refused: replay recreates a lost warehouse, it never merges.
    again = CliRunner().invoke(main, ["replay", "--from-archive"])
    assert again.exit_code == 2 and "not empty" in again.output


def test_only_whole_successful_builds_that_a_later_one_supersedes_replay_as_history_only():
    from schoolhouse.replay import _history_only

    def build(select=None, ok=True) -> dict:
        return {"kind": "build", "select": select, "ok": ok}

    def entries(*builds: dict) -> list[dict]:
        return [{"steps": [{"kind": "load"}, b]} for b in builds]

    assert _history_only(entries(build(), build(), build())) == {(0, 1), (1, 1)}
    # A failed build skipped what followed its failure, and a partial one left the rest as it was:
    # both are played back as they ran, and neither can stand in for the whole builds before it.
    assert _history_only(entries(build(), build(ok=False), build(select="dim_students"))) == set()
    assert _history_only(entries(build(ok=False), build(select="dim_students"), build(), build())) == {(2, 1)}
    assert _history_only(entries(build())) == set()
