"""The archive's journal: what each published generation did to the warehouse, in order.

``<archive_dir>/journal.jsonl`` holds one JSON line per generation: its loads (the folder's files
as they came, each by the sha256 under which the archive keeps it, with the load's settings) and
its builds (every dbt var, including the night's snapshot time). The archived files plus this
journal are enough to recreate the warehouse (``schoolhouse replay --from-archive``); it is
append-only and lives with the archive, so losing the warehouse does not lose it.
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from schoolhouse import raw_meta
from schoolhouse.catalog import FILE_SOURCES

if TYPE_CHECKING:
    from schoolhouse.settings import Settings

NAME = "journal.jsonl"


def path(archive_dir: Path) -> Path:
    return archive_dir / NAME


def load_step(settings: Settings, source: str, archived: Sequence[Any], *, force: bool = False) -> dict[str, Any]:
    """A load as the journal keeps it: the files the folder held (``archived``: the loader's
    ArchivedFile of each, zips whole) and what decided their fate. A load straight from a database
    archives nothing (``files`` is None): a replay cannot repeat it."""
    if source not in FILE_SOURCES:
        return {"kind": "load", "source": source, "files": None}
    root = settings.archive_dir.resolve()
    return {"kind": "load", "source": source, "force": force,
            "max_reject_share": settings.max_reject_share,
            "file_patterns": {k: list(v) for k, v in settings.file_patterns.get(source, {}).items()},
            "files": [{"name": af.name, "sha256": af.sha256, "path": str(Path(af.path).resolve().relative_to(root))}
                      for af in archived]}


def append(archive_dir: Path, generation: str, command: str, started_at: datetime, published: bool,
           steps: list[dict[str, Any]]) -> None:
    """One generation's line: what it did, in order (schoolhouse.generation calls this when it ends)."""
    archive_dir.mkdir(parents=True, exist_ok=True)
    line = json.dumps({"generation": generation, "command": command, "started_at": started_at.isoformat(),
                       "published_at": raw_meta.now().isoformat(), "published": published, "steps": steps},
                      default=str)
    with open(path(archive_dir), "a", encoding="utf-8") as handle:
        handle.write(line + "\n")
        handle.flush()
        os.fsync(handle.fileno())


def read(archive_dir: Path) -> list[dict[str, Any]]:
    """Every generation recorded, oldest first (a torn last line, from a crash mid-write, is skipped)."""
    p = path(archive_dir)
    if not p.exists():
        return []
    entries = []
    for line in p.read_text(encoding="utf-8").splitlines():
        try:
            entries.append(json.loads(line))
        except json.JSONDecodeError:
            continue
    return entries
