"""`schoolhouse replay --from-archive`: recreate a lost warehouse from the archive and its journal.

Every generation the journal records is played back in order: each load gets a folder holding the
files that load saw (the archived copies under their own names) and the settings it ran with;
each build gets the dbt vars it ran with, the snapshot time included, so snapshots, history and
incremental facts come back as they were. A whole build that succeeded and that a later whole,
successful build follows is played back as its history only (HISTORY_ONLY): the later build makes
everything else again, and its tests passed the night it ran. Nothing is pushed to a vendor.
What cannot come back:
raw_meta.runs and raw_meta.exports (what was done, not what was loaded), PowerSchool loads read
straight from the SIS database (not archived), and nights whose files retention_days has purged.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from loaders.load import load_files
from schoolhouse import journal
from schoolhouse.build import build
from schoolhouse.generation import generation
from schoolhouse.settings import Settings


# What a night hands to the next: the snapshots and incremental facts, with everything they read.
# Without the tests and the other marts, a night's build is ~60 of ~590 dbt nodes.
HISTORY_ONLY = "+resource_type:snapshot +config.materialized:incremental"
NOT_TESTS = "resource_type:test resource_type:unit_test"


class ReplayError(RuntimeError):
    """The archive cannot be replayed (no journal, a purged file, a warehouse that is not empty)."""


@dataclass
class ReplayResult:
    generations: int = 0
    loads: int = 0
    builds: int = 0
    history_only_builds: int = 0  # of the builds, those played back as their history only
    not_replayable: list[str] = field(default_factory=list)  # what could not be played back, and why
    differing_builds: list[str] = field(default_factory=list)  # builds whose outcome differs from the original


def _is_empty(settings: Settings) -> bool:
    if settings.target == "duckdb":
        return not settings.duckdb_path.exists()
    return not settings.warehouse().table_exists("raw_meta", "file_loads")


def _folder_of(step: dict, archive_dir: Path, folder: Path, when: str) -> Path:
    """The load's folder as it was: each archived file under the name it came with."""
    for f in step["files"]:
        stored = archive_dir / f["path"]
        if not stored.exists():
            raise ReplayError(f"The {step['source']} file {f['name']} of the {when} generation is no longer in the "
                              f"archive ({stored}; retention_days purges old files), so the replay cannot go on.")
        link = folder / f["name"]
        if link.exists():
            raise ReplayError(f"The {when} {step['source']} load saw two files named {f['name']}.")
        link.symlink_to(stored.resolve())
    return folder


def _whole_and_ok(step: dict) -> bool:
    return step["kind"] == "build" and step["select"] is None and step["ok"]


def _history_only(entries: list[dict]) -> set[tuple[int, int]]:
    """(entry, step) of every build that may be played back as its history only: whole and
    successful (so every snapshot and incremental fact ran, and ran once), with a whole, successful
    build after it. A failed or partial build is played back as it ran, since what it skipped
    shaped the history it left."""
    whole = [(i, j) for i, entry in enumerate(entries) for j, step in enumerate(entry["steps"]) if _whole_and_ok(step)]
    return set(whole[:-1])


def replay(settings: Settings, progress: Callable[[str], None] = lambda _: None) -> ReplayResult:
    entries = journal.read(settings.archive_dir)
    if not entries:
        raise ReplayError(f"There is no journal in {settings.archive_dir} ({journal.NAME}): nothing to replay.")
    if not _is_empty(settings):
        where = settings.duckdb_path if settings.target == "duckdb" else settings.warehouse().describe()
        raise ReplayError(f"The warehouse ({where}) is not empty: replay only recreates a lost warehouse. "
                          "Move the file away (or use an empty database) first.")
    result = ReplayResult()
    history_only = _history_only(entries)
    with generation(settings, "replay") as gen:
        for n, entry in enumerate(entries):
            when = entry["started_at"]
            progress(f"{n + 1}/{len(entries)}: {entry['command']} of {when}")
            for m, step in enumerate(entry["steps"]):
                if step["kind"] == "load":
                    if step["files"] is None:
                        result.not_replayable.append(f"{step['source']} load of {when} (read from the SIS database)")
                        continue
                    with tempfile.TemporaryDirectory(prefix="schoolhouse-replay-") as tmp:
                        folder = _folder_of(step, settings.archive_dir, Path(tmp), when)
                        load_files(step["source"], folder, gen.settings.warehouse(), settings.archive_dir,
                                   max_reject_share=step["max_reject_share"], force=step["force"],
                                   patterns={step["source"]: {e: tuple(p) for e, p in step["file_patterns"].items()}})
                    result.loads += 1
                elif step["kind"] == "build":
                    if (n, m) in history_only:
                        ok = build(gen.settings, select=HISTORY_ONLY, exclude=NOT_TESTS,
                                   full_refresh=step["full_refresh"], replay_vars=step["vars"])
                        result.history_only_builds += 1
                    else:
                        ok = build(gen.settings, select=step["select"], full_refresh=step["full_refresh"],
                                   indirect_selection=step["indirect_selection"], replay_vars=step["vars"])
                    if ok != step["ok"]:
                        result.differing_builds.append(f"the build of {when} {'succeeded' if ok else 'failed'} "
                                                       f"(originally {'succeeded' if step['ok'] else 'failed'})")
                    result.builds += 1
            result.generations += 1
        gen.publish()
    return result
