"""Turn a load SOURCE argument (folder, sftp:// URL or database URL) into a load."""

from __future__ import annotations

import os
from pathlib import Path

from loaders.load import LoadSummary, load_files
from loaders.warehouse import Warehouse


def landing_dir(source: str) -> Path:
    return Path(os.environ.get("SCHOOLHOUSE_LANDING_DIR", "archive/landing")) / source


def load_location(wh: Warehouse, source: str, location: str, *, force: bool = False,
                  max_reject_share: float = 0.10, patterns: dict | None = None, progress=None) -> LoadSummary:
    if source == "powerschool":
        from loaders.powerschool import load_powerschool

        return load_powerschool(wh, location, progress=progress)
    if location.startswith("sftp://"):
        from loaders.sftp import SftpAuth, SftpLocation, fetch_new
        from loaders.entities import FILE_SOURCES

        folder = landing_dir(source)
        folder.mkdir(parents=True, exist_ok=True)
        pats = sorted({p for s in FILE_SOURCES[source] for p in (patterns or {}).get(s.entity, s.patterns)})
        # Match case-insensitively on the server as the folder loader does.
        pats = sorted(set(pats) | {p.upper() for p in pats} | {p.lower() for p in pats})
        fetch_new(SftpLocation.parse(location), SftpAuth.from_env(), pats, folder, folder / ".sftp_state.json")
    else:
        folder = Path(location)
        if not folder.is_dir():
            raise ValueError(f"{location} is not a folder, an sftp:// URL or (for powerschool) a database URL.")
    return load_files(source, folder, wh, max_reject_share=max_reject_share, force=force,
                      patterns=patterns, progress=progress)
