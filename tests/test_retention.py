"""Retention: archived files and rejected rows' raw text go after retention_days; the record of what
came and what was wrong stays; tonight's files stay however old; snapshot history is not lost silently."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import duckdb
import pytest

from generator import generate
from loaders import retention
from schoolhouse import raw_meta
from schoolhouse.settings import load_settings

ROOT = Path(__file__).resolve().parent.parent


def _load(env: dict, source: str, folder: Path) -> None:
    done = subprocess.run([sys.executable, "-m", "schoolhouse.cli", "load", source, str(folder)], env=env, cwd=ROOT,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode in (0, 1), done.stdout[-2000:] + done.stderr[-2000:]


def test_purge_keeps_the_record_and_tonights_files_and_explains_history(tmp_path, monkeypatch):
    env = {**os.environ, "SCHOOLHOUSE_TARGET": "duckdb", "SCHOOLHOUSE_DUCKDB_PATH": str(tmp_path / "w.duckdb"),
           "SCHOOLHOUSE_ARCHIVE_DIR": str(tmp_path / "archive"), "SCHOOLHOUSE_CACHE_DIR": str(tmp_path / "cache")}
    for day in (20, 21):  # two nights: the second changes some files, so the first's copies are old
        folder = tmp_path / f"night{day}"
        generate(folder, students=80, seed=6, day=day, dirty=True)
        for source in ("district", "aspen"):
            _load(env, source, folder)
    for key in ("SCHOOLHOUSE_TARGET", "SCHOOLHOUSE_DUCKDB_PATH", "SCHOOLHOUSE_ARCHIVE_DIR", "SCHOOLHOUSE_CACHE_DIR"):
        monkeypatch.setenv(key, env[key])
    assert retention.purge(load_settings()) is None  # no retention set: everything kept

    monkeypatch.setenv("SCHOOLHOUSE_RETENTION_DAYS", "365")
    settings = load_settings()
    wh = settings.warehouse()
    later = raw_meta.now() + timedelta(days=400)  # a year and more from now, every load is old
    archived = sorted(p for p in settings.archive_dir.glob("*/*/*") if p.is_file())
    loads_before = wh.query("select count(*) from raw_meta.file_loads")[0][0]
    rejected_before = wh.query("select count(*), count(raw_text) from raw_meta.rejected_rows")[0]
    assert rejected_before[1] > 0, "the dirty district should have rejected rows with their text"

    plan = retention.purge(settings, dry_run=True, now=later)
    assert plan.files and plan.kept_current and plan.rejected_texts == rejected_before[1]
    assert sorted(p for p in settings.archive_dir.glob("*/*/*") if p.is_file()) == archived  # dry run

    # Snapshots describing nights the archive would no longer hold: refused, with the way out.
    with duckdb.connect(str(settings.duckdb_path)) as con:
        con.execute("create schema snapshots")
        con.execute("create table snapshots.snap_students as select 's1' as student_id, "
                    "now()::timestamp - interval 30 day as dbt_valid_from")
    with pytest.raises(retention.HistoryWouldBeLost, match="retention_accept_history_loss"):
        retention.purge(settings, now=later)
    assert sorted(p for p in settings.archive_dir.glob("*/*/*") if p.is_file()) == archived

    monkeypatch.setenv("SCHOOLHOUSE_RETENTION_ACCEPT_HISTORY_LOSS", "1")
    done = retention.purge(load_settings(), now=later)
    left = sorted(p for p in settings.archive_dir.glob("*/*/*") if p.is_file())
    assert set(left) == set(archived) - set(done.files) and len(left) == done.kept_current
    current = {sha for (sha,) in wh.query(
        "select file_sha256 from (select file_sha256, row_number() over (partition by source, entity "
        "order by loaded_at desc) as n from raw_meta.file_loads where status = 'loaded') where n = 1")}
    assert {p.parent.name for p in left} == current  # every raw table's file is still there
    assert not [d for d in settings.archive_dir.iterdir() if d.is_dir() and not any(d.iterdir())]
    # The record stays: every load, every rejected row with its reason; only the raw text is gone.
    assert wh.query("select count(*) from raw_meta.file_loads")[0][0] == loads_before
    assert wh.query("select count(*), count(raw_text), count(reason) from raw_meta.rejected_rows")[0] == \
        (rejected_before[0], 0, rejected_before[0])
    # The command: a dry run says what would go (nothing is older than a year today).
    out = subprocess.run([sys.executable, "-m", "schoolhouse.cli", "purge", "--dry-run"], cwd=ROOT, text=True,
                         capture_output=True, env={**os.environ, **env, "SCHOOLHOUSE_RETENTION_DAYS": "365"})
    assert out.returncode == 0 and "Would remove 0 archived file(s)" in out.stdout + out.stderr, out.stderr
