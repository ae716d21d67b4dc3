"""Retention: archived files and rejected rows' raw text are kept ``retention_days``, not forever.

What goes: archived copies of files last loaded before the cutoff, and the raw text of rows
rejected before it. What stays: every row of ``raw_meta.file_loads`` and ``rejected_rows`` (sha256,
file names, counts, reasons: the record that a file came and what was wrong with it), and the file
each raw table holds tonight, however old (a district that sends a file once a year keeps it).

The archive is what rebuilds a lost warehouse night by night (snapshots included). When the purge
would delete files from nights the snapshots still describe, it refuses and says so, unless the
district has decided that its retention schedule comes first (``retention_accept_history_loss``):
the snapshots then keep the history, but a lost warehouse could only be rebuilt from the cutoff on.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from schoolhouse import raw_meta
from schoolhouse.settings import Settings


class HistoryWouldBeLost(RuntimeError):
    """The purge would delete files of nights the snapshots describe, and that was not accepted."""


@dataclass
class PurgePlan:
    cutoff: datetime
    files: list[Path] = field(default_factory=list)
    bytes: int = 0
    kept_current: int = 0
    rejected_texts: int = 0
    history_from: datetime | None = None  # the oldest night the snapshots describe

    def summary(self) -> str:
        return (f"{len(self.files)} archived file(s) ({self.bytes:,} bytes) last loaded before "
                f"{self.cutoff:%Y-%m-%d}, and the raw text of {self.rejected_texts} rejected row(s); "
                f"{self.kept_current} older file(s) kept because a raw table holds them tonight")


def plan(settings: Settings, now: datetime | None = None) -> PurgePlan | None:
    """What a purge would remove today; None when no retention is set."""
    if not settings.retention_days:
        return None
    wh = settings.warehouse()
    raw_meta.ensure(wh)
    cutoff = (now or raw_meta.now()) - timedelta(days=settings.retention_days)
    ph = wh.placeholder
    last_seen = dict(wh.query(f"select file_sha256, max(loaded_at) from {raw_meta.SCHEMA}.file_loads "
                              f"where file_sha256 is not null group by file_sha256"))
    current = {sha for (sha,) in wh.query(
        f"""select file_sha256 from (
                select file_sha256, row_number() over (partition by source, entity order by loaded_at desc) as n
                from {raw_meta.SCHEMA}.file_loads where status = 'loaded') as latest
            where n = 1""")}
    out = PurgePlan(cutoff)
    landing = settings.landing_dir.resolve()
    for path in sorted(settings.archive_dir.glob("*/*/*")):
        if not path.is_file() or landing in path.resolve().parents:
            continue
        sha = path.parent.name
        seen = last_seen.get(sha) or datetime.fromtimestamp(path.parent.stat().st_mtime)
        if seen >= cutoff:
            continue
        if sha in current:
            out.kept_current += 1
            continue
        out.files.append(path)
        out.bytes += path.stat().st_size
    out.rejected_texts = wh.query(f"select count(*) from {raw_meta.SCHEMA}.rejected_rows "
                                  f"where raw_text is not null and rejected_at < {ph}", (cutoff,))[0][0]
    out.history_from = _snapshot_history_from(settings)
    return out


def purge(settings: Settings, dry_run: bool = False, now: datetime | None = None) -> PurgePlan | None:
    """Remove what ``plan`` lists (nothing with dry_run). Raises HistoryWouldBeLost as the module says."""
    p = plan(settings, now)
    if p is None or dry_run:
        return p
    if p.files and p.history_from is not None and p.history_from < p.cutoff and not settings.retention_accept_history_loss:
        raise HistoryWouldBeLost(
            f"Not purged: the snapshots describe nights from {p.history_from:%Y-%m-%d}, and deleting archived "
            f"files from before {p.cutoff:%Y-%m-%d} means a lost warehouse could not be rebuilt with that "
            f"history. Either keep retention_days at {(raw_meta.now() - p.history_from).days} or more, or set "
            "retention_accept_history_loss: true (the warehouse's snapshots keep the history; the archive "
            "no longer could rebuild it).")
    for path in p.files:
        path.unlink()
        for folder in (path.parent, path.parent.parent):
            if folder != settings.archive_dir and not any(folder.iterdir()):
                os.rmdir(folder)
    wh = settings.warehouse()
    wh.execute_many([(f"update {raw_meta.SCHEMA}.rejected_rows set raw_text = null "
                      f"where raw_text is not null and rejected_at < {wh.placeholder}", (p.cutoff,))])
    return p


def _snapshot_history_from(settings: Settings) -> datetime | None:
    """The oldest dbt_valid_from of the warehouse's snapshots (None before the first build)."""
    wh = settings.warehouse()
    tables = [t for (t,) in wh.query("select table_name from information_schema.tables "
                                     "where table_schema = 'snapshots'")]
    oldest = None
    for table in tables:
        if "dbt_valid_from" not in wh.columns("snapshots", table):
            continue
        (value,) = wh.query(f"select min(dbt_valid_from) from snapshots.{table}")[0]
        if value is not None:
            value = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
            value = value.replace(tzinfo=None)
            oldest = value if oldest is None else min(oldest, value)
    return oldest
